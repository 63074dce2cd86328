import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRootFrom } from '../package-root.js';

/**
 * Filter taps of one axis, over the stored pixels of that axis: output `i` reads `count[i]` pixels from `start[i]`
 * with weights `weights[i * ksize + j] / 2 ** precision`.
 */
export interface ImageAxisTaps {
  readonly size: number;
  readonly ksize: number;
  readonly precision: number;
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly weights: Int32Array;
}

interface StoredRgb {
  /** 8-bit RGB, row-major HWC, as stored (before EXIF orientation). */
  readonly src: Uint8Array;
  readonly width: number;
  readonly height: number;
}

interface ResizeArgs extends StoredRgb {
  /** The displayed x axis runs along the stored rows (EXIF orientations 5-8). */
  readonly xAlongRows: boolean;
  readonly x: ImageAxisTaps;
  readonly y: ImageAxisTaps;
  /** Threads for this one image (1..64, default 1): each pass's rows are split over them. */
  readonly threads?: number;
}

/** 8-bit output: `out` receives the resized image as HWC RGB (x.size wide, y.size high). */
export interface ResizeToRgbArgs extends ResizeArgs {
  readonly out: Uint8Array;
}

/** Float output: each level mapped through `tables` (3 x 256) into three planes `planeSize` apart. */
export interface ResizeToPlanesArgs extends ResizeArgs {
  readonly planes: Float32Array;
  readonly offset: number;
  readonly rowPitch: number;
  readonly planeSize: number;
  readonly tables: Float32Array;
  /** Optional pixel mask (`rowPitch` wide from `maskOffset`): set to 1 over the resized image, in the same job. */
  readonly mask?: BigInt64Array;
  readonly maskOffset?: number;
}

export interface OrientArgs extends StoredRgb {
  /** EXIF orientation 1..8. */
  readonly orientation: number;
  readonly out: Uint8Array;
}

/**
 * The CPU image addon (native/image): separable fixed-point resampling with the orientation folded in, and EXIF
 * orientation itself. Work runs on libuv's thread pool (a batch resizes in parallel); arguments are checked before
 * anything is queued (TypeError / RangeError).
 */
export interface ImageAddon {
  resize(args: ResizeToRgbArgs | ResizeToPlanesArgs): Promise<void>;
  orient(args: OrientArgs): Promise<void>;
  orientSync(args: OrientArgs): void;
  /**
   * A zeroed ArrayBuffer for large outputs, backed by 2 MiB pages where Linux offers transparent huge pages (fewer
   * page faults on first write); freed when collected.
   */
  allocLarge(bytes: number): ArrayBuffer;
}

let cached: ImageAddon | null | undefined;

/**
 * Loads the image addon on first use; `undefined` when it is not built (no C++ toolchain at install time) or
 * `TRTKIT_IMAGE_NATIVE=off`, so callers fall back to their JavaScript path.
 */
export function loadImageAddon(): ImageAddon | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  if (process.env.TRTKIT_IMAGE_NATIVE === 'off') return undefined;
  const root = packageRootFrom(dirname(fileURLToPath(import.meta.url)));
  const path = process.env.TRTKIT_IMAGE_ADDON ?? join(root, 'build', 'image', 'Release', 'trtkit_image.node');
  if (!existsSync(path)) return undefined;
  try {
    cached = createRequire(import.meta.url)(path) as ImageAddon;
  } catch {
    cached = null; // a broken build behaves like a missing one: the JavaScript path still gives the same pixels
  }
  return cached ?? undefined;
}
