import type { Command } from '../cli/command.js';
import { compare } from './compare.js';
import { convert } from './convert.js';
import { demo } from './demo.js';
import { doctor } from './doctor.js';
import { evaluate } from './eval.js';
import { infer } from './infer.js';
import { inspect } from './inspect.js';
import { lint } from './lint.js';
import { optimize } from './optimize.js';

/** Every `trtkit` subcommand; each lives in its own file in this folder. */
export const commands: readonly Command[] = [
  compare,
  convert,
  demo,
  doctor,
  evaluate,
  infer,
  inspect,
  optimize,
  lint,
];
