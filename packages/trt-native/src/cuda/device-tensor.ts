import { DTYPES, elementCount, type HostTensor, InvalidArgumentError, tensor } from '@trtkit/core';
import { DeviceBuffer } from './device-buffer.js';
import type { CudaStream } from './stream.js';

/** Element types that device tensors hold (float16 as raw bits on the host, as in @trtkit/core). */
export type DeviceDType = 'float32' | 'float16' | 'int32' | 'uint8';

const HOST_ARRAYS = {
  float32: Float32Array,
  float16: Uint16Array,
  int32: Int32Array,
  uint8: Uint8Array,
} as const;

export function isDeviceDType(d: string): d is DeviceDType {
  return Object.hasOwn(HOST_ARRAYS, d);
}

function checkDims(dims: readonly number[]): void {
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new InvalidArgumentError(`tensor dims must be non-negative integers, got [${dims.join(', ')}]`);
  }
}

/** A dense tensor in device memory: a DeviceBuffer with a dtype and dims. */
export class DeviceTensor<D extends DeviceDType = DeviceDType> {
  readonly dims: readonly number[];

  constructor(
    readonly buffer: DeviceBuffer,
    readonly dtype: D,
    dims: readonly number[],
  ) {
    if (!isDeviceDType(dtype))
      throw new InvalidArgumentError(
        `device tensors hold float32, float16, int32 or uint8, not ${String(dtype)}`,
      );
    checkDims(dims);
    this.dims = [...dims];
    const need = elementCount(dims) * DTYPES[dtype].bytes;
    if (buffer.byteLength < need)
      throw new InvalidArgumentError(
        `a ${dtype} tensor of dims [${dims.join(', ')}] needs ${need} bytes; the buffer has ${buffer.byteLength}`,
      );
  }

  static alloc<D extends DeviceDType>(dtype: D, dims: readonly number[]): DeviceTensor<D> {
    if (!isDeviceDType(dtype))
      throw new InvalidArgumentError(`cannot allocate a device tensor of ${String(dtype)}`);
    checkDims(dims);
    return new DeviceTensor(DeviceBuffer.alloc(elementCount(dims) * DTYPES[dtype].bytes), dtype, dims);
  }

  /** Uploads a host tensor. */
  static fromHost<D extends DeviceDType>(t: HostTensor<D>, stream?: CudaStream): DeviceTensor<D> {
    if (!isDeviceDType(t.dtype))
      throw new InvalidArgumentError(`cannot upload a ${t.dtype} tensor to the device`);
    const d = DeviceTensor.alloc(t.dtype, t.dims);
    d.buffer.upload(t.data as ArrayBufferView, { stream });
    return d;
  }

  get size(): number {
    return elementCount(this.dims);
  }

  get byteLength(): number {
    return this.size * DTYPES[this.dtype].bytes;
  }

  /** Downloads into a new host tensor (waits for the stream's queued work). */
  toHost(stream?: CudaStream): HostTensor<D> {
    const Ctor = HOST_ARRAYS[this.dtype];
    const data = new Ctor(this.size);
    this.buffer.download(data, { stream });
    return tensor(this.dtype, this.dims, data as unknown as HostTensor<D>['data']);
  }

  dispose(): void {
    this.buffer.dispose();
  }
}
