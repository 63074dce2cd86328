import { float32ToFloat16Array, tensor } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import { layerNormReference } from '../src/index.js';

describe('layerNormReference', () => {
  it('normalises each row over the last axis', () => {
    const x = tensor('float32', [2, 4], Float32Array.from([1, 2, 3, 4, 10, 10, 10, 10]));
    const y = layerNormReference(x, undefined, undefined, 0);
    // Row 0: mean 2.5, variance 1.25.
    const s = Math.sqrt(1.25);
    expect(Array.from(y.data.slice(0, 4))).toEqual(
      [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s].map((v) => Math.fround(v)),
    );
    // Row 1 is constant: zero variance gives zeros (eps = 0 would divide 0 by 0 without the sum being exact).
    const y2 = layerNormReference(x, undefined, undefined, 1e-5);
    expect(Array.from(y2.data.slice(4))).toEqual([0, 0, 0, 0]);
  });

  it('applies eps, gamma and beta', () => {
    const x = tensor('float32', [1, 2], Float32Array.from([0, 2]));
    const g = tensor('float32', [2], Float32Array.from([2, 3]));
    const b = tensor('float32', [2], Float32Array.from([1, -1]));
    // mean 1, variance 1, eps 3: rstd = 0.5 -> normalised (-0.5, 0.5)
    const y = layerNormReference(x, g, b, 3);
    expect(Array.from(y.data)).toEqual([2 * -0.5 + 1, 3 * 0.5 - 1]);
  });

  it('reads float16 input', () => {
    const x = tensor('float16', [1, 2], float32ToFloat16Array([-1, 1]));
    const y = layerNormReference(x, undefined, undefined, 0);
    expect(Array.from(y.data)).toEqual([-1, 1]);
  });
});
