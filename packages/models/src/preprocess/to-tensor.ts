import sharp from 'sharp';
import type { RgbImage } from '../image/load-image.js';
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

/** Resizes with bilinear filtering (sharp/libvips); no-op when the size already matches. */
export async function resizeImage(image: RgbImage, height: number, width: number): Promise<RgbImage> {
  if (image.height === height && image.width === width) return image;
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { kernel: 'linear', fit: 'fill' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

export async function applyResize(image: RgbImage, rule: ResizeRule): Promise<RgbImage> {
  const [h, w] = resizedSize(rule, image.height, image.width);
  return resizeImage(image, h, w);
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
): void {
  const { width, height, data } = image;
  const plane = padH * padW;
  for (let c = 0; c < 3; c++) {
    const scale = norm.rescale / (norm.std?.[c] ?? 1);
    const shift = (norm.mean?.[c] ?? 0) / (norm.std?.[c] ?? 1);
    const base = offset + c * plane;
    for (let y = 0; y < height; y++) {
      const row = base + y * padW;
      const src = y * width * 3 + c;
      for (let x = 0; x < width; x++) out[row + x] = data[src + x * 3]! * scale - shift;
    }
  }
}
