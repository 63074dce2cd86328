import { TrtkitError } from '@trtkit/core';

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
