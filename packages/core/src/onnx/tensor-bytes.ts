import { TensorProto_DataType as DT, type TensorProto, TensorProto_DataLocation } from 'onnx-buf';
import { InvalidArgumentError } from '../errors/index.js';
import { TYPED_ARRAYS as CTORS, DTYPES, type DType, dtypeFromOnnx } from '../tensor/dtype.js';
import type { ExternalDataStore } from './external-data.js';

/** Bits per element of every fixed-width ONNX data type (STRING and UNDEFINED have none). */
const BITS: Partial<Record<number, number>> = {
  [DT.FLOAT]: 32,
  [DT.UINT8]: 8,
  [DT.INT8]: 8,
  [DT.UINT16]: 16,
  [DT.INT16]: 16,
  [DT.INT32]: 32,
  [DT.INT64]: 64,
  [DT.BOOL]: 8,
  [DT.FLOAT16]: 16,
  [DT.DOUBLE]: 64,
  [DT.UINT32]: 32,
  [DT.UINT64]: 64,
  [DT.COMPLEX64]: 64,
  [DT.COMPLEX128]: 128,
  [DT.BFLOAT16]: 16,
  [DT.FLOAT8E4M3FN]: 8,
  [DT.FLOAT8E4M3FNUZ]: 8,
  [DT.FLOAT8E5M2]: 8,
  [DT.FLOAT8E5M2FNUZ]: 8,
  [DT.UINT4]: 4,
  [DT.INT4]: 4,
  [DT.FLOAT4E2M1]: 4,
  [DT.FLOAT8E8M0]: 8,
  [DT.UINT2]: 2,
  [DT.INT2]: 2,
};

/** Bytes per element, or undefined for STRING/UNDEFINED; sub-byte types give a fraction (int4: 0.5). */
export function elementByteLength(dataType: number): number | undefined {
  const bits = BITS[dataType];
  return bits === undefined ? undefined : bits / 8;
}

/** Number of elements from `dims` (1 for a scalar); undefined when a dim is negative. */
export function tensorElementCount(t: TensorProto): number | undefined {
  let n = 1;
  for (const d of t.dims) {
    if (d < 0n) return undefined;
    n *= Number(d);
  }
  return n;
}

/** Bytes the tensor's data takes as raw_data (sub-byte types rounded up), or undefined if not fixed-width. */
export function tensorByteLength(t: TensorProto): number | undefined {
  const bits = BITS[t.dataType];
  const n = tensorElementCount(t);
  if (bits === undefined || n === undefined) return undefined;
  return Math.ceil((n * bits) / 8);
}

function name(t: TensorProto): string {
  return JSON.stringify(t.name);
}

/** Raw little-endian bytes from the typed repeated fields (float_data, int32_data, ...), per the ONNX spec. */
function fromTypedFields(t: TensorProto): Uint8Array {
  const dt = t.dataType;
  switch (dt) {
    case DT.FLOAT:
    case DT.COMPLEX64:
      return new Uint8Array(Float32Array.from(t.floatData).buffer);
    case DT.DOUBLE:
    case DT.COMPLEX128:
      return new Uint8Array(Float64Array.from(t.doubleData).buffer);
    case DT.INT32:
      return new Uint8Array(Int32Array.from(t.int32Data).buffer);
    case DT.INT64:
      return new Uint8Array(BigInt64Array.from(t.int64Data).buffer);
    case DT.UINT64:
      return new Uint8Array(BigUint64Array.from(t.uint64Data).buffer);
    case DT.UINT32:
      // uint32 travels in uint64_data, one element each.
      return new Uint8Array(Uint32Array.from(t.uint64Data, (v) => Number(BigInt.asUintN(32, v))).buffer);
    case DT.INT16:
    case DT.UINT16:
    case DT.FLOAT16:
    case DT.BFLOAT16:
      // 16-bit types travel in int32_data, one element each, as their bit pattern.
      return new Uint8Array(Uint16Array.from(t.int32Data, (v) => v & 0xffff).buffer);
    case DT.INT8:
    case DT.UINT8:
    case DT.BOOL:
    case DT.FLOAT8E4M3FN:
    case DT.FLOAT8E4M3FNUZ:
    case DT.FLOAT8E5M2:
    case DT.FLOAT8E5M2FNUZ:
    case DT.FLOAT8E8M0:
    // 4-bit and 2-bit types: each int32_data holds one byte of already-packed elements.
    case DT.INT4:
    case DT.UINT4:
    case DT.FLOAT4E2M1:
    case DT.INT2:
    case DT.UINT2:
      return Uint8Array.from(t.int32Data, (v) => v & 0xff);
    default:
      throw new InvalidArgumentError(`tensor ${name(t)} has data type ${dt}, which has no raw byte form`, {
        hint: 'string tensors keep their values in string_data',
      });
  }
}

function hasRawData(t: TensorProto): boolean {
  return Object.hasOwn(t, 'rawData') || t.rawData.length > 0;
}

function check(t: TensorProto, bytes: Uint8Array): Uint8Array {
  const expected = tensorByteLength(t);
  if (expected !== undefined && bytes.length !== expected) {
    throw new InvalidArgumentError(
      `tensor ${name(t)} holds ${bytes.length} bytes, its shape [${t.dims.join(', ')}] needs ${expected}`,
      { hint: 'the model is inconsistent; re-export it' },
    );
  }
  return bytes;
}

/**
 * The tensor's data as raw little-endian bytes: a view of `raw_data` (no copy), bytes built from the typed
 * fields, or the bytes read from external data through `store`. Checks the byte count against dims.
 */
export function tensorBytes(t: TensorProto, store?: ExternalDataStore): Uint8Array {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL) {
    if (!store) throw missingStore(t);
    return check(t, store.readSync(t));
  }
  return check(t, hasRawData(t) ? t.rawData : fromTypedFields(t));
}

/** Like `tensorBytes`, reading external data asynchronously. */
export async function tensorBytesAsync(t: TensorProto, store?: ExternalDataStore): Promise<Uint8Array> {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL) {
    if (!store) throw missingStore(t);
    return check(t, await store.read(t));
  }
  return tensorBytes(t);
}

function missingStore(t: TensorProto): InvalidArgumentError {
  return new InvalidArgumentError(`tensor ${name(t)} keeps its data in an external file`, {
    hint: 'pass the ExternalDataStore from readModel()',
  });
}

interface ViewCtor<A> {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): A;
}

export type TypedViewOf<D extends Exclude<DType, 'string'>> = InstanceType<(typeof CTORS)[D]>;

/**
 * The bytes seen as a typed array of `dtype` (a trtkit dtype name or an ONNX data type number). A view when
 * `bytes` is aligned for the element size; a copy when not (typed arrays cannot start at an unaligned offset,
 * and raw_data inside a protobuf usually is unaligned). Assumes a little-endian host, like every platform Node
 * supports.
 */
export function typedView<D extends Exclude<DType, 'string'>>(bytes: Uint8Array, dtype: D): TypedViewOf<D>;
export function typedView(bytes: Uint8Array, dtype: number): TypedViewOf<Exclude<DType, 'string'>>;
export function typedView<D extends Exclude<DType, 'string'>>(
  bytes: Uint8Array,
  dtype: D | number,
): TypedViewOf<D> {
  const d = typeof dtype === 'number' ? dtypeFromOnnx(dtype) : dtype;
  if (d === undefined || d === 'string' || !Object.hasOwn(CTORS, d)) {
    throw new InvalidArgumentError(`typedView: no typed array for dtype ${String(dtype)}`, {
      hint: `use one of ${Object.keys(CTORS).join(', ')}`,
    });
  }
  const Ctor = CTORS[d as keyof typeof CTORS] as unknown as ViewCtor<TypedViewOf<D>>;
  const size = DTYPES[d as keyof typeof DTYPES].bytes;
  if (bytes.byteLength % size !== 0) {
    throw new InvalidArgumentError(
      `typedView: ${bytes.byteLength} bytes is not a whole number of ${d} elements`,
    );
  }
  const n = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) return new Ctor(bytes.buffer, bytes.byteOffset, n);
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Ctor(copy.buffer, 0, n);
}
