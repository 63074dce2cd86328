import { tensor } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import { bilinearSource, preprocessReference } from '../src/index.js';

const identity = { mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255] }; // output = raw 0..255 value

describe('bilinearSource (PyTorch align_corners=False)', () => {
  it('matches F.interpolate indices for 2 -> 4 and 4 -> 2', () => {
    // 2 -> 4: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (upper neighbour clamped).
    expect([0, 1, 2, 3].map((x) => bilinearSource(x, 2, 4))).toEqual([
      { i0: 0, i1: 1, lambda: 0 },
      { i0: 0, i1: 1, lambda: 0.25 },
      { i0: 0, i1: 1, lambda: 0.75 },
      { i0: 1, i1: 1, lambda: 0.25 },
    ]);
    // 4 -> 2: sources 0.5 and 2.5, the mean of each pair.
    expect(bilinearSource(1, 4, 2)).toEqual({ i0: 2, i1: 3, lambda: 0.5 });
  });
});

describe('preprocessReference', () => {
  it('upsamples a row [0, 255] to [0, 63.75, 191.25, 255] like F.interpolate', () => {
    // 1x2 image, each pixel grey.
    const img = tensor('uint8', [1, 2, 3], Uint8Array.from([0, 0, 0, 255, 255, 255]));
    const out = preprocessReference(img, { outH: 1, outW: 4, ...identity });
    expect(Array.from(out.data.slice(0, 4)).map((v) => Math.round(v * 100) / 100)).toEqual([
      0, 63.75, 191.25, 255,
    ]);
  });

  it('normalises per channel and writes CHW', () => {
    const img = tensor('uint8', [1, 1, 3], Uint8Array.from([255, 0, 51]));
    const out = preprocessReference(img, { outH: 1, outW: 1, mean: [0.5, 0.5, 0.2], std: [0.5, 0.25, 0.1] });
    expect(out.dims).toEqual([3, 1, 1]);
    expect(out.data[0]).toBeCloseTo(1, 6);
    expect(out.data[1]).toBeCloseTo(-2, 6);
    expect(out.data[2]).toBeCloseTo(0, 6);
  });

  it('pads the canvas right and below the resized image', () => {
    const img = tensor('uint8', [2, 2, 3], new Uint8Array(12).fill(255));
    const out = preprocessReference(img, { outH: 3, outW: 3, resize: [2, 2], ...identity, padValue: -7 });
    const plane = Array.from(out.data.slice(0, 9)).map((v) => Math.round(v));
    expect(plane).toEqual([255, 255, -7, 255, 255, -7, -7, -7, -7]);
  });

  it('downsamples 4 -> 2 by averaging pairs', () => {
    const row = [0, 10, 20, 30];
    const img = tensor('uint8', [1, 4, 3], Uint8Array.from(row.flatMap((v) => [v, v, v])));
    const out = preprocessReference(img, { outH: 1, outW: 2, ...identity });
    expect(Array.from(out.data.slice(0, 2)).map((v) => Math.round(v * 1000) / 1000)).toEqual([5, 25]);
  });
});
