import { float32ToFloat16Array, tensor } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import { msdaReference } from '../src/index.js';

// One level 2x2, one head, one channel: value[h][w] = [[1, 2], [3, 4]].
const value = tensor('float32', [1, 4, 1, 1], Float32Array.from([1, 2, 3, 4]));
const shapes = tensor('int32', [1, 2], Int32Array.from([2, 2]));
const starts = tensor('int32', [1], Int32Array.from([0]));

function sample(points: [number, number][], weights: number[]) {
  const loc = tensor('float32', [1, 1, 1, 1, points.length, 2], Float32Array.from(points.flat()));
  const aw = tensor('float32', [1, 1, 1, 1, points.length], Float32Array.from(weights));
  return msdaReference(value, shapes, starts, loc, aw).data[0]!;
}

describe('msdaReference', () => {
  it('reads pixel centres exactly (x = (w + 0.5) / W)', () => {
    expect(sample([[0.25, 0.25]], [1])).toBeCloseTo(1, 12);
    expect(sample([[0.75, 0.25]], [1])).toBeCloseTo(2, 12);
    expect(sample([[0.25, 0.75]], [1])).toBeCloseTo(3, 12);
    expect(sample([[0.75, 0.75]], [1])).toBeCloseTo(4, 12);
  });

  it('interpolates bilinearly between centres and weights each point', () => {
    expect(sample([[0.5, 0.5]], [1])).toBeCloseTo(2.5, 12);
    expect(sample([[0.5, 0.25]], [1])).toBeCloseTo(1.5, 12);
    expect(
      sample(
        [
          [0.25, 0.25],
          [0.75, 0.75],
        ],
        [0.25, 0.5],
      ),
    ).toBeCloseTo(0.25 * 1 + 0.5 * 4, 12);
  });

  it('pads with zeros outside the image (grid_sample padding_mode=zeros)', () => {
    // x = 0 is half a pixel left of the first centre: half of value[0][0].
    expect(sample([[0, 0.25]], [1])).toBeCloseTo(0.5, 12);
    // At a corner only a quarter of the corner pixel remains.
    expect(sample([[0, 0]], [1])).toBeCloseTo(0.25, 12);
    expect(sample([[1, 1]], [1])).toBeCloseTo(1, 12);
    expect(sample([[-0.5, 0.5]], [1])).toBe(0);
    expect(sample([[0.5, 1.5]], [1])).toBe(0);
  });

  it('addresses levels, heads and channels through the layout', () => {
    // Two levels (1x1 holding 10 / 20 and 1x2), two heads, two channels.
    // value[n=0][s][m][d]: s=0 is level 0; s=1,2 are level 1.
    const v = tensor(
      'float32',
      [1, 3, 2, 2],
      // s=0: head0 (10, 11), head1 (20, 21); s=1: (1, 2), (3, 4); s=2: (5, 6), (7, 8)
      Float32Array.from([10, 11, 20, 21, 1, 2, 3, 4, 5, 6, 7, 8]),
    );
    const sh = tensor('int32', [2, 2], Int32Array.from([1, 1, 1, 2]));
    const st = tensor('int32', [2], Int32Array.from([0, 1]));
    // One query; per head: level 0 point at the centre, level 1 point at the centre of its second pixel.
    const loc = tensor(
      'float32',
      [1, 1, 2, 2, 1, 2],
      Float32Array.from([0.5, 0.5, 0.75, 0.5, 0.5, 0.5, 0.75, 0.5]),
    );
    const aw = tensor('float32', [1, 1, 2, 2, 1], Float32Array.from([1, 2, 0.5, 1]));
    const out = msdaReference(v, sh, st, loc, aw);
    expect(out.dims).toEqual([1, 1, 2, 2]);
    expect(Array.from(out.data)).toEqual([10 + 2 * 5, 11 + 2 * 6, 0.5 * 20 + 7, 0.5 * 21 + 8]);
  });

  it('accepts float16 value and weights', () => {
    const v16 = tensor('float16', [1, 4, 1, 1], float32ToFloat16Array([1, 2, 3, 4]));
    const loc = tensor('float32', [1, 1, 1, 1, 1, 2], Float32Array.from([0.5, 0.5]));
    const aw = tensor('float16', [1, 1, 1, 1, 1], float32ToFloat16Array([0.5]));
    expect(msdaReference(v16, shapes, starts, loc, aw).data[0]).toBeCloseTo(1.25, 12);
  });
});
