export {
  DTYPES,
  type DType,
  type DTypeArrays,
  dtypeFromOnnx,
  isDType,
  type TensorData,
  TYPED_ARRAYS,
} from './dtype.js';
export {
  bf16BitsToF32,
  bfloat16ToFloat32Array,
  f16BitsToF32,
  f32ToBf16Bits,
  f32ToF16Bits,
  float16ToFloat32Array,
  float32ToBfloat16Array,
  float32ToFloat16Array,
} from './float16.js';
export { byteLength, elementCount, type HostTensor, tensor, zeros } from './host-tensor.js';
