// The umbrella entry: everything a user needs from one import.
export * from '@trtkit/core';
export * from '@trtkit/trt-native';
export type { CliIO, Command } from './cli/command.js';
export { runCli } from './cli/run-cli.js';
