export type { NodeSelector } from './classify.js';
export { agreement, type OutputAgreement, type Tolerance as Fp16Tolerance } from './compare.js';
export { emulateHalf } from './emulate.js';
export { f16BitsToF32, f32ToF16Bits, fromHalfBits, HALF_MAX, HALF_MIN_NORMAL, toHalfBits } from './half.js';
export { analyseRanges, type TensorRange } from './ranges.js';
export {
  convertMixedPrecision,
  type Island,
  type MixedPrecisionOptions,
  type MixedPrecisionResult,
  mixedPrecision,
  toMixedPrecision,
} from './to-mixed-precision.js';
