export { type CudaInfo, cudaInfo } from './cuda/device.js';
export { CudaError, NativeUnavailableError } from './cuda/errors.js';
export { type CudaAddon, loadCudaAddon, type NativeStatus, nativeStatus } from './cuda/load.js';
