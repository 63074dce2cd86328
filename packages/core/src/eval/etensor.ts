import { TrtkitError } from '../errors/index.js';
import type { DType, HostTensor } from '../tensor/index.js';
import { elementCount, tensor } from '../tensor/index.js';

/**
 * The evaluator's working form: every element as a JS number (bool as 0/1). Shape arithmetic never needs more
 * than 2^53; int64 values past that (INT64_MAX in Slice ends) round, and are clamped back into range on output.
 */
export interface ETensor {
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly data: number[];
}

/** The evaluator met a node it cannot compute the way the graph asks (bad shapes, bad attributes). */
export class EvaluatorError extends TrtkitError {
  readonly _tag = 'EvaluatorError';
}

/** dtypes the evaluator computes in (float16/bfloat16/string are left to the reference backend). */
export const EVAL_DTYPES: ReadonlySet<DType> = new Set<DType>([
  'float32',
  'float64',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'bool',
]);

export function fromHost(t: HostTensor): ETensor | undefined {
  if (!EVAL_DTYPES.has(t.dtype)) return undefined;
  const src = t.data as ArrayLike<number | bigint>;
  const data = new Array<number>(src.length);
  for (let i = 0; i < src.length; i++) data[i] = Number(src[i]);
  return { dtype: t.dtype, dims: [...t.dims], data };
}

const I64_MAX = 9223372036854775807n;
const I64_MIN = -9223372036854775808n;

function toBig(x: number, lo: bigint, hi: bigint): bigint {
  if (Number.isNaN(x)) return 0n;
  if (x >= 9.2e18) return hi;
  if (x <= -9.2e18) return lo;
  return BigInt(Math.trunc(x));
}

/** Wraps an integer into the dtype's range the way a C cast does (two's complement). */
function wrapInt(x: number, bits: number, signed: boolean): number {
  if (!Number.isFinite(x)) return 0;
  let v = Math.trunc(x);
  const m = 2 ** bits;
  v = ((v % m) + m) % m;
  if (signed && v >= m / 2) v -= m;
  return v;
}

/** Rounds/wraps a number into what `dtype` can hold. */
export function coerce(x: number, dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(x);
    case 'float64':
      return x;
    case 'bool':
      return x !== 0 ? 1 : 0;
    case 'int8':
      return wrapInt(x, 8, true);
    case 'uint8':
      return wrapInt(x, 8, false);
    case 'int16':
      return wrapInt(x, 16, true);
    case 'uint16':
      return wrapInt(x, 16, false);
    case 'int32':
      return wrapInt(x, 32, true);
    case 'uint32':
      return wrapInt(x, 32, false);
    case 'int64':
    case 'uint64':
      return Number.isFinite(x) ? Math.trunc(x) : 0;
    default:
      return x;
  }
}

export function toHost(t: ETensor): HostTensor {
  const n = t.data.length;
  switch (t.dtype) {
    case 'int64': {
      const a = new BigInt64Array(n);
      for (let i = 0; i < n; i++) a[i] = toBig(t.data[i] as number, I64_MIN, I64_MAX);
      return tensor('int64', t.dims, a);
    }
    case 'uint64': {
      const a = new BigUint64Array(n);
      for (let i = 0; i < n; i++) a[i] = toBig(Math.max(0, t.data[i] as number), 0n, 18446744073709551615n);
      return tensor('uint64', t.dims, a);
    }
    case 'float32':
      return tensor('float32', t.dims, Float32Array.from(t.data));
    case 'float64':
      return tensor('float64', t.dims, Float64Array.from(t.data));
    case 'int32':
      return tensor('int32', t.dims, Int32Array.from(t.data));
    case 'int16':
      return tensor('int16', t.dims, Int16Array.from(t.data));
    case 'int8':
      return tensor('int8', t.dims, Int8Array.from(t.data));
    case 'uint32':
      return tensor('uint32', t.dims, Uint32Array.from(t.data));
    case 'uint16':
      return tensor('uint16', t.dims, Uint16Array.from(t.data));
    case 'uint8':
      return tensor('uint8', t.dims, Uint8Array.from(t.data));
    case 'bool':
      return tensor(
        'bool',
        t.dims,
        Uint8Array.from(t.data, (x) => (x ? 1 : 0)),
      );
    default:
      throw new EvaluatorError(`the evaluator cannot produce ${t.dtype} tensors`);
  }
}

export function make(dtype: DType, dims: readonly number[], data: number[]): ETensor {
  if (elementCount(dims) !== data.length) {
    throw new EvaluatorError(`internal: ${data.length} elements for dims [${dims.join(',')}]`);
  }
  return { dtype, dims: [...dims], data };
}

export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i] as number;
  }
  return s;
}

/** numpy broadcasting of concrete shapes; throws when they do not broadcast. */
export function broadcastDims(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i] as number;
      const cur = out[o] as number;
      if (d === cur || d === 1) continue;
      if (cur === 1) out[o] = d;
      else
        throw new EvaluatorError(`shapes [${shapes.map((x) => x.join('x')).join('], [')}] do not broadcast`);
    }
  }
  return out;
}

/** For each output element, the flat index into `src` when `src` is broadcast to `outDims`. */
export function broadcastIndex(src: readonly number[], outDims: readonly number[]): Int32Array {
  const n = elementCount(outDims);
  const idx = new Int32Array(n);
  const rank = outDims.length;
  const srcStrides = stridesOf(src);
  // Stride 0 along broadcast axes.
  const eff = new Array<number>(rank).fill(0);
  for (let i = 0; i < src.length; i++) {
    const o = rank - src.length + i;
    eff[o] = (src[i] as number) === 1 ? 0 : (srcStrides[i] as number);
  }
  const counter = new Array<number>(rank).fill(0);
  let off = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = off;
    for (let a = rank - 1; a >= 0; a--) {
      counter[a] = (counter[a] as number) + 1;
      off += eff[a] as number;
      if ((counter[a] as number) < (outDims[a] as number)) break;
      off -= (eff[a] as number) * (outDims[a] as number);
      counter[a] = 0;
    }
  }
  return idx;
}

export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= Math.max(rank, 1))
    throw new EvaluatorError(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export const isFloat = (d: DType): boolean =>
  d === 'float32' || d === 'float64' || d === 'float16' || d === 'bfloat16';
