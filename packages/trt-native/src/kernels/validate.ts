import { type HostTensor, InvalidArgumentError } from '@trtkit/core';
import { type DeviceDType, DeviceTensor } from '../cuda/device-tensor.js';
import type { NativeDeviceBuffer } from '../cuda/load.js';

/** The dtype codes of native/cuda/dtype.h. */
export function nativeFloatDType(dtype: DeviceDType, what: string): 0 | 1 {
  if (dtype === 'float32') return 0;
  if (dtype === 'float16') return 1;
  throw new InvalidArgumentError(`${what} must be float32 or float16, got ${dtype}`);
}

const dimsText = (dims: readonly number[]) => `[${dims.join(', ')}]`;

/** Checks that `t` is a DeviceTensor of one of `dtypes` and the given rank; returns its dims. */
export function expectDevice(
  name: string,
  t: unknown,
  dtypes: readonly DeviceDType[],
  rank: number,
): readonly number[] {
  if (!(t instanceof DeviceTensor))
    throw new InvalidArgumentError(`${name} must be a DeviceTensor`, {
      hint: 'upload host data with DeviceTensor.fromHost(tensor)',
    });
  if (!dtypes.includes(t.dtype))
    throw new InvalidArgumentError(`${name} must be ${dtypes.join(' or ')}, got ${t.dtype}`);
  if (t.dims.length !== rank)
    throw new InvalidArgumentError(`${name} must have rank ${rank}, got dims ${dimsText(t.dims)}`);
  return t.dims;
}

/** Checks that `t` has exactly `dims` (null entries match anything). */
export function expectDims(
  name: string,
  actual: readonly number[],
  expected: readonly (number | null)[],
): void {
  const ok = actual.length === expected.length && expected.every((e, i) => e === null || e === actual[i]);
  if (!ok)
    throw new InvalidArgumentError(
      `${name} has dims ${dimsText(actual)}, expected ${dimsText(expected.map((e) => e ?? -1)).replaceAll('-1', '*')}`,
    );
}

export function expectSameDType(name: string, t: DeviceTensor, dtype: DeviceDType): void {
  if (t.dtype !== dtype)
    throw new InvalidArgumentError(`${name} must be ${dtype} (like the input), got ${t.dtype}`);
}

export function isHostInt32(t: unknown): t is HostTensor<'int32'> {
  return (
    typeof t === 'object' &&
    t !== null &&
    !(t instanceof DeviceTensor) &&
    (t as HostTensor).dtype === 'int32' &&
    (t as HostTensor).data instanceof Int32Array
  );
}

/** Host int32 metadata (shapes, sizes) goes up in a small temporary buffer; device metadata is used as is. */
export function int32Input(
  name: string,
  t: HostTensor<'int32'> | DeviceTensor<'int32'>,
  dims: readonly (number | null)[],
): DeviceTensor<'int32'> {
  if (isHostInt32(t)) {
    expectDims(name, t.dims, dims);
    return DeviceTensor.fromHost(t);
  }
  expectDevice(name, t, ['int32'], dims.length);
  expectDims(name, (t as DeviceTensor).dims, dims);
  return t as DeviceTensor<'int32'>;
}

export function positiveInt(name: string, v: number): void {
  if (!Number.isSafeInteger(v) || v <= 0)
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`);
}

/** The addon handle of a tensor's buffer (throws DeviceDisposedError when disposed). */
export function handle(t: DeviceTensor): NativeDeviceBuffer {
  return t.buffer.native();
}
