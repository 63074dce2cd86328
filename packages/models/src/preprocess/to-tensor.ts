import { loadImageAddon } from '@trtkit/trt-native';
import sharp from 'sharp';
import type { RgbImage } from '../image/load-image.js';
import { resizeNative } from './native-resample.js';
import { type ResampleMethod, resampleBilinear } from './resample.js';
import { type ResizeRule, resizedSize } from './resize-rules.js';

export interface Normalization {
  /** Multiplies 0..255 values first (1/255 for every family here). */
  readonly rescale: number;
  /** Per-channel mean and std after rescaling; omitted: no normalisation (RT-DETR). */
  readonly mean?: readonly [number, number, number];
  readonly std?: readonly [number, number, number];
}

export const IMAGENET: Normalization = {
  rescale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

/** transformers' default (torchvision backend): the tensors users compare against. */
export const DEFAULT_RESAMPLE: ResampleMethod = 'torchvision';

/** Resizes with bilinear filtering (see `ResampleMethod`); no-op when the size already matches. */
export async function resizeImage(
  image: RgbImage,
  height: number,
  width: number,
  method: ResampleMethod = DEFAULT_RESAMPLE,
): Promise<RgbImage> {
  if (image.height === height && image.width === width) return image;
  if (method !== 'libvips') {
    const addon = loadImageAddon();
    return addon
      ? resizeNative(addon, image, height, width, method)
      : resampleBilinear(image, height, width, method);
  }
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { kernel: 'linear', fit: 'fill' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export async function applyResize(
  image: RgbImage,
  rule: ResizeRule,
  method: ResampleMethod = DEFAULT_RESAMPLE,
): Promise<RgbImage> {
  const [h, w] = resizedSize(rule, image.height, image.width);
  return resizeImage(image, h, w, method);
}

/**
 * The float32 value of each 8-bit level per channel, computed in the order and precision transformers' default
 * (torchvision) image processors use, so tensors agree bit for bit: with normalisation, rescale is folded into mean
 * and std (`mean / rescale`, `std / rescale` as float32) and the value is `(x - mean) / std` in float32; without it,
 * `x * rescale` in float32.
 */
export function channelTables(norm: Normalization): [Float32Array, Float32Array, Float32Array] {
  const f = Math.fround;
  const inv = f(1 / norm.rescale);
  return [0, 1, 2].map((c) => {
    const table = new Float32Array(256);
    if (norm.mean && norm.std) {
      const mean = f(f(norm.mean[c]!) * inv);
      const std = f(f(norm.std[c]!) * inv);
      for (let x = 0; x < 256; x++) table[x] = f(f(x - mean) / std);
    } else {
      const scale = f(norm.rescale);
      for (let x = 0; x < 256; x++) table[x] = f(x * scale);
    }
    return table;
  }) as [Float32Array, Float32Array, Float32Array];
}

/**
 * Writes an RGB image as normalised CHW float32 into `out` (a [3, padH, padW] plane set) at the top-left corner;
 * the rest stays as it was (zero padding).
 */
export function writeChw(
  image: RgbImage,
  norm: Normalization,
  out: Float32Array,
  offset: number,
  padH: number,
  padW: number,
  tables: readonly Float32Array[] = channelTables(norm),
): void {
  const { width, height, data } = image;
  const plane = padH * padW;
  const [t0, t1, t2] = tables as [Float32Array, Float32Array, Float32Array];
  // One pass over the interleaved source, writing the three planes side by side.
  for (let y = 0; y < height; y++) {
    let o = offset + y * padW;
    let s = y * width * 3;
    const end = o + width;
    for (; o < end; o++, s += 3) {
      out[o] = t0[data[s]!]!;
      out[o + plane] = t1[data[s + 1]!]!;
      out[o + 2 * plane] = t2[data[s + 2]!]!;
    }
  }
}
