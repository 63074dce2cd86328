export { DTYPES, type DType, type DTypeArrays, dtypeFromOnnx, isDType, type TensorData } from './dtype.js';
export { byteLength, elementCount, type HostTensor, tensor, zeros } from './host-tensor.js';
