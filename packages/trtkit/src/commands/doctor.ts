import { parseArgs } from 'node:util';
import { nativeStatus } from '@trtkit/trt-native';
import type { Command } from '../cli/command.js';

/** What this machine can do: native addon, CUDA, reference backend. */
export const doctor: Command = {
  name: 'doctor',
  summary: 'report what this machine supports (CUDA addon, GPU, backends)',
  usage: 'trtkit doctor [--json]\n\nReports the native build status and the backends that can run here.',
  async run(argv, io) {
    const { values } = parseArgs({ args: [...argv], options: { json: { type: 'boolean' } } });
    const status = nativeStatus();
    const report = {
      node: process.version,
      cudaAddon: status.cuda,
    };
    if (values.json) io.out(JSON.stringify(report, null, 2));
    else {
      io.out(`node        ${report.node}`);
      io.out(
        `cuda addon  ${status.cuda.built ? `built (${status.cuda.path})` : `not built: ${status.cuda.reason}`}`,
      );
    }
    return 0;
  },
};
