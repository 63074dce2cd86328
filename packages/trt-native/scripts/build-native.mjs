#!/usr/bin/env node
// Builds the native addons when their toolchains are present: the CPU image addon (cmake + a C++ compiler), then the
// CUDA addon (also nvcc). A missing toolchain or a failed build is reported and exits 0, so `npm install` works
// anywhere (the image addon's users fall back to JavaScript). TRTKIT_NATIVE=require makes a failure fatal,
// TRTKIT_NATIVE=skip skips both, TRTKIT_CUDA_ARCHS="90-real" builds fewer CUDA architectures.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buildDir = join(root, 'build');
const mode = process.env.TRTKIT_NATIVE ?? 'auto';

const status = {};
function record(part) {
  Object.assign(status, part);
  mkdirSync(buildDir, { recursive: true });
  const tmp = join(buildDir, 'native-status.json.tmp');
  writeFileSync(tmp, `${JSON.stringify({ ...status, at: new Date().toISOString() }, null, 2)}\n`);
  renameSync(tmp, join(buildDir, 'native-status.json'));
}

function which(cmd, extra = []) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), ...extra]) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}

function skip(reason) {
  console.log(`[trtkit-native] CUDA addon skipped: ${reason}`);
  record({ cuda: { built: false, reason } });
  if (mode === 'require') process.exit(1);
  process.exit(0);
}

const cmakeJs = join(dirname(fileURLToPath(import.meta.resolve('cmake-js/package.json'))), 'bin', 'cmake-js');

// The image addon: plain C++, seconds to build. Its absence only costs speed (preprocessing has a JS path).
function buildImage() {
  const out = join(buildDir, 'image');
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    [cmakeJs, 'compile', '-d', join(root, 'native', 'image'), '-O', out, '-p', '2'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    },
  );
  const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
  const addon = join(out, 'Release', 'trtkit_image.node');
  if (r.status !== 0 || !existsSync(addon)) {
    const log = join(buildDir, 'image-build.log');
    mkdirSync(buildDir, { recursive: true });
    writeFileSync(log, `${r.stdout}\n${r.stderr}`);
    console.log(`[trtkit-native] image addon build failed after ${seconds}s; log: ${log}`);
    record({ image: { built: false, reason: `build failed (see ${log})` } });
    if (mode === 'require') process.exit(1);
    return;
  }
  console.log(`[trtkit-native] image addon built in ${seconds}s: ${addon}`);
  record({ image: { built: true, path: addon, seconds } });
}

if (mode === 'skip') {
  record({ image: { built: false, reason: 'TRTKIT_NATIVE=skip' } });
  skip('TRTKIT_NATIVE=skip');
}
if (!which('cmake')) {
  record({ image: { built: false, reason: 'cmake not found (apt-get install cmake)' } });
  skip('cmake not found (apt-get install cmake)');
}
buildImage();
const nvcc = which('nvcc', ['/usr/local/cuda/bin']);
if (!nvcc) skip('nvcc not found (install the CUDA toolkit or put nvcc on PATH)');
const args = [cmakeJs, 'compile', '-d', root, '-O', buildDir, '--CDCMAKE_CUDA_COMPILER=' + nvcc, '-p', '2'];
// Same default as CMakeLists.txt: Turing..Hopper machine code plus compute_90 PTX. `compile` reuses a
// configured build dir as is, so a cache configured for other architectures (an earlier
// TRTKIT_CUDA_ARCHS) is dropped first.
const archs = process.env.TRTKIT_CUDA_ARCHS ?? '75-real;80-real;86-real;89-real;90-real;90-virtual';
args.push(`--CDCMAKE_CUDA_ARCHITECTURES=${archs}`);
const cache = join(buildDir, 'CMakeCache.txt');
if (existsSync(cache)) {
  const cached = /^CMAKE_CUDA_ARCHITECTURES:[A-Z]+=(.*)$/m.exec(readFileSync(cache, 'utf8'))?.[1];
  if (cached !== archs) rmSync(cache);
}
console.log('[trtkit-native] building the CUDA addon (nvcc: %s)...', nvcc);
const started = Date.now();
const r = spawnSync(process.execPath, args, {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
});
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (r.status !== 0) {
  const log = join(buildDir, 'native-build.log');
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(log, `${r.stdout}\n${r.stderr}`);
  console.log(`[trtkit-native] CUDA addon build failed after ${seconds}s; log: ${log}`);
  console.log((r.stderr || r.stdout).split('\n').slice(-15).join('\n'));
  record({ cuda: { built: false, reason: `build failed (see ${log})` } });
  process.exit(mode === 'require' ? 1 : 0);
}
const addon = join(buildDir, 'Release', 'trtkit_cuda.node');
if (!existsSync(addon)) skip(`build succeeded but ${addon} is missing`);
console.log(`[trtkit-native] CUDA addon built in ${seconds}s: ${addon}`);
record({ cuda: { built: true, path: addon, seconds: Number(seconds) } });
