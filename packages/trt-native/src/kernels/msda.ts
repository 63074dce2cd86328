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
  isHostInt32,
  nativeFloatDType,
} from './validate.js';

export const MSDA_MAX_LEVELS = 16;

export interface MsdaArgs {
  /** [N, S, M, D], float32 or float16. */
  readonly value: DeviceTensor;
  /** [L, 2] int32, (H, W) per level. Host tensors are checked against S and uploaded. */
  readonly spatialShapes: HostTensor<'int32'> | DeviceTensor<'int32'>;
  /** [L] int32, start of each level in S. */
  readonly levelStartIndex: HostTensor<'int32'> | DeviceTensor<'int32'>;
  /** [N, Lq, M, L, P, 2] float32, (x, y) in 0..1. */
  readonly samplingLocations: DeviceTensor;
  /** [N, Lq, M, L, P], the dtype of value. */
  readonly attentionWeights: DeviceTensor;
  /** [N, Lq, M, D], the dtype of value; allocated when omitted. */
  readonly output?: DeviceTensor;
  readonly stream?: CudaStream;
  /** 'wide' (default): 16-byte loads; 'scalar': one thread per channel (the baseline). */
  readonly impl?: 'wide' | 'scalar';
}

function checkLevels(shapes: HostTensor<'int32'>, starts: HostTensor<'int32'>, spatial: number): void {
  let sum = 0;
  for (let l = 0; l < shapes.dims[0]!; l++) {
    const h = shapes.data[2 * l]!;
    const w = shapes.data[2 * l + 1]!;
    if (h <= 0 || w <= 0)
      throw new InvalidArgumentError(`spatialShapes[${l}] = (${h}, ${w}) must be positive`);
    if (starts.data[l] !== sum)
      throw new InvalidArgumentError(
        `levelStartIndex[${l}] is ${starts.data[l]}, expected ${sum} (sum of H*W before it)`,
      );
    sum += h * w;
  }
  if (sum !== spatial)
    throw new InvalidArgumentError(
      `the levels hold ${sum} positions (sum of H*W) but value has S = ${spatial}`,
    );
}

/** Multi-scale deformable attention forward (the I/O of MultiscaleDeformableAttnPlugin_TRT). */
export function msdaForward(args: MsdaArgs): DeviceTensor {
  const [n, s, m, d] = expectDevice('value', args.value, ['float32', 'float16'], 4) as number[];
  const dtype = args.value.dtype;
  const loc = expectDevice('samplingLocations', args.samplingLocations, ['float32'], 6);
  const [, lq, , levels, points] = loc as number[];
  expectDims('samplingLocations', loc, [n!, null, m!, null, null, 2]);
  if (levels! < 1 || levels! > MSDA_MAX_LEVELS)
    throw new InvalidArgumentError(`MSDA takes 1..${MSDA_MAX_LEVELS} levels, got ${levels}`);
  if (points! < 1) throw new InvalidArgumentError('MSDA needs at least one sampling point');
  expectDevice('attentionWeights', args.attentionWeights, ['float32', 'float16'], 5);
  expectSameDType('attentionWeights', args.attentionWeights, dtype);
  expectDims('attentionWeights', args.attentionWeights.dims, [n!, lq!, m!, levels!, points!]);
  if (args.output !== undefined) {
    expectDevice('output', args.output, ['float32', 'float16'], 4);
    expectSameDType('output', args.output, dtype);
    expectDims('output', args.output.dims, [n!, lq!, m!, d!]);
  }
  if (isHostInt32(args.spatialShapes) && isHostInt32(args.levelStartIndex)) {
    expectDims('spatialShapes', args.spatialShapes.dims, [levels!, 2]);
    expectDims('levelStartIndex', args.levelStartIndex.dims, [levels!]);
    checkLevels(args.spatialShapes, args.levelStartIndex, s!);
  }
  const impl = args.impl ?? 'wide';
  if (impl !== 'wide' && impl !== 'scalar') throw new InvalidArgumentError(`impl must be 'wide' or 'scalar'`);
  const shapes = int32Input('spatialShapes', args.spatialShapes, [levels!, 2]);
  const starts = int32Input('levelStartIndex', args.levelStartIndex, [levels!]);
  const stream = streamHandle(args.stream);
  const addon = loadCudaAddon();
  const output = args.output ?? DeviceTensor.alloc(dtype, [n!, lq!, m!, d!]);
  native(() =>
    addon.msdaForward({
      dtype: nativeFloatDType(dtype, 'value'),
      batch: n,
      spatial: s,
      heads: m,
      channels: d,
      queries: lq,
      levels,
      points,
      value: handle(args.value),
      spatialShapes: handle(shapes),
      levelStartIndex: handle(starts),
      samplingLocations: handle(args.samplingLocations),
      attentionWeights: handle(args.attentionWeights),
      output: handle(output),
      scalar: impl === 'scalar',
      stream,
    }),
  );
  return output;
}
