import { TrtkitError } from '../errors/index.js';
import { DTYPES, type DType, type DTypeArrays } from '../tensor/dtype.js';
import { elementCount, type HostTensor, tensor } from '../tensor/host-tensor.js';

/** A .npy/.npz file that cannot be read as a dense numeric array. */
export class NpyFormatError extends TrtkitError {
  readonly _tag = 'NpyFormatError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

// numpy dtype codes (without byte order) for each DType we store.
const DESCR: Partial<Record<DType, string>> = {
  float32: 'f4',
  float64: 'f8',
  float16: 'f2',
  int8: 'i1',
  int16: 'i2',
  int32: 'i4',
  int64: 'i8',
  uint8: 'u1',
  uint16: 'u2',
  uint32: 'u4',
  uint64: 'u8',
  bool: 'b1',
};
const FROM_DESCR = new Map(Object.entries(DESCR).map(([k, v]) => [v, k as DType]));

function parseHeader(text: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shape === undefined) {
    throw new NpyFormatError(`unreadable .npy header: ${text.slice(0, 120)}`);
  }
  const dims = shape
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) throw new NpyFormatError(`bad dimension '${s}' in .npy header`);
      return n;
    });
  return { descr, fortran: fortran === 'True', shape: dims };
}

/** Reverses the axes order of a Fortran-order array into C order. */
function fortranToC<T extends { length: number; [i: number]: unknown }>(
  src: T,
  dst: T,
  dims: readonly number[],
): void {
  const n = dims.length;
  const cStride = new Array<number>(n).fill(1);
  for (let i = n - 2; i >= 0; i--) cStride[i] = cStride[i + 1]! * dims[i + 1]!;
  const idx = new Array<number>(n).fill(0);
  for (let f = 0; f < src.length; f++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += idx[i]! * cStride[i]!;
    dst[c] = src[f];
    for (let i = 0; i < n; i++) {
      if (++idx[i]! < dims[i]!) break;
      idx[i] = 0;
    }
  }
}

/** Decodes one .npy file (format 1.0, 2.0, 3.0; either byte order; C or Fortran order). */
export function decodeNpy(bytes: Uint8Array, label = '<npy>'): HostTensor {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new NpyFormatError(`${label}: not a .npy file (bad magic)`);
  }
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  if (![1, 2, 3].includes(major) || headerStart + headerLen > bytes.length) {
    throw new NpyFormatError(`${label}: unsupported .npy version ${major} or truncated header`);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, headerStart + headerLen),
  );
  const { descr, fortran, shape } = parseHeader(header);
  const order = descr[0];
  const code = '<>|='.includes(order ?? '') ? descr.slice(1) : descr;
  const dtype = FROM_DESCR.get(code);
  if (!dtype) {
    throw new NpyFormatError(`${label}: dtype '${descr}' is not supported`, {
      hint: 'save numeric arrays (float16/32/64, int8..64, uint8..64, bool); object and string arrays cannot be read',
    });
  }
  const size = DTYPES[dtype].bytes;
  const count = elementCount(shape);
  const dataStart = headerStart + headerLen;
  if (dataStart + count * size > bytes.length) {
    throw new NpyFormatError(`${label}: truncated data (${count} x ${descr} needs ${count * size} bytes)`);
  }
  // Copy into an aligned buffer, swapping bytes for big-endian data.
  const raw = new Uint8Array(count * size);
  raw.set(bytes.subarray(dataStart, dataStart + count * size));
  if (order === '>' && size > 1) {
    for (let i = 0; i < raw.length; i += size) raw.subarray(i, i + size).reverse();
  }
  const Ctor = {
    float32: Float32Array,
    float64: Float64Array,
    float16: Uint16Array,
    bfloat16: Uint16Array,
    int8: Int8Array,
    int16: Int16Array,
    int32: Int32Array,
    int64: BigInt64Array,
    uint8: Uint8Array,
    uint16: Uint16Array,
    uint32: Uint32Array,
    uint64: BigUint64Array,
    bool: Uint8Array,
    string: Uint8Array,
  }[dtype];
  let data = new Ctor(raw.buffer) as DTypeArrays[DType];
  if (fortran && shape.length > 1) {
    const c = new Ctor(count) as never as typeof data;
    fortranToC(data as never, c as never, shape);
    data = c;
  }
  return tensor(dtype, shape, data);
}

/** Encodes a tensor as .npy (format 1.0, little-endian, C order). */
export function encodeNpy(t: HostTensor): Uint8Array {
  const descr = DESCR[t.dtype];
  if (!descr) throw new NpyFormatError(`cannot write ${t.dtype} tensors to .npy`);
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${descr === 'b1' || descr.endsWith('1') ? '|' : '<'}${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad so the data starts on a 64-byte boundary, header ending in '\n'.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const body = t.data as Exclude<DTypeArrays[DType], string[]>;
  const out = new Uint8Array(10 + header.length + body.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), 10 + header.length);
  return out;
}
