import { type HostTensor, tensor } from '@trtkit/core';
import { ImageLayoutError } from '../errors.js';
import type { RgbImage } from '../image/load-image.js';
import type { ResampleMethod } from './resample.js';
import type { ResizeRule } from './resize-rules.js';
import { applyResize, channelTables, DEFAULT_RESAMPLE, type Normalization, writeChw } from './to-tensor.js';

export interface PreparedBatch {
  /** [N, 3, H, W] float32, each image at the top-left, zero padding bottom/right. */
  readonly pixelValues: HostTensor<'float32'>;
  /** [N, H, W] int64: 1 where a pixel belongs to the image, 0 in padding. */
  readonly pixelMask: HostTensor<'int64'>;
  /** Sizes before resizing (boxes and masks are reported in these). */
  readonly originalSizes: readonly (readonly [number, number])[];
  /** Sizes after resizing, before padding. */
  readonly resizedSizes: readonly (readonly [number, number])[];
}

export interface PrepareOptions {
  /** How to resize (default: 'torchvision', transformers' default image processors). */
  readonly resample?: ResampleMethod;
}

/** Resizes, normalises and pads images into one batch; `padTo` fixes the padded size (static-shape models). */
export async function prepareBatch(
  images: readonly RgbImage[],
  rule: ResizeRule,
  norm: Normalization,
  padTo?: readonly [number, number],
  options: PrepareOptions = {},
): Promise<PreparedBatch> {
  const method = options.resample ?? DEFAULT_RESAMPLE;
  const resized = await Promise.all(images.map((im) => applyResize(im, rule, method)));
  const padH = padTo?.[0] ?? Math.max(...resized.map((r) => r.height));
  const padW = padTo?.[1] ?? Math.max(...resized.map((r) => r.width));
  for (const r of resized) {
    if (r.height > padH || r.width > padW) {
      throw new ImageLayoutError(
        `a ${r.height}x${r.width} image does not fit the model's ${padH}x${padW} input`,
        {
          hint: 'the recipe resize rule must not exceed the static input size',
        },
      );
    }
  }
  const n = images.length;
  const values = new Float32Array(n * 3 * padH * padW);
  const mask = new BigInt64Array(n * padH * padW);
  const tables = channelTables(norm);
  resized.forEach((im, b) => {
    writeChw(im, norm, values, b * 3 * padH * padW, padH, padW, tables);
    for (let y = 0; y < Math.min(im.height, padH); y++)
      mask.fill(1n, b * padH * padW + y * padW, b * padH * padW + y * padW + Math.min(im.width, padW));
  });
  return {
    pixelValues: tensor('float32', [n, 3, padH, padW], values),
    pixelMask: tensor('int64', [n, padH, padW], mask),
    originalSizes: images.map((im) => [im.height, im.width] as const),
    resizedSizes: resized.map((im) => [im.height, im.width] as const),
  };
}
