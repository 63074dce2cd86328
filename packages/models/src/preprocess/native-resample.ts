import type { ImageAddon, ImageAxisTaps } from '@trtkit/trt-native';
import type { RgbImage } from '../image/load-image.js';
import { OrientedImage, orientationAxes } from '../image/orientation.js';
import { axisWeights } from './resample.js';

// The resize of `resample.ts` run by the native image addon (`loadImageAddon()`: SIMD, off the JS thread, a batch
// in parallel), with the same fixed-point weights computed here, so both paths give identical bytes.

// Below this a fresh ArrayBuffer costs little; above it huge pages save most of the first-write page faults.
const LARGE_BYTES = 8 << 20;

/**
 * Zeroed memory for a batch tensor: from the addon's huge-page allocator when it is large (and
 * `TRTKIT_IMAGE_HUGEPAGES` is not `off`), a plain ArrayBuffer otherwise.
 */
export function allocOutput(bytes: number, addon: ImageAddon | undefined): ArrayBuffer {
  if (addon && bytes >= LARGE_BYTES && process.env.TRTKIT_IMAGE_HUGEPAGES !== 'off') {
    try {
      return addon.allocLarge(bytes);
    } catch {
      // Runtimes that refuse external ArrayBuffers (Electron's sandbox): ordinary memory does the same job.
    }
  }
  return new ArrayBuffer(bytes);
}

// At most this many threads on one image: splitting a pass's rows pays off up to about there.
const MAX_THREADS_PER_IMAGE = 8;

/**
 * Threads per image when `images` are resized at once: libuv's pool (`UV_THREADPOOL_SIZE`, default 4) shared out,
 * so one image uses the idle cores and a batch keeps one thread per image.
 */
export function threadsPerImage(images: number): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(MAX_THREADS_PER_IMAGE, Math.floor(pool / Math.max(1, images))));
}

/** Taps of one displayed axis re-expressed over its stored axis: a flipped axis reads its taps mirrored. */
function storedTaps(
  inSize: number,
  outSize: number,
  method: 'torchvision' | 'pil',
  flip: boolean,
): ImageAxisTaps {
  const w = axisWeights(inSize, outSize, method);
  if (!flip)
    return {
      size: outSize,
      ksize: w.ksize,
      precision: w.precision,
      start: w.start,
      count: w.taps,
      weights: w.weights,
    };
  const start = new Int32Array(outSize);
  const weights = new Int32Array(w.weights.length);
  for (let i = 0; i < outSize; i++) {
    const n = w.taps[i]!;
    start[i] = inSize - w.start[i]! - n;
    for (let j = 0; j < n; j++) weights[i * w.ksize + j] = w.weights[i * w.ksize + n - 1 - j]!;
  }
  return { size: outSize, ksize: w.ksize, precision: w.precision, start, count: w.taps, weights };
}

/** Stored pixels, the axis mapping and the taps of a resize of `image` (displayed size) to height x width. */
function plan(
  image: RgbImage,
  height: number,
  width: number,
  method: 'torchvision' | 'pil',
  threads: number,
) {
  const stored = image instanceof OrientedImage ? image.stored : image;
  const axes = orientationAxes(image instanceof OrientedImage ? image.orientation : 1);
  return {
    src: stored.data,
    width: stored.width,
    height: stored.height,
    xAlongRows: axes.transposed,
    x: storedTaps(image.width, width, method, axes.flipX),
    y: storedTaps(image.height, height, method, axes.flipY),
    threads,
  };
}

export async function resizeNative(
  addon: ImageAddon,
  image: RgbImage,
  height: number,
  width: number,
  method: 'torchvision' | 'pil',
  threads = threadsPerImage(1),
): Promise<RgbImage> {
  const out = new Uint8Array(width * height * 3);
  await addon.resize({ ...plan(image, height, width, method, threads), out });
  return { width, height, data: out };
}

/** The three per-channel tables of `channelTables` as the one 3 x 256 array the addon reads. */
export function packTables(tables: readonly Float32Array[]): Float32Array {
  const packed = new Float32Array(768);
  tables.forEach((t, c) => {
    packed.set(t, c * 256);
  });
  return packed;
}

/**
 * Resizes and writes normalised CHW float32 (through `packTables`' tables) at `offset` of `planes` ([3, padH, padW]
 * from there) in one go; sets the
 * image's pixels of `mask` ([padH, padW] from `maskOffset`) to 1 in the same job, off the JS thread.
 */
export async function resizeToPlanesNative(
  addon: ImageAddon,
  image: RgbImage,
  height: number,
  width: number,
  method: 'torchvision' | 'pil',
  tables: Float32Array,
  planes: Float32Array,
  offset: number,
  padH: number,
  padW: number,
  mask?: { readonly data: BigInt64Array; readonly offset: number },
  threads = 1,
): Promise<void> {
  await addon.resize({
    ...plan(image, height, width, method, threads),
    planes,
    offset,
    rowPitch: padW,
    planeSize: padH * padW,
    tables,
    ...(mask ? { mask: mask.data, maskOffset: mask.offset } : {}),
  });
}
