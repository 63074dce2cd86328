#!/usr/bin/env node
// Compile-checks the TensorRT addon against real TensorRT headers, one version after another, without TensorRT's
// libraries. Headers come from a git-ignored folder (never committed): <repo>/third_party/tensorrt/<version>/include,
// copied from the include/ folder of NVIDIA/TensorRT at a release tag, or TENSORRT_INCLUDE=dir1:dir2.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(root, '..', '..');
const require = createRequire(import.meta.url);
const napi = require('node-api-headers').include_dir;
const addonApi = require('node-addon-api').include_dir;
const cudaInclude = process.env.CUDA_INCLUDE ?? '/usr/local/cuda/include';

const vendored = join(repo, 'third_party', 'tensorrt');
const includeDirs = process.env.TENSORRT_INCLUDE
  ? process.env.TENSORRT_INCLUDE.split(':')
  : existsSync(vendored)
    ? readdirSync(vendored).map((v) => join(vendored, v, 'include'))
    : [];
if (includeDirs.length === 0) {
  console.error(`no TensorRT headers: put them in ${vendored}/<version>/include or set TENSORRT_INCLUDE`);
  process.exit(2);
}
const sources = readdirSync(join(root, 'native', 'tensorrt')).filter((f) => f.endsWith('.cc'));
let failed = 0;
for (const inc of includeDirs) {
  for (const src of sources) {
    const r = spawnSync(
      'g++',
      [
        '-std=c++17',
        '-fsyntax-only',
        '-Wall',
        '-Wextra',
        '-Werror',
        '-isystem',
        inc,
        '-isystem',
        cudaInclude,
        '-isystem',
        napi,
        '-isystem',
        addonApi,
        '-DNAPI_VERSION=8',
        '-DNAPI_CPP_EXCEPTIONS',
        '-DNODE_ADDON_API_DISABLE_DEPRECATED',
        join(root, 'native', 'tensorrt', src),
      ],
      { encoding: 'utf8' },
    );
    const ok = r.status === 0;
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${src} against ${inc}`);
    if (!ok) console.log(r.stderr.split('\n').slice(0, 30).join('\n'));
  }
}
process.exit(failed ? 1 : 0);
