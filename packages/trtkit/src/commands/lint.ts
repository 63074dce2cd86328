import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '@trtkit/core';
import { lintTensorRT, type TensorRTVersion } from '@trtkit/passes';
import type { Command } from '../cli/command.js';
import { loadIrModel } from './optimize.js';

export const lint: Command = {
  name: 'lint',
  summary: 'name every node TensorRT cannot build, before any build (exit 1 on findings)',
  usage: 'trtkit lint <model.onnx> [--tensorrt 10|11] [--json]\n\nExit status: 0 clean, 1 findings, 2 usage.',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { tensorrt: { type: 'string', default: '10' }, json: { type: 'boolean' } },
    });
    const file = positionals[0];
    if (!file || positionals.length > 1)
      throw new InvalidArgumentError('give exactly one model', { hint: 'trtkit lint <model.onnx>' });
    if (values.tensorrt !== '10' && values.tensorrt !== '11')
      throw new InvalidArgumentError(`--tensorrt ${values.tensorrt} is not supported`, {
        hint: 'use --tensorrt 10 or --tensorrt 11',
      });
    const version = Number(values.tensorrt) as TensorRTVersion;
    const { loaded, model } = await loadIrModel(file);
    loaded.externalData.close();
    const findings = lintTensorRT(model, version);
    if (values.json) io.out(JSON.stringify({ model: file, tensorrt: version, findings }, null, 2));
    else if (findings.length === 0) io.out(`${file}: no findings for TensorRT ${version}`);
    else {
      for (const f of findings)
        io.out(
          `${f.node || '(model)'}${f.opType ? ` [${f.domain ? `${f.domain}::` : ''}${f.opType}]` : ''} ${f.rule}: ${f.message}`,
        );
      io.out(`${findings.length} finding(s) for TensorRT ${version}`);
    }
    return findings.length === 0 ? 0 : 1;
  },
};
