#!/usr/bin/env node
// The `trtkit` command. CommonJS on purpose: libuv sizes its thread pool on first use, which in an ES module entry
// happens while the imports load, so this is the last place UV_THREADPOOL_SIZE can still take effect. Image decodes
// and resizes run one per pool thread; Node's default of 4 would leave most cores idle on a batch.
if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(Math.min(require('node:os').availableParallelism(), 64));
}
import('../dist/cli.js');
