import { existsSync } from 'node:fs';
import { loadImageAddon } from '@trtkit/trt-native';
import sharp from 'sharp';
import { ImageDecodeError, ImageLayoutError } from '../errors.js';
import { OrientedImage } from './orientation.js';
import type { RgbImage } from './rgb-image.js';

export type { RgbImage } from './rgb-image.js';

/** Raw pixels a caller already has, with their layout declared. */
export interface RawPixels {
  readonly data: Uint8Array | Float32Array;
  readonly width: number;
  readonly height: number;
  readonly layout: 'HWC' | 'CHW';
  /** 'uint8' 0..255, or 'float32' 0..1. */
  readonly dtype: 'uint8' | 'float32';
}

export type ImageInput = string | Buffer | Uint8Array | RawPixels | RgbImage;

function isRaw(x: ImageInput): x is RawPixels {
  return typeof x === 'object' && !(x instanceof Uint8Array) && 'layout' in x;
}

function isRgb(x: ImageInput): x is RgbImage {
  return typeof x === 'object' && !(x instanceof Uint8Array) && !('layout' in x) && 'width' in x;
}

function fromRaw(raw: RawPixels): RgbImage {
  const { width, height, layout, dtype } = raw;
  const n = width * height * 3;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new ImageLayoutError(`raw image size must be positive integers, got ${width}x${height}`);
  }
  const wantArray = dtype === 'uint8' ? Uint8Array : Float32Array;
  if (!(raw.data instanceof wantArray)) {
    throw new ImageLayoutError(`raw image declared as ${dtype} but data is a ${raw.data.constructor.name}`, {
      hint: dtype === 'uint8' ? 'pass a Uint8Array of 0..255' : 'pass a Float32Array of 0..1',
    });
  }
  if (raw.data.length !== n) {
    throw new ImageLayoutError(
      `raw ${layout} RGB image of ${width}x${height} needs ${n} values, got ${raw.data.length}`,
      { hint: 'data must be 3 channels (RGB), no alpha' },
    );
  }
  const out = new Uint8Array(n);
  const plane = width * height;
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = layout === 'HWC' ? raw.data[i * 3 + c]! : raw.data[c * plane + i]!;
      out[i * 3 + c] = dtype === 'uint8' ? v : Math.max(0, Math.min(255, Math.round(v * 255)));
    }
  }
  return { width, height, data: out };
}

/** An image whose displayed size is known (from its header) and whose pixels are decoded on request. */
export interface ProbedImage {
  readonly width: number;
  readonly height: number;
  decode(): Promise<RgbImage>;
}

function decodeError(label: string, cause: unknown): ImageDecodeError {
  return new ImageDecodeError(`${label}: cannot decode image (${(cause as Error).message})`, {
    cause,
    hint: 'JPEG, PNG, WebP, GIF, TIFF and AVIF are supported; check the file is complete',
  });
}

/**
 * Reads an image's header (size and EXIF orientation) without decoding it, so a batch can be laid out before any
 * pixels exist and each image decoded and resized in one go. Raw pixels are checked and kept as they are.
 */
export async function probeImage(input: ImageInput): Promise<ProbedImage> {
  if (isRaw(input) || isRgb(input)) {
    const image = isRaw(input) ? fromRaw(input) : fromRaw({ ...input, layout: 'HWC', dtype: 'uint8' });
    return { width: image.width, height: image.height, decode: async () => image };
  }
  const label = typeof input === 'string' ? input : `<${input.length} bytes>`;
  if (typeof input === 'string' && !existsSync(input)) {
    throw new ImageDecodeError(`${input}: no such file`);
  }
  // With the native image addon the EXIF orientation is not applied by the decoder (libvips' rotate costs about
  // twice the decode): the image carries it, and preprocessing folds it into its resize.
  const addon = loadImageAddon();
  const pipeline = sharp(input, { failOn: 'error' });
  let orientation: number;
  let stored: [number, number];
  try {
    const meta = await pipeline.metadata();
    orientation = meta.orientation ?? 1;
    stored = [meta.width ?? 0, meta.height ?? 0];
  } catch (cause) {
    throw decodeError(label, cause);
  }
  const transposed = orientation >= 5 && orientation <= 8;
  const decode = async (): Promise<RgbImage> => {
    try {
      const { data, info } = await (addon ? pipeline : pipeline.rotate())
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
      const pixels = {
        width: info.width,
        height: info.height,
        data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      };
      return addon && orientation >= 2 && orientation <= 8
        ? new OrientedImage(pixels, orientation, addon)
        : pixels;
    } catch (cause) {
      throw decodeError(label, cause);
    }
  };
  return { width: transposed ? stored[1] : stored[0], height: transposed ? stored[0] : stored[1], decode };
}

/**
 * Decodes a file path, encoded bytes (JPEG, PNG, WebP, ...) or raw pixels into RGB, applying EXIF orientation.
 * Broken input is an ImageDecodeError, never a crash.
 */
export async function loadImage(input: ImageInput): Promise<RgbImage> {
  return (await probeImage(input)).decode();
}
