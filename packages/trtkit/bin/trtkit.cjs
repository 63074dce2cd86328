#!/usr/bin/env node
// The `trtkit` command. CommonJS on purpose: libuv sizes its thread pool on first use, which in an ES module entry
// happens while the imports load, so this is the last place UV_THREADPOOL_SIZE can still take effect. Image decodes
// and resizes run one per pool thread; Node's default of 4 would leave most cores idle on a batch.
// `--image-threads N` (anywhere on the command line) sets it; otherwise an existing UV_THREADPOOL_SIZE, else the core count.
const argv = process.argv;
for (let i = 2; i < argv.length; i++) {
  const m = /^--image-threads(?:=(.*))?$/.exec(argv[i]);
  if (!m) continue;
  const value = m[1] ?? argv[i + 1];
  if (!/^[1-9][0-9]{0,3}$/.test(value ?? '') || Number(value) > 1024) {
    console.error(
      `trtkit: --image-threads takes a whole number of threads from 1 to 1024, got '${value ?? ''}'`,
    );
    process.exit(2);
  }
  process.env.UV_THREADPOOL_SIZE = value;
  argv.splice(i, m[1] === undefined ? 2 : 1);
  break;
}
if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(Math.min(require('node:os').availableParallelism(), 64));
}
import('../dist/cli.js');
