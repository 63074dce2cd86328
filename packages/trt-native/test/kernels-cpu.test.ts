// Kernels checked on the CPU, without a GPU. The MSDA design rules (native/cuda/msda_design.h: which kernel a call
// gets, which tunings a shape takes, which pair each thread serves) are plain C++: test/native/msda_design_check.cc.
// Every kernel itself runs in a CUDA emulator (test/native/cuda_emulator.h) against float64 references:
// test/native/{msda,layernorm,preprocess,segformer,decode}_emulate_check.cc.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const required = process.env.TRTKIT_NATIVE === 'require'; // CI: both compilers are there, nothing may skip
const cxx = process.env.CXX ?? 'c++';
const hasCxx = required || spawnSync('sh', ['-c', `command -v ${cxx}`]).status === 0;
// Where the addon build looks for it: PATH, then the toolkit's default folder.
const nvcc =
  spawnSync('sh', ['-c', 'command -v nvcc || command -v /usr/local/cuda/bin/nvcc'], {
    encoding: 'utf8',
  }).stdout.trim() || 'nvcc';
const hasNvcc = required || nvcc !== 'nvcc';

// The emulator builds as host C++ with CUDA's headers; kernels type-pun vectors, which needs strict aliasing off.
const EMULATE = [
  '-x',
  'c++',
  '-std=c++17',
  '-O2',
  '-Xcompiler',
  '-fno-strict-aliasing,-Wall,-Wno-unknown-pragmas',
];

// Builds a check program, runs it, and returns the numbers of its "ok ..." line.
function runCheck(compiler: string, flags: string[], source: string): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'trtkit-msda-'));
  try {
    const exe = join(dir, 'check');
    const build = spawnSync(
      compiler,
      [...flags, `-I${join(root, 'native/cuda')}`, join(root, 'test/native', source), '-o', exe],
      { encoding: 'utf8' },
    );
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const run = spawnSync(exe, { encoding: 'utf8' });
    expect(run.stdout).toMatch(/^ok( \d+)+\n$/);
    expect(run.status).toBe(0);
    return run.stdout.trim().split(' ').slice(1).map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('kernels on the CPU', () => {
  // At -O3 as well: the addon's host code is built at -O3, and GCC 12.2 once miscompiled the design choice there
  // (and at -O2) while -O1 was right.
  it.skipIf(!hasCxx).each(['-O2', '-O3'])(
    'MSDA design choice (%s): defaults, refusals, and a pair map that serves every pair once',
    (level) => {
      const [designs, maps] = runCheck(
        cxx,
        ['-std=c++17', level, '-Wall', '-Werror'],
        'msda_design_check.cc',
      );
      // Every expectation ran, and all 896 maps the kernel can run over the shapes walked were walked: fewer would
      // mean a check returned early or a map was wrongly refused.
      expect(designs).toBe(205);
      expect(maps).toBe(896);
    },
  );

  // Each emulator check prints "ok <runs> <second count>"; both counts are fixed, so a check that returned early,
  // skipped designs or lost an instantiation fails here.
  // 6 shapes x 2 dtypes; each design the shape takes ran (refusals are the design check's business); 92 design
  // families, within each of which every design gave equal bits (the unrolled kernel among the packed word's; the
  // resident grid a family per grid size).
  const msda = [718, 92];
  // 16 widths x affine or not x 2 dtypes x (as launched, forced block kernel); all 16 kernel instantiations ran.
  const layerNorm = [128, 16];
  // 5 shapes x 2 dtypes; 37,260 values of the written slots compared (the other slots must stay as poisoned).
  const preprocess = [10, 37260];
  // 6 shapes x 2 logit dtypes x 2 map dtypes on every kernel that takes the shape; all 12 instantiations ran.
  const segformer = [84, 12];
  // Softmax decode 3 shapes, top-k 4 shapes, each with and without exact ties, x 2 dtypes; 33,840 values compared.
  const decode = [28, 33840];
  it.skipIf(!hasNvcc).each([
    [
      'every MSDA kernel design in the emulator: float64 reference, all outputs written, equal bits within a family',
      'msda_emulate_check.cc',
      msda,
    ],
    [
      'both LayerNorm kernels in the emulator at every register layout and past it: float64 reference, all written',
      'layernorm_emulate_check.cc',
      layerNorm,
    ],
    [
      'the preprocess kernel in the emulator: float64 bilinear reference, padding, only its batch slot written',
      'preprocess_emulate_check.cc',
      preprocess,
    ],
    [
      'the SegFormer upsample + argmax kernels in the emulator: float64 reference, first maximum, map fully written',
      'segformer_emulate_check.cc',
      segformer,
    ],
    [
      'the DETR decode kernels in the emulator: first-maximum labels, top-k order with ties, scores and boxes',
      'decode_emulate_check.cc',
      decode,
    ],
  ] as const)(
    '%s',
    (_what, source, counts) => {
      expect(runCheck(nvcc, EMULATE, source)).toEqual(counts);
    },
    180_000,
  );
});
