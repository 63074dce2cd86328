import { CudaError, cudaHint } from './errors.js';
import { loadCudaAddon, type NativeStatusCode } from './load.js';

export interface CudaInfo {
  /** CUDA runtime the addon was built with, e.g. 13000. */
  readonly runtimeVersion: number;
  readonly deviceCount: number;
}

function throwIfError(r: NativeStatusCode): void {
  if (r.error !== 0) throw new CudaError(r.error, r.errorName, r.errorString, { hint: cudaHint(r.error) });
}

/** Queries CUDA; throws CudaError when there is no driver or no device. */
export function cudaInfo(): CudaInfo {
  const addon = loadCudaAddon();
  const r = addon.deviceCount();
  throwIfError(r);
  return { runtimeVersion: addon.runtimeVersion(), deviceCount: r.count };
}

/** Free and total memory of the current device, in bytes. */
export function deviceMemory(): { free: number; total: number } {
  const r = loadCudaAddon().memInfo();
  throwIfError(r);
  return { free: r.free, total: r.total };
}
