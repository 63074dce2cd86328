import type { RgbImage } from '../image/load-image.js';

/**
 * How images are resized:
 * - `torchvision`: bilinear with antialiasing on downscale, 8-bit fixed-point as torch's uint8 CPU kernel does
 *   (int16 weights, precision chosen per axis). transformers 5's default image processors resize this way.
 * - `pil`: the same triangle filter with Pillow's fixed 22-bit weights: transformers' PIL backend
 *   (`<Model>ImageProcessorPil`, and the default, slow processors of transformers 4).
 * - `libvips`: sharp's bilinear kernel. Fastest (SIMD), but it samples differently: up to 28 of 255 levels (0.49
 *   after ImageNet normalisation) off on upscales (docs/benchmarks/preprocess.md).
 */
export type ResampleMethod = 'torchvision' | 'pil' | 'libvips';

/** Per output index along one axis: the first input index, the tap count, fixed-point weights and their scale. */
export interface AxisWeights {
  readonly start: Int32Array;
  readonly taps: Int32Array;
  /** `outSize * ksize` weights, row `i` for output `i`. */
  readonly weights: Int32Array;
  readonly ksize: number;
  /** Weights are real weights times 2**precision. */
  readonly precision: number;
}

// Pillow: PRECISION_BITS = 32 - 8 - 2.
const PIL_PRECISION = 22;

function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

/**
 * The triangle (bilinear) filter sampled at output pixel centres; on downscale its support widens by the scale
 * factor, which is what makes it antialiased. Weights are computed in double and normalised to sum to one per output
 * pixel, then rounded to fixed point the way each reference does.
 */
export function axisWeights(inSize: number, outSize: number, method: 'torchvision' | 'pil'): AxisWeights {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the triangle's support is 1, widened by the downscale factor
  const ksize = Math.ceil(support) * 2 + 1;
  const real = new Float64Array(outSize * ksize);
  const start = new Int32Array(outSize);
  const taps = new Int32Array(outSize);
  let wMax = 0;
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    // C casts truncate toward zero; the clamps make that the same as floor here.
    const lo = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - lo;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const w = triangle((j + lo - center + 0.5) / filterScale);
      real[i * ksize + j] = w;
      total += w;
    }
    for (let j = 0; j < n; j++) {
      if (total !== 0) real[i * ksize + j]! /= total;
      if (real[i * ksize + j]! > wMax) wMax = real[i * ksize + j]!;
    }
    start[i] = lo;
    taps[i] = n;
  }
  let precision = PIL_PRECISION;
  if (method === 'torchvision') {
    // torch keeps weights in int16: the largest precision whose rounded maximum weight still fits.
    precision = 0;
    while (precision < 22 && Math.trunc(0.5 + wMax * 2 ** (precision + 1)) < 1 << 15) precision++;
  }
  const weights = new Int32Array(outSize * ksize);
  const one = 2 ** precision;
  for (let k = 0; k < real.length; k++) {
    const v = real[k]!;
    weights[k] = v < 0 ? Math.trunc(-0.5 + v * one) : Math.trunc(0.5 + v * one);
  }
  return { start, taps, weights, ksize, precision };
}

// Sums stay below 2**31 (255 times weights summing to 2**precision <= 2**22), so `>>` is an exact floor.
function clampShift(sum: number, precision: number): number {
  const v = sum >> precision;
  return v < 0 ? 0 : Math.min(v, 255);
}

/** Resizes along x only: each output pixel is a weighted sum of a run of input pixels in its row. */
function horizontal(src: RgbImage, outW: number, ax: AxisWeights): Uint8Array {
  const { width: inW, height: h, data } = src;
  const out = new Uint8Array(outW * h * 3);
  const half = 2 ** (ax.precision - 1);
  const { start, taps, weights, ksize, precision } = ax;
  for (let y = 0; y < h; y++) {
    const row = y * inW * 3;
    const orow = y * outW * 3;
    for (let x = 0; x < outW; x++) {
      let r = half;
      let g = half;
      let b = half;
      let p = row + start[x]! * 3;
      const kb = x * ksize;
      const n = taps[x]!;
      for (let j = 0; j < n; j++, p += 3) {
        const k = weights[kb + j]!;
        r += data[p]! * k;
        g += data[p + 1]! * k;
        b += data[p + 2]! * k;
      }
      const o = orow + x * 3;
      out[o] = clampShift(r, precision);
      out[o + 1] = clampShift(g, precision);
      out[o + 2] = clampShift(b, precision);
    }
  }
  return out;
}

/** Resizes along y only: each output row is a weighted sum of a run of input rows. */
function vertical(src: RgbImage, outH: number, ay: AxisWeights): Uint8Array {
  const { width: w, data } = src;
  const stride = w * 3;
  const out = new Uint8Array(outH * stride);
  // Integer accumulators (sums stay below 2**31, see clampShift): a row at a time keeps reads sequential.
  const acc = new Int32Array(stride);
  const half = 2 ** (ay.precision - 1);
  const { start, taps, weights, ksize, precision } = ay;
  for (let y = 0; y < outH; y++) {
    acc.fill(half);
    const kb = y * ksize;
    for (let j = 0; j < taps[y]!; j++) {
      const k = weights[kb + j]!;
      const row = (start[y]! + j) * stride;
      for (let i = 0; i < stride; i++) acc[i] = (acc[i]! + data[row + i]! * k) | 0;
    }
    const orow = y * stride;
    for (let i = 0; i < stride; i++) out[orow + i] = clampShift(acc[i]!, precision);
  }
  return out;
}

/**
 * Bilinear resize as Pillow and torchvision compute it: separable, horizontal pass first, each pass rounded back to
 * 8 bits, the filter widened by the scale factor on downscale (antialiasing). Same-size axes are skipped.
 */
export function resampleBilinear(
  image: RgbImage,
  height: number,
  width: number,
  method: 'torchvision' | 'pil' = 'torchvision',
): RgbImage {
  let cur = image;
  if (width !== image.width) {
    const data = horizontal(cur, width, axisWeights(image.width, width, method));
    cur = { width, height: image.height, data };
  }
  if (height !== image.height) {
    const data = vertical(cur, height, axisWeights(image.height, height, method));
    cur = { width, height, data };
  }
  return cur === image ? { width, height, data: image.data } : cur;
}
