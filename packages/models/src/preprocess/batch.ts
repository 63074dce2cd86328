import { type HostTensor, tensor } from '@trtkit/core';
import { loadImageAddon } from '@trtkit/trt-native';
import { ImageLayoutError } from '../errors.js';
import { type ImageInput, type ProbedImage, probeImage, type RgbImage } from '../image/load-image.js';
import { allocOutput, packTables, resizeToPlanesNative, threadsPerImage } from './native-resample.js';
import type { ResampleMethod } from './resample.js';
import { type ResizeRule, resizedSize } from './resize-rules.js';
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

/** A batch prepared from inputs, with the decoded images (for drawing results on them). */
export interface PreparedInputs extends PreparedBatch {
  readonly images: readonly RgbImage[];
}

export interface PrepareOptions {
  /** How to resize (default: 'torchvision', transformers' default image processors). */
  readonly resample?: ResampleMethod;
  /**
   * Whether the model reads the pixel mask (default true). When false, `pixelMask` is built only if read: an int64
   * mask is twice the size of the float32 pixels per channel, too much to fill for models without a mask input.
   */
  readonly mask?: boolean;
}

/** Resizes, normalises and pads images into one batch; `padTo` fixes the padded size (static-shape models). */
export function prepareBatch(
  images: readonly RgbImage[],
  rule: ResizeRule,
  norm: Normalization,
  padTo?: readonly [number, number],
  options: PrepareOptions = {},
): Promise<PreparedBatch> {
  return prepareProbed(images.map(decodedProbe), rule, norm, padTo, options);
}

function decodedProbe(image: RgbImage): ProbedImage {
  return { width: image.width, height: image.height, decode: async () => image };
}

// The header promised one size and the decoder produced another (formats without a size in the header).
class SizeChanged extends Error {}

/**
 * `prepareBatch` from files, encoded bytes or raw pixels, pipelined: headers are read first (sizes, orientation), the
 * batch is laid out, then each image is decoded and resized into its slot as one chain, so decodes and resizes of
 * different images overlap on the thread pool.
 */
export async function prepareInputs(
  inputs: readonly ImageInput[],
  rule: ResizeRule,
  norm: Normalization,
  padTo?: readonly [number, number],
  options: PrepareOptions = {},
): Promise<PreparedInputs> {
  const probed = await Promise.all(inputs.map(probeImage));
  try {
    return await prepareProbed(probed, rule, norm, padTo, options);
  } catch (e) {
    if (!(e instanceof SizeChanged)) throw e;
    const decoded = await Promise.all(probed.map((p) => p.decode()));
    return prepareProbed(decoded.map(decodedProbe), rule, norm, padTo, options);
  }
}

async function prepareProbed(
  images: readonly ProbedImage[],
  rule: ResizeRule,
  norm: Normalization,
  padTo?: readonly [number, number],
  options: PrepareOptions = {},
): Promise<PreparedInputs> {
  const method = options.resample ?? DEFAULT_RESAMPLE;
  const sizes = images.map((im) => resizedSize(rule, im.height, im.width));
  const padH = padTo?.[0] ?? Math.max(...sizes.map((s) => s[0]));
  const padW = padTo?.[1] ?? Math.max(...sizes.map((s) => s[1]));
  for (const [h, w] of sizes) {
    if (h > padH || w > padW) {
      throw new ImageLayoutError(`a ${h}x${w} image does not fit the model's ${padH}x${padW} input`, {
        hint: 'the recipe resize rule must not exceed the static input size',
      });
    }
  }
  const n = images.length;
  const addon = method === 'libvips' ? undefined : loadImageAddon();
  const values = new Float32Array(allocOutput(n * 3 * padH * padW * 4, addon));
  const wantMask = options.mask ?? true;
  const mask = wantMask ? new BigInt64Array(allocOutput(n * padH * padW * 8, addon)) : undefined;
  const tables = channelTables(norm);
  const packedTables = addon && packTables(tables); // once per batch, not per image
  const slot = 3 * padH * padW;
  const decoded: RgbImage[] = new Array(n);
  const threads = threadsPerImage(n);
  await Promise.all(
    images.map(async (probed, b) => {
      const [h, w] = sizes[b]!;
      const im = await probed.decode();
      if (im.width !== probed.width || im.height !== probed.height) throw new SizeChanged();
      decoded[b] = im;
      // Native: resize, normalise and mask straight into the batch (the orientation folded in), images in parallel.
      if (addon && packedTables && (h !== im.height || w !== im.width)) {
        await resizeToPlanesNative(
          addon,
          im,
          h,
          w,
          method as 'torchvision' | 'pil',
          packedTables,
          values,
          b * slot,
          padH,
          padW,
          mask && { data: mask, offset: b * padH * padW },
          threads,
        );
      } else {
        writeChw(await applyResize(im, rule, method), norm, values, b * slot, padH, padW, tables);
        if (mask) fillMask(mask, b * padH * padW, h, w, padW);
      }
    }),
  );
  const resizedSizes = sizes.map(([h, w]) => [h, w] as const);
  let pixelMask = mask && tensor('int64', [n, padH, padW], mask);
  return {
    pixelValues: tensor('float32', [n, 3, padH, padW], values),
    get pixelMask() {
      if (!pixelMask) {
        const built = new BigInt64Array(n * padH * padW);
        resizedSizes.forEach(([h, w], b) => {
          fillMask(built, b * padH * padW, h, w, padW);
        });
        pixelMask = tensor('int64', [n, padH, padW], built);
      }
      return pixelMask;
    },
    originalSizes: images.map((im) => [im.height, im.width] as const),
    resizedSizes,
    images: decoded,
  };
}

/** 1 over an h x w image at the top-left of a [padH, padW] slot starting at `offset`. */
function fillMask(mask: BigInt64Array, offset: number, h: number, w: number, padW: number): void {
  for (let y = 0; y < h; y++) mask.fill(1n, offset + y * padW, offset + y * padW + w);
}
