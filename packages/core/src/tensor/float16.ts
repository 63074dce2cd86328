// Exact float16/bfloat16 <-> float32 conversions (round-to-nearest-even, subnormals, inf/nan).
// Bit-level so results never depend on float64 double rounding.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 -> IEEE binary16 bits, round-to-nearest-even; NaN stays NaN (quiet), overflow -> inf. */
export function f32ToF16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0] as number;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const man = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man !== 0 ? 0x200 | (man >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal (or zero) in f16: shift the full significand, round half to even.
    if (e < -10) return sign;
    const m = man | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let r = m >>> shift;
    if (rest > half || (rest === half && (r & 1) === 1)) r += 1;
    return sign | r;
  }
  let r = (e << 10) | (man >>> 13);
  const rest = man & 0x1fff;
  // Carry into the exponent is correct: it rounds up to the next binade or to inf.
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1) === 1)) r += 1;
  return sign | r;
}

/** IEEE binary16 bits -> float32 value (exact). */
export function f16BitsToF32(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const man = h & 0x3ff;
  if (exp === 0x1f) u32[0] = sign | 0x7f800000 | (man << 13);
  else if (exp === 0) {
    if (man === 0) u32[0] = sign;
    else {
      // Normalise the subnormal: value = man * 2^-24.
      let m = man;
      let e = 127 - 15 + 1;
      while ((m & 0x400) === 0) {
        m <<= 1;
        e -= 1;
      }
      u32[0] = sign | (e << 23) | ((m & 0x3ff) << 13);
    }
  } else u32[0] = sign | ((exp - 15 + 127) << 23) | (man << 13);
  return f32[0] as number;
}

/** float32 -> bfloat16 bits, round-to-nearest-even; NaN stays NaN. */
export function f32ToBf16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0] as number;
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff;
  const lsb = (b >>> 16) & 1;
  return ((b + 0x7fff + lsb) >>> 16) & 0xffff;
}

/** bfloat16 bits -> float32 value (exact). */
export function bf16BitsToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0] as number;
}

export function float16ToFloat32Array(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f16BitsToF32(src[i] as number);
  return out;
}

export function float32ToFloat16Array(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32ToF16Bits(src[i] as number);
  return out;
}

export function bfloat16ToFloat32Array(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = bf16BitsToF32(src[i] as number);
  return out;
}

export function float32ToBfloat16Array(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = f32ToBf16Bits(src[i] as number);
  return out;
}
