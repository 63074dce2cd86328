import { InvalidArgumentError, TrtkitError } from '@trtkit/core';

/** The native addon was not built or could not be loaded on this machine. */
export class NativeUnavailableError extends TrtkitError {
  readonly _tag = 'NativeUnavailableError';
}

/** A CUDA call failed; `code` is the cudaError_t value (35: no driver, 100: no device). */
export class CudaError extends TrtkitError {
  readonly _tag = 'CudaError';
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    options?: { hint?: string },
  ) {
    super(`${codeName} (${code}): ${message}`, options);
  }
}

/** A device buffer, stream or event was used after dispose(). */
export class DeviceDisposedError extends TrtkitError {
  readonly _tag = 'DeviceDisposedError';
}

const NO_GPU_HINT =
  'no usable NVIDIA GPU here: use the ONNX Runtime backend, or run on a machine with a GPU and driver';

/** The hint for a CUDA error code, where there is a useful one. */
export function cudaHint(code: number): string | undefined {
  if (code === 35 || code === 100) return NO_GPU_HINT;
  if (code === 2) return 'the GPU is out of memory: free device buffers (dispose()) or use smaller batches';
  return undefined;
}

interface NativeError {
  trtkitKind?: string;
  cudaCode?: number;
  cudaName?: string;
  message?: string;
}

/** Turns an exception thrown by the addon into the typed error it stands for. */
export function translateNativeError(e: unknown): unknown {
  if (typeof e !== 'object' || e === null) return e;
  const n = e as NativeError;
  switch (n.trtkitKind) {
    case 'cuda': {
      const code = n.cudaCode ?? -1;
      return new CudaError(code, n.cudaName ?? 'cudaError', n.message ?? '', { hint: cudaHint(code) });
    }
    case 'disposed':
      return new DeviceDisposedError(n.message ?? 'used after dispose()', {
        hint: 'keep the object alive until its last use, and dispose() it after that',
      });
    case 'argument':
      return new InvalidArgumentError(n.message ?? 'invalid argument');
    default:
      return e;
  }
}

/** Runs an addon call, rethrowing its errors as typed ones. */
export function native<T>(call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw translateNativeError(e);
  }
}
