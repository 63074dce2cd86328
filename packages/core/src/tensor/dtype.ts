/** Element types, named as ONNX Runtime names them; `onnx` is the TensorProto.DataType number. */
export const DTYPES = {
  float32: { onnx: 1, bytes: 4 },
  uint8: { onnx: 2, bytes: 1 },
  int8: { onnx: 3, bytes: 1 },
  uint16: { onnx: 4, bytes: 2 },
  int16: { onnx: 5, bytes: 2 },
  int32: { onnx: 6, bytes: 4 },
  int64: { onnx: 7, bytes: 8 },
  string: { onnx: 8, bytes: 0 },
  bool: { onnx: 9, bytes: 1 },
  float16: { onnx: 10, bytes: 2 },
  float64: { onnx: 11, bytes: 8 },
  uint32: { onnx: 12, bytes: 4 },
  uint64: { onnx: 13, bytes: 8 },
  bfloat16: { onnx: 16, bytes: 2 },
} as const;

export type DType = keyof typeof DTYPES;

/** The typed array that holds each dtype on the host. float16/bfloat16 are raw bits in a Uint16Array. */
export interface DTypeArrays {
  float32: Float32Array;
  uint8: Uint8Array;
  int8: Int8Array;
  uint16: Uint16Array;
  int16: Int16Array;
  int32: Int32Array;
  int64: BigInt64Array;
  string: string[];
  bool: Uint8Array;
  float16: Uint16Array;
  float64: Float64Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
  bfloat16: Uint16Array;
}

export type TensorData = DTypeArrays[DType];

const BY_ONNX = new Map<number, DType>(Object.entries(DTYPES).map(([k, v]) => [v.onnx, k as DType]));

export function dtypeFromOnnx(code: number): DType | undefined {
  return BY_ONNX.get(code);
}

export function isDType(name: string): name is DType {
  return Object.hasOwn(DTYPES, name);
}

/** The typed-array class that holds each numeric dtype (float16/bfloat16 as raw bits). */
export const TYPED_ARRAYS = {
  float32: Float32Array,
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
  float16: Uint16Array,
  float64: Float64Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
  bfloat16: Uint16Array,
} as const;
