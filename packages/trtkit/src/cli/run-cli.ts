import { TrtkitError } from '@trtkit/core';
import { commands } from '../commands/index.js';
import type { CliIO } from './command.js';
import { processIO } from './command.js';

function help(io: CliIO): void {
  const width = Math.max(...commands.map((c) => c.name.length));
  io.out(
    'trtkit: ONNX to TensorRT for transformer vision models\n\nUsage: trtkit <command> [options]\n\nCommands:',
  );
  for (const c of commands) io.out(`  ${c.name.padEnd(width)}  ${c.summary}`);
  io.out(
    '\nGlobal options:\n  --image-threads N  threads for decoding and resizing images (default: one per core; sets UV_THREADPOOL_SIZE)',
  );
  io.out("\nRun `trtkit <command> --help` for a command's options.");
}

/** Runs the CLI; returns the exit code. Typed errors print their message and hint, never a stack. */
export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help(io);
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`trtkit: unknown command '${name}'`);
    help(io);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof TrtkitError) {
      io.err(`trtkit ${name}: ${e.message}`);
      return 1;
    }
    if (e instanceof Error && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(`trtkit ${name}: ${e.message}\n\n${command.usage}`);
      return 2;
    }
    throw e;
  }
}
