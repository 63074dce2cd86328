#!/usr/bin/env node
// Builds the TensorRT addon against an installed TensorRT: TENSORRT_ROOT=/opt/tensorrt node scripts/build-tensorrt.mjs
// Not part of `npm install`: TensorRT is a separate, licensed download that most machines do not have.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const trtRoot = process.env.TENSORRT_ROOT;
if (!trtRoot || !existsSync(join(trtRoot, 'include', 'NvInfer.h'))) {
  console.error(
    'set TENSORRT_ROOT to a TensorRT 10.x/11.x install that has include/NvInfer.h and lib/libnvinfer.so',
  );
  process.exit(2);
}
const cmakeJs = join(dirname(fileURLToPath(import.meta.resolve('cmake-js/package.json'))), 'bin', 'cmake-js');
const out = join(root, 'build', 'tensorrt');
const r = spawnSync(
  process.execPath,
  [cmakeJs, 'compile', '-d', join(root, 'native', 'tensorrt'), '-O', out, `--CDTENSORRT_ROOT=${trtRoot}`],
  { stdio: 'inherit', cwd: root },
);
if (r.status !== 0) process.exit(r.status ?? 1);
console.log(`[trtkit-native] TensorRT addon: ${join(out, 'Release', 'trtkit_tensorrt.node')}`);
