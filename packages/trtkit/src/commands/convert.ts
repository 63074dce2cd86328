import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidArgumentError, isExternal, readModel, writeModel } from '@trtkit/core';
import type { Command } from '../cli/command.js';

const USAGE = `trtkit convert <in.onnx> <out.onnx> [--external-data <file.bin> | --inline] [--threshold <bytes>] [--force]

Re-writes a model losslessly (every field, unknown fields included), optionally moving weights:
  --external-data <file>  put initializers of at least --threshold bytes (default 1024) into <file>,
                          next to <out.onnx>, at 4096-byte aligned offsets (needed above 2 GiB)
  --inline                put every weight inside <out.onnx> (at most 2 GiB in all)
  --threshold <bytes>     smallest initializer moved to external data
  --force                 replace <out.onnx> (and the data file) if they exist
Without --external-data or --inline, a model that had external data keeps it, in <out.onnx>.data.`;

/** Round-trip an ONNX model, moving weights to or from external data. */
export const convert: Command = {
  name: 'convert',
  summary: 'round-trip an ONNX model, moving weights to or from external data',
  usage: USAGE,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'external-data': { type: 'string' },
        inline: { type: 'boolean' },
        threshold: { type: 'string' },
        force: { type: 'boolean' },
      },
    });
    const [input, output, ...extra] = positionals;
    if (!input || !output || extra.length > 0) {
      throw new InvalidArgumentError('convert needs exactly <in.onnx> and <out.onnx>', { hint: USAGE });
    }
    if (values.inline && values['external-data'] !== undefined) {
      throw new InvalidArgumentError('--inline and --external-data exclude each other');
    }
    let threshold: number | undefined;
    if (values.threshold !== undefined) {
      threshold = Number(values.threshold);
      if (!Number.isSafeInteger(threshold) || threshold < 0) {
        throw new InvalidArgumentError(`--threshold ${values.threshold} is not a byte count`);
      }
    }
    const loaded = await readModel(input);
    try {
      const hadExternal = loaded.model.graph?.initializer.some(isExternal) ?? false;
      let location = values['external-data'];
      if (location === undefined && !values.inline && hadExternal) location = `${path.basename(output)}.data`;
      const result = await writeModel(output, loaded.model, {
        store: loaded.externalData,
        overwrite: values.force ?? false,
        externalData:
          location === undefined ? false : { location, ...(threshold === undefined ? {} : { threshold }) },
      });
      io.out(`wrote ${result.path} (${result.bytes} bytes)`);
      if (result.externalPath) {
        io.out(
          `wrote ${result.externalPath} (${result.externalBytes} bytes, ${result.externalTensors} tensors)`,
        );
      }
      return 0;
    } finally {
      loaded.externalData.close();
    }
  },
};
