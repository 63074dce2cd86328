import { loadImageAddon } from '@trtkit/trt-native';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { OrientedImage } from '../src/image/orientation.js';
import { getRecipe, loadImage, prepareBatch, type RgbImage } from '../src/index.js';
import { resizeNative } from '../src/preprocess/native-resample.js';
import { resampleBilinear } from '../src/preprocess/resample.js';
import { resizedSize } from '../src/preprocess/resize-rules.js';
import { channelTables, writeChw } from '../src/preprocess/to-tensor.js';

const addon = loadImageAddon();

// A small deterministic generator: every case is reproducible from its seed.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function noise(width: number, height: number, rand: () => number): RgbImage {
  // Smooth structure plus noise, so both flat areas and edges are resampled.
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) {
    const p = Math.floor(i / 3);
    data[i] = ((p % width) * 7 + Math.floor(p / width) * 3 + (rand() < 0.2 ? rand() * 255 : 0)) & 255;
  }
  return { width, height, data };
}

// The displayed pixels of a stored image through the addon's orientSync, which trt-native's own test checks
// pixel by pixel against EXIF's definition of each orientation. What is tested here is the resize reading the
// stored pixels along flipped and swapped axes, against the JavaScript resampler on displayed pixels.
function displayed(stored: RgbImage, orientation: number): RgbImage {
  if (orientation === 1) return stored;
  const im = new OrientedImage(stored, orientation, addon!);
  return { width: im.width, height: im.height, data: im.data };
}

describe.runIf(addon)('native resize (image addon) against the JavaScript resampler', () => {
  it('gives the same bytes for every orientation, both filters, up- and downscales, 1-5 threads (200 random cases)', async () => {
    const rand = rng(7);
    const side = () => 1 + Math.floor(rand() ** 2 * 260);
    for (let k = 0; k < 200; k++) {
      const stored = noise(side(), side(), rand);
      const orientation = 1 + (k % 8);
      const method = k % 3 === 0 ? 'pil' : 'torchvision';
      const [h, w] = [side(), side()];
      const image = orientation === 1 ? stored : new OrientedImage(stored, orientation, addon!);
      const ours = await resizeNative(addon!, image, h, w, method, 1 + (k % 5)); // 1..5 threads per image
      const reference = resampleBilinear(displayed(stored, orientation), h, w, method);
      const where = `case ${k}: ${stored.width}x${stored.height} o${orientation} -> ${w}x${h} ${method}`;
      expect(ours.width, where).toBe(w);
      expect(Buffer.compare(Buffer.from(ours.data), Buffer.from(reference.data)), where).toBe(0);
    }
  });

  it('gives the same bytes on rows longer than one native work chunk (680 pixels)', async () => {
    const rand = rng(5);
    const cases: [number, number, number, number, number][] = [
      [1100, 700, 6, 1333, 750], // stored W, H, orientation, output W, H
      [1920, 300, 1, 1500, 200],
      [500, 1200, 8, 1400, 450],
      [700, 690, 3, 681, 683],
    ];
    for (const [sw, sh, orientation, w, h] of cases) {
      const stored = noise(sw, sh, rand);
      const image = orientation === 1 ? stored : new OrientedImage(stored, orientation, addon!);
      const ours = await resizeNative(addon!, image, h, w, 'torchvision', 3);
      const reference = resampleBilinear(displayed(stored, orientation), h, w);
      expect(
        Buffer.compare(Buffer.from(ours.data), Buffer.from(reference.data)),
        `${sw}x${sh} o${orientation}`,
      ).toBe(0);
    }
  });

  it.each([
    [
      'small',
      { kind: 'shortest-edge', shortest: 96, longest: 160 },
      [
        [120, 90],
        [64, 200],
        [300, 40],
      ],
    ],
    [
      'wider than a native chunk',
      { kind: 'shortest-edge', shortest: 700, longest: 1000 },
      [
        [900, 700],
        [300, 1000],
        [1200, 330],
      ],
    ],
  ] as const)(
    'writes the batch tensor the JavaScript path writes: oriented images, padding, masks (%s)',
    async (_, rule, dims) => {
      const rand = rng(11);
      const recipe = getRecipe('detr');
      const stored = dims.map(([w, h]) => noise(w, h, rand));
      const images = [
        new OrientedImage(stored[0]!, 6, addon!),
        stored[1]!,
        new OrientedImage(stored[2]!, 3, addon!),
      ];
      const batch = await prepareBatch(images, rule, recipe.normalize);
      const [, , padH, padW] = batch.pixelValues.dims as number[];
      const expected = new Float32Array(3 * padH! * padW! * 3);
      const tables = channelTables(recipe.normalize);
      images.forEach((im, b) => {
        const [h, w] = resizedSize(rule, im.height, im.width);
        const oriented = displayed(stored[b]!, im instanceof OrientedImage ? im.orientation : 1);
        writeChw(
          resampleBilinear(oriented, h, w),
          recipe.normalize,
          expected,
          b * 3 * padH! * padW!,
          padH!,
          padW!,
          tables,
        );
      });
      expect(Buffer.compare(Buffer.from(batch.pixelValues.data.buffer), Buffer.from(expected.buffer))).toBe(
        0,
      );
      // [height, width] as displayed: orientation 6 swaps the stored sides, 3 keeps them.
      expect(batch.originalSizes).toEqual([
        [dims[0][0], dims[0][1]],
        [dims[1][1], dims[1][0]],
        [dims[2][1], dims[2][0]],
      ]);
      // 1 exactly over each image's top-left h x w, 0 in the padding.
      const mask = batch.pixelMask.data as BigInt64Array;
      const expectedMask = new BigInt64Array(mask.length);
      batch.resizedSizes.forEach(([h, w], b) => {
        for (let y = 0; y < h; y++)
          expectedMask.fill(1n, (b * padH! + y) * padW!, (b * padH! + y) * padW! + w);
      });
      const bytesOf = (a: BigInt64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
      expect(Buffer.compare(bytesOf(mask), bytesOf(expectedMask))).toBe(0);
      // Without a mask input (mask: false) the pixels are the same and the mask is built only when read.
      const lazy = await prepareBatch(images, rule, recipe.normalize, undefined, { mask: false });
      expect(Buffer.compare(Buffer.from(lazy.pixelValues.data.buffer), Buffer.from(expected.buffer))).toBe(0);
      expect(Buffer.compare(bytesOf(lazy.pixelMask.data as BigInt64Array), bytesOf(expectedMask))).toBe(0);
    },
  );

  it('defers EXIF orientation on decode and still shows what the decoder would rotate to (JPEG, orientations 1..8)', async () => {
    const rand = rng(3);
    const raw = noise(37, 23, rand);
    for (let orientation = 1; orientation <= 8; orientation++) {
      const jpeg = await sharp(Buffer.from(raw.data), { raw: { width: 37, height: 23, channels: 3 } })
        .jpeg({ quality: 95 })
        .withMetadata({ orientation })
        .toBuffer();
      const loaded = await loadImage(jpeg);
      const { data, info } = await sharp(jpeg).rotate().raw().toBuffer({ resolveWithObject: true });
      expect([loaded.width, loaded.height], `orientation ${orientation}`).toEqual([info.width, info.height]);
      expect(Buffer.compare(Buffer.from(loaded.data), data), `orientation ${orientation}`).toBe(0);
      // A spread copy carries the displayed pixels too (data is an own, enumerable getter).
      expect(Buffer.compare(Buffer.from({ ...loaded }.data), data)).toBe(0);
    }
  });
});

describe.runIf(addon)('large batch tensors (huge-page memory from the image addon)', () => {
  it('are zeroed, sized as asked, and read correctly by ONNX Runtime', async () => {
    const { OrtBackend } = await import('@trtkit/ort');
    const { encodeModel } = await import('@trtkit/core');
    const { graph, model, node, vi } = await import('../../core/test/shape/build.js');
    const raw = addon!.allocLarge(9 << 20);
    expect(raw.byteLength).toBe(9 << 20);
    const bytes = new Uint8Array(raw);
    let nonzero = 0;
    for (let i = 0; i < bytes.length; i += 4093) nonzero += bytes[i]!;
    expect(nonzero).toBe(0);
    expect(() => addon!.allocLarge(0)).toThrow(/byte length/);
    expect(() => addon!.allocLarge(1.5)).toThrow(/byte length/);

    // A batch large enough to come from allocLarge (3 x 3 x 700 x 1000 x 4 bytes), summed by ONNX Runtime.
    const rand = rng(13);
    const rule = { kind: 'fixed', height: 700, width: 1000 } as const;
    const images = [
      noise(900, 700, rand),
      noise(300, 1000, rand),
      new OrientedImage(noise(500, 200, rand), 6, addon!),
    ];
    const recipe = getRecipe('detr');
    const batch = await prepareBatch(images, rule, recipe.normalize);
    const sumModel = model(
      graph(
        [node('ReduceSum', ['x'], ['s'], { keepdims: 0 }), node('ReduceSum', ['m'], ['t'], { keepdims: 0 })],
        [vi('x', 'float32', ['n', 3, 'h', 'w']), vi('m', 'int64', ['n', 'h', 'w'])],
        [vi('s', 'float32', []), vi('t', 'int64', [])],
      ),
      11,
    );
    const engine = await new OrtBackend().build(encodeModel(sumModel));
    const out = await engine.run({ x: batch.pixelValues, m: batch.pixelMask });
    let sum = 0;
    let magnitude = 0;
    for (const v of batch.pixelValues.data as Float32Array) {
      sum += v;
      magnitude += Math.abs(v);
    }
    // ORT sums in float32: allow its rounding, far below what one misread row (1,000 values of ~1) would change.
    expect(Math.abs(Number((out.s!.data as Float32Array)[0]) - sum)).toBeLessThan(1e-5 * magnitude);
    expect((out.t!.data as BigInt64Array)[0]).toBe(BigInt(3 * 700 * 1000));
    await engine.dispose?.();
  });
});
