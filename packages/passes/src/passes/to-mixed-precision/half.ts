// float16 helpers of this pass: the exact conversions live in @trtkit/core; these are the names the pass uses.
import { f16BitsToF32, f32ToF16Bits, float16ToFloat32Array, float32ToFloat16Array } from '@trtkit/core';

export { f16BitsToF32, f32ToF16Bits };

/** float32 values to float16 bit patterns (round to nearest even). */
export const toHalfBits = (src: ArrayLike<number>): Uint16Array => float32ToFloat16Array(src);

/** float16 bit patterns to float32 values (exact). */
export const fromHalfBits = (src: ArrayLike<number>): Float32Array =>
  float16ToFloat32Array(Uint16Array.from(src));

/** Largest finite float16. */
export const HALF_MAX = 65504;

/** Smallest positive normal float16; below it values lose precision (subnormal). */
export const HALF_MIN_NORMAL = 6.103515625e-5;
