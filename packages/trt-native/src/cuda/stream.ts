import { InvalidArgumentError } from '@trtkit/core';
import { DeviceDisposedError, native } from './errors.js';
import { loadCudaAddon, type NativeEvent, type NativeStream } from './load.js';

/** A CUDA stream (non-blocking). Work queued on one stream runs in order; dispose() when done. */
export class CudaStream {
  readonly #handle: NativeStream;

  private constructor(handle: NativeStream) {
    this.#handle = handle;
  }

  static create(): CudaStream {
    const addon = loadCudaAddon();
    return new CudaStream(native(() => new addon.Stream()));
  }

  get disposed(): boolean {
    return this.#handle.disposed;
  }

  /** Waits until everything queued on this stream has run. */
  synchronize(): void {
    native(() => this.native().synchronize());
  }

  dispose(): void {
    native(() => this.#handle.dispose());
  }

  /** The addon object, for passing to kernels; throws if disposed. */
  native(): NativeStream {
    if (this.#handle.disposed) throw new DeviceDisposedError('the stream was disposed');
    return this.#handle;
  }
}

/** A CUDA event, for ordering and timing work on streams. */
export class CudaEvent {
  readonly #handle: NativeEvent;

  private constructor(handle: NativeEvent) {
    this.#handle = handle;
  }

  static create(): CudaEvent {
    const addon = loadCudaAddon();
    return new CudaEvent(native(() => new addon.Event()));
  }

  get disposed(): boolean {
    return this.#handle.disposed;
  }

  /** Records the event on `stream` (the default stream when omitted). */
  record(stream?: CudaStream): void {
    native(() => this.#live().record(stream ? stream.native() : null));
  }

  synchronize(): void {
    native(() => this.#live().synchronize());
  }

  /** Milliseconds between `start` and this event; both must have completed. */
  elapsedSince(start: CudaEvent): number {
    if (!(start instanceof CudaEvent)) throw new InvalidArgumentError('elapsedSince needs a CudaEvent');
    return native(() => this.#live().elapsedMs(start.#live()));
  }

  dispose(): void {
    native(() => this.#handle.dispose());
  }

  #live(): NativeEvent {
    if (this.#handle.disposed) throw new DeviceDisposedError('the event was disposed');
    return this.#handle;
  }
}

/** The addon handle of an optional stream (null: the default stream). */
export function streamHandle(stream: CudaStream | undefined): NativeStream | null {
  if (stream === undefined) return null;
  if (!(stream instanceof CudaStream)) throw new InvalidArgumentError('stream must be a CudaStream');
  return stream.native();
}
