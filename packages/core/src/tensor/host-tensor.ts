import { InvalidArgumentError } from '../errors/index.js';
import { TYPED_ARRAYS as CTORS, DTYPES, type DType, type DTypeArrays } from './dtype.js';

/** A dense tensor in host memory: what backends take and return. */
export interface HostTensor<D extends DType = DType> {
  readonly dtype: D;
  readonly dims: readonly number[];
  readonly data: DTypeArrays[D];
}

export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Builds a tensor, checking that the data length matches the dims. */
export function tensor<D extends DType>(
  dtype: D,
  dims: readonly number[],
  data: DTypeArrays[D],
): HostTensor<D> {
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) {
      throw new InvalidArgumentError(`tensor dims must be non-negative integers, got [${dims.join(', ')}]`);
    }
  }
  const n = elementCount(dims);
  if (data.length !== n) {
    throw new InvalidArgumentError(
      `tensor of dims [${dims.join(', ')}] needs ${n} elements of ${dtype}, got ${data.length}`,
    );
  }
  return { dtype, dims: [...dims], data };
}

/** A zero-filled tensor. */
export function zeros<D extends Exclude<DType, 'string'>>(dtype: D, dims: readonly number[]): HostTensor<D> {
  const n = elementCount(dims);
  const Ctor = CTORS[dtype];
  return tensor(dtype, dims, new Ctor(n) as unknown as DTypeArrays[D]);
}

export function byteLength(t: HostTensor): number {
  return t.dtype === 'string' ? 0 : elementCount(t.dims) * DTYPES[t.dtype].bytes;
}
