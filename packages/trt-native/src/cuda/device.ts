import { CudaError } from './errors.js';
import { loadCudaAddon } from './load.js';

export interface CudaInfo {
  /** CUDA runtime the addon was built with, e.g. 13000. */
  readonly runtimeVersion: number;
  readonly deviceCount: number;
}

/** Queries CUDA; throws CudaError when there is no driver or no device. */
export function cudaInfo(): CudaInfo {
  const addon = loadCudaAddon();
  const r = addon.deviceCount();
  if (r.error !== 0) {
    throw new CudaError(r.error, r.errorName, r.errorString, {
      hint:
        r.error === 35 || r.error === 100
          ? 'no usable NVIDIA GPU here: use the ONNX Runtime backend, or run on a machine with a GPU and driver'
          : undefined,
    });
  }
  return { runtimeVersion: addon.runtimeVersion(), deviceCount: r.count };
}
