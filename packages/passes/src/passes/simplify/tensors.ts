import {
  byteLength,
  createProto,
  DTYPES,
  type HostTensor,
  type TensorProto,
  TensorProto_DataLocation,
  TensorProtoSchema,
  tensorBytes,
} from '@trtkit/core';

/** An initializer holding `t` under `name` (raw little-endian bytes). */
export function tensorProtoOf(name: string, t: HostTensor): TensorProto {
  const data = t.data as ArrayBufferView;
  const bytes = new Uint8Array(data.byteLength);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return createProto(TensorProtoSchema, {
    name,
    dataType: DTYPES[t.dtype].onnx,
    dims: t.dims.map((d) => BigInt(d)),
    rawData: bytes,
  });
}

export const hostBytes = (t: HostTensor): number => byteLength(t);

/** A key that is equal for initializers with equal dtype, dims and bytes (undefined when not worth hashing). */
export function constantKey(t: TensorProto, maxBytes: number): string | undefined {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = tensorBytes(t);
  } catch {
    return undefined;
  }
  if (bytes.byteLength > maxBytes) return undefined;
  return `${t.dataType}|${t.dims.join(',')}|${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')}`;
}
