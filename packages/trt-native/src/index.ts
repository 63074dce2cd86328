export { type CudaInfo, cudaInfo, deviceMemory } from './cuda/device.js';
export { DeviceBuffer } from './cuda/device-buffer.js';
export { type DeviceDType, DeviceTensor, isDeviceDType } from './cuda/device-tensor.js';
export { CudaError, DeviceDisposedError, NativeUnavailableError } from './cuda/errors.js';
export { type CudaAddon, loadCudaAddon, type NativeStatus, nativeStatus } from './cuda/load.js';
export { CudaEvent, CudaStream } from './cuda/stream.js';
export {
  type ImageAddon,
  type ImageAxisTaps,
  loadImageAddon,
  type OrientArgs,
  type ResizeToPlanesArgs,
  type ResizeToRgbArgs,
} from './image/addon.js';
export { type LayerNormArgs, layerNorm } from './kernels/layernorm.js';
export { MSDA_MAX_LEVELS, type MsdaArgs, msdaForward } from './kernels/msda.js';
export {
  type DetrDecodeArgs,
  type DeviceDetections,
  detrDecodeSigmoidTopK,
  detrDecodeSoftmax,
  TOPK_MAX,
  type UpsampleArgmaxArgs,
  upsampleArgmax,
} from './kernels/postprocess.js';
export { IMAGENET_MEAN, IMAGENET_STD, type PreprocessArgs, preprocessImage } from './kernels/preprocess.js';
export * from './reference/index.js';
export * from './tensorrt/index.js';
