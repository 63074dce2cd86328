import { InvalidArgumentError } from '@trtkit/core';
import type { DeviceTensor } from '../cuda/device-tensor.js';
import { native } from '../cuda/errors.js';
import { loadCudaAddon } from '../cuda/load.js';
import { type CudaStream, streamHandle } from '../cuda/stream.js';
import { expectDevice, handle, nativeFloatDType, positiveInt } from './validate.js';

export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

export interface PreprocessArgs {
  /** [H, W, 3] uint8 RGB. */
  readonly image: DeviceTensor;
  /** [B, 3, outH, outW] float32 or float16: the batch tensor; slot `batchIndex` is written. */
  readonly out: DeviceTensor;
  readonly batchIndex?: number;
  /** [h, w] of the resized image, at most [outH, outW]; default [outH, outW]. */
  readonly resize?: readonly [number, number];
  /** On the 0..1 scale; default ImageNet's. */
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
  /** Written where the canvas is larger than the resized image; default 0. */
  readonly padValue?: number;
  readonly stream?: CudaStream;
}

function triple(name: string, v: readonly number[]): number[] {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => Number.isFinite(x)))
    throw new InvalidArgumentError(`${name} must be 3 finite numbers (R, G, B)`);
  return [...v];
}

/**
 * uint8 HWC RGB -> normalised CHW in one kernel: bilinear resize (PyTorch's align_corners=False,
 * antialias=False), (v / 255 - mean) / std, padding, written at `batchIndex` of the batch tensor.
 */
export function preprocessImage(args: PreprocessArgs): DeviceTensor {
  const [srcH, srcW] = expectDevice('image', args.image, ['uint8'], 3) as number[];
  if (args.image.dims[2] !== 3)
    throw new InvalidArgumentError(`image must be [H, W, 3] RGB, got dims [${args.image.dims.join(', ')}]`, {
      hint: 'convert grey or RGBA images to RGB first',
    });
  const [batch, channels, outH, outW] = expectDevice('out', args.out, ['float32', 'float16'], 4) as number[];
  if (channels !== 3)
    throw new InvalidArgumentError(`out must be [B, 3, H, W], got [${args.out.dims.join(', ')}]`);
  positiveInt('image height', srcH!);
  positiveInt('image width', srcW!);
  positiveInt('out height', outH!);
  positiveInt('out width', outW!);
  const batchIndex = args.batchIndex ?? 0;
  if (!Number.isInteger(batchIndex) || batchIndex < 0 || batchIndex >= batch!)
    throw new InvalidArgumentError(`batchIndex ${batchIndex} is outside the batch of ${batch}`);
  const [resizeH, resizeW] = args.resize ?? [outH!, outW!];
  positiveInt('resize height', resizeH);
  positiveInt('resize width', resizeW);
  if (resizeH > outH! || resizeW > outW!)
    throw new InvalidArgumentError(
      `resize [${resizeH}, ${resizeW}] does not fit the canvas [${outH}, ${outW}]`,
    );
  if (outH! > 65535) throw new InvalidArgumentError('out height must be at most 65535');
  const mean = triple('mean', args.mean ?? IMAGENET_MEAN);
  const std = triple('std', args.std ?? IMAGENET_STD);
  if (std.some((s) => s === 0)) throw new InvalidArgumentError('std must not contain 0');
  const padValue = args.padValue ?? 0;
  if (!Number.isFinite(padValue)) throw new InvalidArgumentError('padValue must be finite');
  const stream = streamHandle(args.stream);
  const addon = loadCudaAddon();
  native(() =>
    addon.preprocessImage({
      dtype: nativeFloatDType(args.out.dtype, 'out'),
      srcH,
      srcW,
      srcRowStride: srcW! * 3,
      resizeH,
      resizeW,
      outH,
      outW,
      batch,
      batchIndex,
      mean,
      std,
      padValue,
      src: handle(args.image),
      out: handle(args.out),
      stream,
    }),
  );
  return args.out;
}
