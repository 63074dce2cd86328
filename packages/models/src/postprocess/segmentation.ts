import type { HostTensor } from '@trtkit/core';
import { RecipeOutputError } from '../errors.js';

export interface SegmentationMap {
  readonly width: number;
  readonly height: number;
  /** Class id per pixel, row-major. */
  readonly classes: Uint16Array;
}

/**
 * Bilinear upsampling (align_corners=False, as torch's F.interpolate) of logits [N,C,h,w] to each image's size, then
 * argmax over classes, without materialising the upsampled logits.
 */
export function segmentationMaps(
  logits: HostTensor,
  sizes: readonly (readonly [number, number])[],
  validSizes?: readonly (readonly [number, number])[],
): SegmentationMap[] {
  if (logits.dtype !== 'float32' || logits.dims.length !== 4) {
    throw new RecipeOutputError(
      `logits must be float32 [N,C,h,w], got ${logits.dtype}[${logits.dims.join(',')}]`,
    );
  }
  const [n, c, h, w] = logits.dims as [number, number, number, number];
  const data = logits.data as Float32Array;
  return sizes.map(([outH, outW], i) => {
    // Padded batches: only the part of the logits that covers the image is upsampled.
    const [vh, vw] = validSizes?.[i] ?? [h, w];
    const classes = new Uint16Array(outH * outW);
    const sy = vh / outH;
    const sx = vw / outW;
    const base = i * c * h * w;
    for (let y = 0; y < outH; y++) {
      const fy = Math.max((y + 0.5) * sy - 0.5, 0);
      const y0 = Math.min(Math.floor(fy), vh - 1);
      const y1 = Math.min(y0 + 1, vh - 1);
      const wy = fy - y0;
      for (let x = 0; x < outW; x++) {
        const fx = Math.max((x + 0.5) * sx - 0.5, 0);
        const x0 = Math.min(Math.floor(fx), vw - 1);
        const x1 = Math.min(x0 + 1, vw - 1);
        const wx = fx - x0;
        let best = 0;
        let bestV = -Infinity;
        for (let k = 0; k < c; k++) {
          const p = base + k * h * w;
          const v =
            (1 - wy) * ((1 - wx) * data[p + y0 * w + x0]! + wx * data[p + y0 * w + x1]!) +
            wy * ((1 - wx) * data[p + y1 * w + x0]! + wx * data[p + y1 * w + x1]!);
          if (v > bestV) {
            bestV = v;
            best = k;
          }
        }
        classes[y * outW + x] = best;
      }
    }
    if (i >= n) throw new RecipeOutputError(`more sizes than images in the batch`);
    return { width: outW, height: outH, classes };
  });
}
