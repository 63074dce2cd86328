import { describe, expect, it } from 'vitest';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../../src/tensor/float16.js';

// Independent reference: decode binary16 by float64 arithmetic (exact for every f16 value).
function refF16(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  if (e === 0) return s * m * 2 ** -24;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function bitsToF32(b: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setUint32(0, b >>> 0);
  return dv.getFloat32(0);
}

// Nearest of two candidates by float64 distance, ties to the even pattern.
function pickNearest(x: number, lo: number, hi: number, vlo: number, vhi: number): number {
  const dl = Math.abs(x - vlo);
  const dh = Math.abs(vhi - x);
  if (dl < dh) return lo;
  if (dh < dl) return hi;
  return (lo & 1) === 0 ? lo : hi;
}

describe('float16', () => {
  it('decodes all 65536 patterns exactly', () => {
    for (let h = 0; h < 65536; h++) {
      const got = f16BitsToF32(h);
      const want = refF16(h);
      if (Number.isNaN(want)) expect(Number.isNaN(got)).toBe(true);
      else if (!Object.is(got, want)) expect({ h, got }).toEqual({ h, got: want });
    }
  });

  it('round-trips every non-NaN pattern and keeps NaN NaN', () => {
    for (let h = 0; h < 65536; h++) {
      const r = f32ToF16Bits(f16BitsToF32(h));
      if (Number.isNaN(refF16(h))) expect(Number.isNaN(refF16(r))).toBe(true);
      else if (r !== h) expect(r).toBe(h);
    }
  });

  it('rounds midpoints to even and neighbours of midpoints to nearest', () => {
    for (let h = 0; h < 0x7bff; h++) {
      const a = refF16(h);
      const b = refF16(h + 1);
      const mid = (a + b) / 2; // representable in f32: f16 has 11 significant bits
      expect(Math.fround(mid)).toBe(mid);
      const even = (h & 1) === 0 ? h : h + 1;
      expect(f32ToF16Bits(mid)).toBe(even);
      expect(f32ToF16Bits(-mid)).toBe(even | 0x8000);
      for (const x of [Math.fround(mid * (1 - 2 ** -23)), Math.fround(mid * (1 + 2 ** -23))]) {
        if (x <= a || x >= b) continue;
        expect(f32ToF16Bits(x)).toBe(pickNearest(x, h, h + 1, a, b));
      }
    }
  });

  it('handles overflow, underflow and specials', () => {
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(65519.99)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00);
    expect(f32ToF16Bits(1e10)).toBe(0x7c00);
    expect(f32ToF16Bits(-Infinity)).toBe(0xfc00);
    expect(f32ToF16Bits(2 ** -25)).toBe(0); // exact half of min subnormal: ties to even (0)
    expect(f32ToF16Bits(Math.fround(2 ** -25 * 1.0001))).toBe(1);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(Number.NaN)))).toBe(true);
  });
});

describe('bfloat16', () => {
  it('decodes all 65536 patterns to the f32 with the same top bits', () => {
    for (let h = 0; h < 65536; h++) {
      const got = bf16BitsToF32(h);
      const want = bitsToF32(h << 16);
      if (Number.isNaN(want)) expect(Number.isNaN(got)).toBe(true);
      else if (!Object.is(got, want)) expect(got).toBe(want);
    }
  });

  it('rounds seeded random f32 values to nearest-even', () => {
    let s = 12345;
    const rnd = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s;
    };
    for (let i = 0; i < 200000; i++) {
      // Mix uniform bit patterns with exact ties (low 16 bits = 0x8000).
      let b = rnd();
      if (i % 4 === 0) b = ((b & 0xffff0000) | 0x8000) >>> 0;
      const x = bitsToF32(b);
      if (!Number.isFinite(x)) continue;
      const lo = b >>> 16;
      const hi = lo + 1;
      const vlo = bitsToF32(lo << 16);
      let vhi = bitsToF32(hi << 16);
      // Past the largest finite value IEEE rounding behaves as if the next value were 2^128 (then inf).
      if (!Number.isFinite(vhi)) vhi = Math.sign(vlo) * 2 ** 128;
      const want = pickNearest(Math.abs(x), lo, hi, Math.abs(vlo), Math.abs(vhi));
      const got = f32ToBf16Bits(x);
      if (got !== (want & 0xffff)) expect({ b, got }).toEqual({ b, got: want & 0xffff });
    }
    expect(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(Number.NaN)))).toBe(true);
  });
});
