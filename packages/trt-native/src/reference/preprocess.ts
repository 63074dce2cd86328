import { type HostTensor, InvalidArgumentError, tensor } from '@trtkit/core';
import { bilinearSource } from './bilinear.js';

export interface PreprocessReferenceOptions {
  /** Canvas size. */
  readonly outH: number;
  readonly outW: number;
  /** Resized image size, at most the canvas; default the canvas. */
  readonly resize?: readonly [number, number];
  /** On the 0..1 scale. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly padValue?: number;
}

/**
 * uint8 [H, W, 3] RGB -> float32 [3, outH, outW]: F.interpolate(bilinear, align_corners=False,
 * antialias=False) of the image as float, (v / 255 - mean) / std, padded at the bottom and right.
 */
export function preprocessReference(
  image: HostTensor<'uint8'>,
  o: PreprocessReferenceOptions,
): HostTensor<'float32'> {
  if (image.dtype !== 'uint8' || image.dims.length !== 3 || image.dims[2] !== 3)
    throw new InvalidArgumentError(
      `image must be uint8 [H, W, 3], got ${image.dtype} [${image.dims.join(', ')}]`,
    );
  const [h, w] = image.dims as [number, number, number];
  const [rh, rw] = o.resize ?? [o.outH, o.outW];
  if (rh > o.outH || rw > o.outW) throw new InvalidArgumentError('the resized image must fit the canvas');
  const plane = o.outH * o.outW;
  const out = new Float32Array(3 * plane).fill(o.padValue ?? 0);
  const px = image.data;
  for (let y = 0; y < rh; y++) {
    const sy = bilinearSource(y, h, rh);
    for (let x = 0; x < rw; x++) {
      const sx = bilinearSource(x, w, rw);
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => px[(yy * w + xx) * 3 + c]!;
        const v =
          (1 - sy.lambda) * ((1 - sx.lambda) * at(sy.i0, sx.i0) + sx.lambda * at(sy.i0, sx.i1)) +
          sy.lambda * ((1 - sx.lambda) * at(sy.i1, sx.i0) + sx.lambda * at(sy.i1, sx.i1));
        out[c * plane + y * o.outW + x] = (v / 255 - o.mean[c]!) / o.std[c]!;
      }
    }
  }
  return tensor('float32', [3, o.outH, o.outW], out);
}
