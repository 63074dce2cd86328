import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HostTensor, readTensors } from '@trtkit/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  getRecipe,
  loadImage,
  type PreparedBatch,
  prepareBatch,
  type Recipe,
  type RgbImage,
  resizeImage,
} from '../src/index.js';
import type { ResampleMethod } from '../src/preprocess/resample.js';

// transformers 5.17's image processors (default torchvision backend) run on the bundled images: see
// tools/fixtures/processors_parity.py and fixtures/processors/settings.json for settings and what each key holds.
const dir = join(__dirname, '..', '..', '..', 'fixtures', 'processors');
const settings = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as {
  images: Record<string, { loadedSize_WxH: [number, number] }>;
  cases: Record<string, { batched: { images: string[] } }>;
};
const SUB = 8;
const stem = (file: string) => file.replace(/\.\w+$/, '');
const dimsOf = (t: HostTensor) => [...(t.data as BigInt64Array)].map(Number);

const detr = getRecipe('detr');
const recipes: Record<string, Recipe> = {
  detr_default: detr,
  detr_small: { ...detr, resize: { kind: 'shortest-edge', shortest: 96, longest: 160 } },
  rtdetr_default: getRecipe('rt-detr'),
  segformer_default: getRecipe('segformer'),
};
const files = Object.keys(settings.images);

const decoded = new Map<string, RgbImage>();
beforeAll(async () => {
  for (const f of files) decoded.set(f, await loadImage(join(dir, f)));
});

function prepare(
  recipe: Recipe,
  names: readonly string[],
  resample?: ResampleMethod,
): Promise<PreparedBatch> {
  return prepareBatch(
    names.map((f) => decoded.get(f)!),
    recipe.resize,
    recipe.normalize,
    undefined,
    { resample: resample ?? recipe.resample },
  );
}

/** Differences between ours (full [N,C,H,W]) and theirs (full, or every 8th row and column). */
function compare(ours: HostTensor, z: Record<string, HostTensor>, key: 'pixel_values' | 'pixel_mask') {
  const full = z[key];
  const theirs = full ?? z[`${key}_sub${SUB}`]!;
  const step = full ? 1 : SUB;
  const [n, c, h, w] =
    ours.dims.length === 4 ? (ours.dims as number[]) : [ours.dims[0]!, 1, ...ours.dims.slice(1)];
  const [th, tw] = theirs.dims.slice(-2) as [number, number];
  const a = ours.data as Float32Array | BigInt64Array;
  const b = theirs.data as Float32Array | Uint8Array;
  let max = 0;
  let sum = 0;
  for (let i = 0; i < n! * c!; i++) {
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const d = Math.abs(
          Number(a[(i * h! + y * step) * w! + x * step]!) - Number(b[(i * th + y) * tw + x]!),
        );
        max = Math.max(max, d);
        sum += d;
      }
    }
  }
  return { max, mean: sum / (n! * c! * th * tw) };
}

/** float64 sum per channel over the whole tensor: covers the pixels the subsampled arrays skip. */
function channelSums(t: HostTensor): number[] {
  const [n, c, h, w] = t.dims as number[];
  const d = t.data as Float32Array;
  const sums = new Array<number>(c!).fill(0);
  for (let b = 0; b < n!; b++) {
    for (let k = 0; k < c!; k++) {
      const base = (b * c! + k) * h! * w!;
      for (let i = 0; i < h! * w!; i++) sums[k]! += d[base + i]!;
    }
  }
  return sums;
}

function expectSame(ours: PreparedBatch, z: Record<string, HostTensor>): void {
  expect(ours.pixelValues.dims).toEqual(dimsOf(z.pixel_values_shape!));
  // Bit-identical: same 8-bit pixels after resizing, same float32 arithmetic for rescale and normalise.
  expect(compare(ours.pixelValues, z, 'pixel_values').max).toBe(0);
  const want = [...(z.pixel_values_channel_sums!.data as Float64Array)];
  // One 8-bit level anywhere moves a sum by >= 0.0039; what remains is float64 summation order.
  channelSums(ours.pixelValues).forEach((s, k) => {
    expect(Math.abs(s - want[k]!)).toBeLessThan(1e-6);
  });
  if (z.pixel_mask_shape) {
    expect(ours.pixelMask.dims).toEqual(dimsOf(z.pixel_mask_shape));
    expect(compare(ours.pixelMask, z, 'pixel_mask').max).toBe(0);
    const ones = (ours.pixelMask.data as BigInt64Array).reduce((a, v) => a + Number(v), 0);
    expect(ones).toBe(Number((z.pixel_mask_sum!.data as Float64Array)[0]));
  }
}

describe('preprocessing parity with transformers', () => {
  it('decodes the same RGB pixels, EXIF orientation applied', () => {
    for (const f of files) {
      const im = decoded.get(f)!;
      expect([im.width, im.height]).toEqual(settings.images[f]!.loadedSize_WxH);
      const z = readTensors(join(dir, `image_${stem(f)}.npz`));
      const full = z.rgb_uint8_hwc;
      if (full) {
        expect(full.dims).toEqual([im.height, im.width, 3]);
        expect(Buffer.from(im.data).equals(Buffer.from(full.data as Uint8Array))).toBe(true);
      } else {
        expect(dimsOf(z.rgb_uint8_hwc_shape!)).toEqual([im.height, im.width, 3]);
        const sub = z[`rgb_uint8_hwc_sub${SUB}`]!;
        const [sh, sw] = sub.dims as [number, number];
        const d = sub.data as Uint8Array;
        let differing = 0;
        for (let y = 0; y < sh; y++) {
          for (let x = 0; x < sw; x++) {
            for (let c = 0; c < 3; c++) {
              if (d[(y * sw + x) * 3 + c] !== im.data[(y * SUB * im.width + x * SUB) * 3 + c]) differing++;
            }
          }
        }
        expect(differing).toBe(0);
      }
    }
  });

  for (const [name, recipe] of Object.entries(recipes)) {
    it(`${name}: same sizes, pixel values and masks per image (${recipe.name} recipe)`, async () => {
      for (const f of files) {
        const ours = await prepare(recipe, [f]);
        expectSame(ours, readTensors(join(dir, `${name}__${stem(f)}.npz`)));
      }
    });

    it(`${name}: same padded batch and pixel masks`, async () => {
      const ours = await prepare(recipe, settings.cases[name]!.batched.images);
      expectSame(ours, readTensors(join(dir, `${name}__batch.npz`)));
    });
  }

  // The other filters, measured against the same fixtures (docs/benchmarks/preprocess.md lists the numbers):
  // Pillow's 22-bit weights round a few pixels one 8-bit level differently from torch's int16 weights (one level is
  // 1/255/std = 0.0175 after ImageNet normalisation); libvips samples differently and is far off on upscales.
  for (const [method, maxBound, meanBound] of [
    ['pil', 0.0176, 5e-4],
    ['libvips', 0.5, 0.04],
  ] as const) {
    it(`'${method}' resampling stays within its measured distance (max ${maxBound}, mean ${meanBound})`, async () => {
      let max = 0;
      let mean = 0;
      for (const [name, recipe] of Object.entries(recipes)) {
        for (const f of files) {
          const ours = await prepare(recipe, [f], method);
          const z = readTensors(join(dir, `${name}__${stem(f)}.npz`));
          expect(ours.pixelValues.dims).toEqual(dimsOf(z.pixel_values_shape!));
          const d = compare(ours.pixelValues, z, 'pixel_values');
          max = Math.max(max, d.max);
          mean = Math.max(mean, d.mean);
        }
      }
      expect(max).toBeGreaterThan(0); // not the default filter in disguise
      expect(max).toBeLessThan(maxBound);
      expect(mean).toBeLessThan(meanBound);
    });
  }
});

// 'pil' against Pillow itself, where this machine has it (Debian: python3-pil): same bytes for up- and downscales.
const python = '/usr/bin/python3';
const hasPillow =
  existsSync(python) &&
  spawnSync(python, ['-c', 'import PIL.Image, PIL.ImageOps'], { stdio: 'ignore' }).status === 0;

describe.runIf(hasPillow)("'pil' resampling against Pillow", () => {
  const cases = [
    ['val_0.png', 800, 800],
    ['photo_640x480.jpg', 96, 128],
    ['photo_1920x1080_exif6.jpg', 1333, 750],
  ] as const;
  it('gives the same 8-bit pixels as Image.resize(BILINEAR)', async () => {
    const script = [
      'import sys, PIL.Image as I, PIL.ImageOps as O',
      'for a in sys.argv[1:]:',
      '    f, h, w = a.split(",")',
      '    im = O.exif_transpose(I.open(f)).convert("RGB")',
      '    sys.stdout.buffer.write(im.resize((int(w), int(h)), I.BILINEAR).tobytes())',
    ].join('\n');
    const r = spawnSync(python, ['-c', script, ...cases.map(([f, h, w]) => `${join(dir, f)},${h},${w}`)], {
      maxBuffer: 1 << 26,
    });
    expect(r.status).toBe(0);
    let at = 0;
    for (const [f, h, w] of cases) {
      const want = r.stdout.subarray(at, at + h * w * 3);
      at += h * w * 3;
      const ours = await resizeImage(decoded.get(f)!, h, w, 'pil');
      expect(Buffer.from(ours.data).equals(want)).toBe(true);
    }
    expect(at).toBe(r.stdout.length);
  });
});
