import { type HostTensor, tensor } from '../tensor/index.js';
import type { Attrs } from './attrs.js';
import { dimAdd, dimDiv, dimProduct, dimsData, intValues, isNum, normAxis } from './dims.js';
import { sliceLength } from './ops/tensor-ops.js';
import type { Dim, TensorInfo } from './types.js';

const INT_TYPES = new Set(['int64', 'int32']);

function binary(a: Dim[], b: Dim[], f: (x: Dim, y: Dim) => Dim): Dim[] | undefined {
  if (a.length !== b.length && a.length !== 1 && b.length !== 1) return undefined;
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++)
    out.push(f(a[a.length === 1 ? 0 : i] ?? null, b[b.length === 1 ? 0 : i] ?? null));
  return out;
}

/**
 * Symbolic shape data: the elements of small integer tensors computed from shapes, as dims. This is what lets
 * `Reshape(x, Concat(Shape(x)[0], -1))` keep its batch symbol on a dynamic input.
 */
export function propagateDimValues(
  op: string,
  inputs: readonly (TensorInfo | undefined)[],
  _attrs: Attrs,
  opset: number,
  outDtype: string | undefined,
): Dim[] | undefined {
  // Shape data is a 0-D or 1-D tensor; anything of higher rank is left to the evaluator.
  const flat = (x: TensorInfo | undefined) => (x?.dims && x.dims.length <= 1 ? dimsData(x) : undefined);
  const d0 = () => flat(inputs[0]);
  switch (op) {
    case 'Identity':
    case 'Squeeze':
    case 'Unsqueeze':
      return inputs[0]?.dims && inputs[0].dims.length <= 1 ? inputs[0].dimValues?.slice() : undefined;
    case 'Reshape': {
      // A 0-D/1-D tensor reshaped to 0-D/1-D keeps its elements in order.
      const target = dimsData(inputs[1]);
      return target && target.length <= 1 ? d0() : undefined;
    }
    case 'Cast':
    case 'CastLike':
      return outDtype && INT_TYPES.has(outDtype) ? inputs[0]?.dimValues?.slice() : undefined;
    case 'Concat': {
      const parts = inputs.map((x) => flat(x));
      if (parts.some((p) => !p)) return undefined;
      return (parts as Dim[][]).flat();
    }
    case 'Gather': {
      const data = d0();
      const idx = intValues(inputs[1]?.value);
      if (!data || !idx || (inputs[0]?.dims?.length ?? 0) !== 1) return undefined;
      const n = data.length;
      return idx.map((i) => data[i < 0 ? i + n : i] ?? null);
    }
    case 'Slice': {
      const data = d0();
      if (!data || opset < 10) return undefined;
      const s = intValues(inputs[1]?.value)?.[0];
      const e = intValues(inputs[2]?.value)?.[0];
      const ax = inputs[3] ? intValues(inputs[3].value)?.[0] : 0;
      const st = inputs[4] ? intValues(inputs[4].value)?.[0] : 1;
      if (s === undefined || e === undefined || ax === undefined || st === undefined || normAxis(ax, 1) !== 0)
        return undefined;
      const n = data.length;
      const len = sliceLength(n, s, e, st);
      if (!isNum(len)) return undefined;
      let start = s < 0 ? s + n : s;
      start = st > 0 ? Math.min(Math.max(start, 0), n) : Math.min(Math.max(start, -1), n - 1);
      return Array.from({ length: len }, (_, k) => data[start + k * st] ?? null);
    }
    case 'Where': {
      // Where(Equal(shape, -1), ones, shape): the exporters' way of writing expand(-1).
      const c = inputs[0]?.value;
      const x = flat(inputs[1]);
      const y = flat(inputs[2]);
      if (!c || !x || !y || (inputs[0]?.dims?.length ?? 2) > 1) return undefined;
      const n = Math.max(c.data.length, x.length, y.length);
      const at = (a: ArrayLike<unknown>, i: number) => a[a.length === 1 ? 0 : i];
      return Array.from({ length: n }, (_, i) =>
        Number(at(c.data as ArrayLike<number>, i)) ? (at(x, i) as Dim) : (at(y, i) as Dim),
      );
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const a = d0();
      const b = flat(inputs[1]);
      if (!a || !b || !outDtype || !INT_TYPES.has(outDtype)) return undefined;
      if (op === 'Add') return binary(a, b, dimAdd);
      if (op === 'Mul') return binary(a, b, (x, y) => dimProduct([x, y]));
      if (op === 'Sub') return binary(a, b, (x, y) => (isNum(x) && isNum(y) ? x - y : y === 0 ? x : null));
      return binary(a, b, (x, y) =>
        isNum(x) && isNum(y) ? (y === 0 ? null : Math.trunc(x / y)) : dimDiv(x, y),
      );
    }
    default:
      return undefined;
  }
}

/**
 * Equal on symbolic shape data, when every element is decidable: a symbol is a dim (>= 0), so it never equals a
 * negative number; a symbol against a non-negative number or another symbol is undecidable.
 */
export function decideEqual(inputs: readonly (TensorInfo | undefined)[]): HostTensor | undefined {
  const flat = (x: TensorInfo | undefined) => (x?.dims && x.dims.length <= 1 ? dimsData(x) : undefined);
  const a = flat(inputs[0]);
  const b = flat(inputs[1]);
  if (!a || !b || (a.length !== b.length && a.length !== 1 && b.length !== 1)) return undefined;
  const n = Math.max(a.length, b.length);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length === 1 ? 0 : i] ?? null;
    const y = b[b.length === 1 ? 0 : i] ?? null;
    if (isNum(x) && isNum(y)) out[i] = x === y ? 1 : 0;
    else if (x !== null && x === y) out[i] = 1;
    else if ((isNum(x) && x < 0 && typeof y === 'string') || (isNum(y) && y < 0 && typeof x === 'string'))
      out[i] = 0;
    else return undefined;
  }
  const dims = (inputs[0]?.dims?.length ?? 0) === 0 && (inputs[1]?.dims?.length ?? 0) === 0 ? [] : [n];
  return tensor('bool', dims, out);
}

export type { Attrs };
