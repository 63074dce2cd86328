import { InvalidArgumentError } from '@trtkit/core';
import { DeviceDisposedError, native } from './errors.js';
import { loadCudaAddon, type NativeDeviceBuffer } from './load.js';
import { type CudaStream, streamHandle } from './stream.js';

function checkRange(what: string, offset: number, bytes: number, size: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new InvalidArgumentError(`${what}: byte offset must be a non-negative integer, got ${offset}`);
  if (offset + bytes > size)
    throw new InvalidArgumentError(
      `${what}: ${bytes} bytes at offset ${offset} run past the buffer's ${size} bytes`,
    );
}

function isView(v: unknown): v is ArrayBufferView {
  return ArrayBuffer.isView(v);
}

/**
 * Device memory owned by a JS object. dispose() frees it now; otherwise the garbage collector frees it
 * (after queued GPU work is done). Using it after dispose() throws DeviceDisposedError.
 */
export class DeviceBuffer {
  readonly #handle: NativeDeviceBuffer;
  readonly byteLength: number;

  private constructor(handle: NativeDeviceBuffer) {
    this.#handle = handle;
    this.byteLength = handle.byteLength;
  }

  /** Allocates `byteLength` bytes of device memory (uninitialised). */
  static alloc(byteLength: number): DeviceBuffer {
    if (!Number.isSafeInteger(byteLength) || byteLength < 0)
      throw new InvalidArgumentError(`byteLength must be a non-negative integer, got ${byteLength}`);
    const addon = loadCudaAddon();
    return new DeviceBuffer(native(() => new addon.DeviceBuffer(byteLength)));
  }

  /** A device copy of a TypedArray. */
  static from(data: ArrayBufferView, stream?: CudaStream): DeviceBuffer {
    if (!isView(data)) throw new InvalidArgumentError('DeviceBuffer.from needs a TypedArray or DataView');
    const b = DeviceBuffer.alloc(data.byteLength);
    b.upload(data, { stream });
    return b;
  }

  get disposed(): boolean {
    return this.#handle.disposed;
  }

  /**
   * Copies host bytes in. From ordinary (pageable) JS memory the bytes are staged before this returns,
   * so `data` may be reused at once; the device sees them in stream order.
   */
  upload(data: ArrayBufferView, options: { byteOffset?: number; stream?: CudaStream } = {}): void {
    if (!isView(data)) throw new InvalidArgumentError('upload needs a TypedArray or DataView');
    const offset = options.byteOffset ?? 0;
    checkRange('upload', offset, data.byteLength, this.byteLength);
    const h = this.native();
    const s = streamHandle(options.stream);
    native(() => h.copyFromHost(data, offset, s));
  }

  /**
   * Copies device bytes out into `into` (whole length). Into ordinary JS memory this returns once the
   * copy, and the stream's earlier work, is done.
   */
  download<T extends ArrayBufferView>(
    into: T,
    options: { byteOffset?: number; stream?: CudaStream } = {},
  ): T {
    if (!isView(into)) throw new InvalidArgumentError('download needs a TypedArray or DataView');
    const offset = options.byteOffset ?? 0;
    checkRange('download', offset, into.byteLength, this.byteLength);
    const h = this.native();
    const s = streamHandle(options.stream);
    native(() => h.copyToHost(into, offset, s));
    return into;
  }

  /** Copies `bytes` bytes from another device buffer. */
  copyFrom(
    src: DeviceBuffer,
    bytes: number,
    options: { dstOffset?: number; srcOffset?: number; stream?: CudaStream } = {},
  ): void {
    if (!(src instanceof DeviceBuffer)) throw new InvalidArgumentError('copyFrom needs a DeviceBuffer');
    const dstOffset = options.dstOffset ?? 0;
    const srcOffset = options.srcOffset ?? 0;
    checkRange('copyFrom (source)', srcOffset, bytes, src.byteLength);
    checkRange('copyFrom (destination)', dstOffset, bytes, this.byteLength);
    const d = this.native();
    const sh = src.native();
    const s = streamHandle(options.stream);
    native(() => d.copyFromDevice(sh, bytes, dstOffset, srcOffset, s));
  }

  /** Sets every byte to `byte` (0xff makes float NaNs: handy to poison outputs in tests). */
  fill(byte: number, stream?: CudaStream): void {
    if (!Number.isInteger(byte) || byte < 0 || byte > 255)
      throw new InvalidArgumentError('fill needs a byte value');
    const h = this.native();
    const s = streamHandle(stream);
    native(() => h.fill(byte, s));
  }

  dispose(): void {
    native(() => this.#handle.dispose());
  }

  /** The addon object, for passing to kernels; throws if disposed. */
  native(): NativeDeviceBuffer {
    if (this.#handle.disposed)
      throw new DeviceDisposedError(`a device buffer of ${this.byteLength} bytes was disposed`);
    return this.#handle;
  }
}
