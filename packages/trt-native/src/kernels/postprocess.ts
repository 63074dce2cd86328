import { type HostTensor, InvalidArgumentError } from '@trtkit/core';
import { DeviceTensor } from '../cuda/device-tensor.js';
import { native } from '../cuda/errors.js';
import { loadCudaAddon } from '../cuda/load.js';
import { type CudaStream, streamHandle } from '../cuda/stream.js';
import {
  expectDevice,
  expectDims,
  expectSameDType,
  handle,
  int32Input,
  nativeFloatDType,
  positiveInt,
} from './validate.js';

export const TOPK_MAX = 1024;

/** Decoded detections, on the device. */
export interface DeviceDetections {
  /** [N, K] float32. */
  readonly scores: DeviceTensor<'float32'>;
  /** [N, K] int32. */
  readonly labels: DeviceTensor<'int32'>;
  /** [N, K, 4] float32, (x0, y0, x1, y1) in pixels of each image. */
  readonly boxes: DeviceTensor<'float32'>;
}

export interface DetrDecodeArgs {
  /** [N, Q, C+1] (softmax; the last class is "no object") or [N, Q, C] (sigmoid top-k). */
  readonly logits: DeviceTensor;
  /** [N, Q, 4] (cx, cy, w, h) in 0..1, the dtype of logits. */
  readonly boxes: DeviceTensor;
  /** [N, 2] int32 (H, W) of each original image. */
  readonly imageSizes: HostTensor<'int32'> | DeviceTensor<'int32'>;
  readonly stream?: CudaStream;
}

function decodeInputs(args: DetrDecodeArgs) {
  const [n, q, c] = expectDevice('logits', args.logits, ['float32', 'float16'], 3) as number[];
  expectDevice('boxes', args.boxes, ['float32', 'float16'], 3);
  expectSameDType('boxes', args.boxes, args.logits.dtype);
  expectDims('boxes', args.boxes.dims, [n!, q!, 4]);
  return { n: n!, q: q!, c: c! };
}

/** DETR: softmax over classes, drop the last (no-object), best class per query; boxes to pixel xyxy. */
export function detrDecodeSoftmax(args: DetrDecodeArgs): DeviceDetections {
  const { n, q, c } = decodeInputs(args);
  if (c < 2) throw new InvalidArgumentError('logits need at least one class plus the no-object class');
  const sizes = int32Input('imageSizes', args.imageSizes, [n, 2]);
  const stream = streamHandle(args.stream);
  const addon = loadCudaAddon();
  const out: DeviceDetections = {
    scores: DeviceTensor.alloc('float32', [n, q]),
    labels: DeviceTensor.alloc('int32', [n, q]),
    boxes: DeviceTensor.alloc('float32', [n, q, 4]),
  };
  native(() =>
    addon.detrDecodeSoftmax({
      dtype: nativeFloatDType(args.logits.dtype, 'logits'),
      batch: n,
      queries: q,
      classes: c,
      logits: handle(args.logits),
      boxes: handle(args.boxes),
      imageSizes: handle(sizes),
      scores: handle(out.scores),
      labels: handle(out.labels),
      boxesOut: handle(out.boxes),
      stream,
    }),
  );
  return out;
}

/**
 * Deformable DETR / RT-DETR: sigmoid, then the top k over queries x classes per image (ties: lower flat
 * index first); label = index % C, box of query index / C.
 */
export function detrDecodeSigmoidTopK(args: DetrDecodeArgs & { readonly k: number }): DeviceDetections {
  const { n, q, c } = decodeInputs(args);
  positiveInt('k', args.k);
  if (args.k > TOPK_MAX) throw new InvalidArgumentError(`k must be at most ${TOPK_MAX}, got ${args.k}`);
  if (args.k > q * c) throw new InvalidArgumentError(`k = ${args.k} exceeds queries x classes = ${q * c}`);
  const sizes = int32Input('imageSizes', args.imageSizes, [n, 2]);
  const stream = streamHandle(args.stream);
  const addon = loadCudaAddon();
  const out: DeviceDetections = {
    scores: DeviceTensor.alloc('float32', [n, args.k]),
    labels: DeviceTensor.alloc('int32', [n, args.k]),
    boxes: DeviceTensor.alloc('float32', [n, args.k, 4]),
  };
  native(() =>
    addon.detrDecodeSigmoidTopK({
      dtype: nativeFloatDType(args.logits.dtype, 'logits'),
      batch: n,
      queries: q,
      classes: c,
      k: args.k,
      logits: handle(args.logits),
      boxes: handle(args.boxes),
      imageSizes: handle(sizes),
      scores: handle(out.scores),
      labels: handle(out.labels),
      boxesOut: handle(out.boxes),
      stream,
    }),
  );
  return out;
}

export interface UpsampleArgmaxArgs {
  /** [N, C, h, w] float32 or float16. */
  readonly logits: DeviceTensor;
  /** [H, W] of the class map. */
  readonly size: readonly [number, number];
  /** Default int32; uint8 needs C <= 256. */
  readonly outDType?: 'int32' | 'uint8';
  /** [N, H, W] of outDType; allocated when omitted. */
  readonly out?: DeviceTensor;
  readonly stream?: CudaStream;
}

/** SegFormer: bilinear upsample (align_corners=False) fused with argmax over classes -> class map. */
export function upsampleArgmax(args: UpsampleArgmaxArgs): DeviceTensor {
  const [n, c, h, w] = expectDevice('logits', args.logits, ['float32', 'float16'], 4) as number[];
  if (!Array.isArray(args.size) || args.size.length !== 2)
    throw new InvalidArgumentError('size must be [H, W]');
  const [outH, outW] = args.size;
  positiveInt('size[0]', outH);
  positiveInt('size[1]', outW);
  positiveInt('classes', c!);
  positiveInt('logits height', h!);
  positiveInt('logits width', w!);
  if (outH > 65535 || n! > 65535)
    throw new InvalidArgumentError('output height and batch must be at most 65535');
  const outDType = args.out?.dtype ?? args.outDType ?? 'int32';
  if (outDType !== 'int32' && outDType !== 'uint8')
    throw new InvalidArgumentError(`the class map must be int32 or uint8, got ${outDType}`);
  if (outDType === 'uint8' && c! > 256)
    throw new InvalidArgumentError(`${c} classes do not fit a uint8 class map`, {
      hint: "use outDType 'int32'",
    });
  if (args.out !== undefined) {
    expectDevice('out', args.out, ['int32', 'uint8'], 3);
    expectDims('out', args.out.dims, [n!, outH, outW]);
  }
  const stream = streamHandle(args.stream);
  const addon = loadCudaAddon();
  const out = args.out ?? DeviceTensor.alloc(outDType, [n!, outH, outW]);
  native(() =>
    addon.upsampleArgmax({
      dtype: nativeFloatDType(args.logits.dtype, 'logits'),
      batch: n,
      classes: c,
      inH: h,
      inW: w,
      outH,
      outW,
      uint8: outDType === 'uint8',
      logits: handle(args.logits),
      classMap: handle(out),
      stream,
    }),
  );
  return out;
}
