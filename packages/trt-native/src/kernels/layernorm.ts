import { InvalidArgumentError } from '@trtkit/core';
import { DeviceTensor } from '../cuda/device-tensor.js';
import { native } from '../cuda/errors.js';
import { loadCudaAddon } from '../cuda/load.js';
import { type CudaStream, streamHandle } from '../cuda/stream.js';
import { expectDevice, expectDims, expectSameDType, handle, nativeFloatDType } from './validate.js';

export interface LayerNormArgs {
  /** [..., C], float32 or float16; normalised over the last axis. */
  readonly x: DeviceTensor;
  /** [C], the dtype of x. Omitted: 1. */
  readonly gamma?: DeviceTensor;
  /** [C], the dtype of x. Omitted: 0. */
  readonly beta?: DeviceTensor;
  readonly eps?: number;
  /** Same dims and dtype as x; allocated when omitted. May be x itself. */
  readonly y?: DeviceTensor;
  readonly stream?: CudaStream;
}

/** LayerNorm over the last axis with fp32 accumulation. */
export function layerNorm(args: LayerNormArgs): DeviceTensor {
  if (!(args.x instanceof DeviceTensor)) throw new InvalidArgumentError('x must be a DeviceTensor');
  const dims = expectDevice('x', args.x, ['float32', 'float16'], args.x.dims.length);
  if (dims.length < 1) throw new InvalidArgumentError('x must have at least one axis');
  const cols = dims[dims.length - 1]!;
  if (cols < 1) throw new InvalidArgumentError('the normalised axis must not be empty');
  const rows = args.x.size / cols;
  const dtype = args.x.dtype;
  for (const [name, t] of [
    ['gamma', args.gamma],
    ['beta', args.beta],
  ] as const) {
    if (t === undefined) continue;
    expectDevice(name, t, ['float32', 'float16'], 1);
    expectSameDType(name, t, dtype);
    expectDims(name, t.dims, [cols]);
  }
  if (args.y !== undefined) {
    expectDevice('y', args.y, ['float32', 'float16'], dims.length);
    expectSameDType('y', args.y, dtype);
    expectDims('y', args.y.dims, dims);
  }
  const eps = args.eps ?? 1e-5;
  if (!Number.isFinite(eps) || eps < 0)
    throw new InvalidArgumentError(`eps must be a finite number >= 0, got ${eps}`);
  const stream = streamHandle(args.stream);
  const addon = loadCudaAddon();
  const y = args.y ?? DeviceTensor.alloc(dtype, dims);
  native(() =>
    addon.layerNorm({
      dtype: nativeFloatDType(dtype, 'x'),
      rows,
      cols,
      eps,
      x: handle(args.x),
      gamma: args.gamma ? handle(args.gamma) : null,
      beta: args.beta ? handle(args.beta) : null,
      y: handle(y),
      stream,
    }),
  );
  return y;
}
