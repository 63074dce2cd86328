import { describe, expect, it } from 'vitest';
import { f16BitsToF32, f32ToF16Bits, HALF_MAX } from '../../../src/passes/to-mixed-precision/half.js';

describe('float16 conversion', () => {
  it('round-trips all 65536 bit patterns (NaNs stay NaN)', () => {
    let bad = 0;
    for (let h = 0; h < 0x10000; h++) {
      const x = f16BitsToF32(h);
      const back = f32ToF16Bits(x);
      if (Number.isNaN(x)) {
        if (!Number.isNaN(f16BitsToF32(back))) bad++;
      } else if (back !== h) bad++;
    }
    expect(bad).toBe(0);
  });

  it('rounds to nearest, ties to even, at every gap between neighbouring finite values', () => {
    let bad = 0;
    for (const sign of [0, 0x8000]) {
      for (let h = 0; h < 0x7bff; h++) {
        const lo = f16BitsToF32(sign | h);
        const hi = f16BitsToF32(sign | (h + 1));
        const mid = (lo + hi) / 2; // exact in float32: the gap is a power of two >= 2^-24
        const even = (h & 1) === 0 ? sign | h : sign | (h + 1);
        if (f32ToF16Bits(mid) !== even) bad++;
        // one float32 ulp closer to zero than the midpoint: rounds to the smaller magnitude
        const below = new Float32Array([mid]);
        const u = new Uint32Array(below.buffer);
        u[0] = (u[0] as number) - 1;
        const nearLo = sign | h;
        if (f32ToF16Bits(below[0] as number) !== nearLo) bad++;
      }
    }
    expect(bad).toBe(0);
  });

  it('overflows to Inf past the largest finite value and flushes below half the smallest subnormal', () => {
    expect(f16BitsToF32(f32ToF16Bits(HALF_MAX))).toBe(HALF_MAX);
    expect(f16BitsToF32(f32ToF16Bits(65519))).toBe(HALF_MAX); // below the midpoint to 65536
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // the midpoint rounds to even: Inf
    expect(f32ToF16Bits(-1e6)).toBe(0xfc00);
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // tie between 0 and the smallest subnormal: even is 0
    expect(f32ToF16Bits(2 ** -25 * 1.0001)).toBe(1);
    expect(f16BitsToF32(1)).toBe(2 ** -24);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(Number.NaN)))).toBe(true);
  });
});
