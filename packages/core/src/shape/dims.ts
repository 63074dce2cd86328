import type { HostTensor } from '../tensor/index.js';
import type { Dim, TensorInfo } from './types.js';

export const isNum = (d: Dim | undefined): d is number => typeof d === 'number';

export function allKnown(dims: readonly Dim[] | undefined): dims is readonly number[] {
  return !!dims && dims.every(isNum);
}

/** The product of dims: a number when all are known, a symbol product when only symbols remain, else null. */
export function dimProduct(dims: readonly Dim[]): Dim {
  let n = 1;
  const syms: string[] = [];
  for (const d of dims) {
    if (d === null) return null;
    if (typeof d === 'number') n *= d;
    else syms.push(d);
  }
  if (syms.length === 0) return n;
  if (n === 0) return 0;
  return n === 1 ? syms.join('*') : [String(n), ...syms].join('*');
}

/** `a + b` over dims (symbols only when the other side is 0). */
export function dimAdd(a: Dim, b: Dim): Dim {
  if (isNum(a) && isNum(b)) return a + b;
  if (a === 0) return b;
  if (b === 0) return a;
  if (a === null || b === null) return null;
  return `${a}+${b}`;
}

function factors(d: number | string): { k: number; syms: string[] } {
  if (typeof d === 'number') return { k: d, syms: [] };
  let k = 1;
  const syms: string[] = [];
  for (const p of d.split('*')) {
    if (/^\d+$/.test(p)) k *= Number(p);
    else syms.push(p);
  }
  return { k, syms };
}

/** Exact division of dims (symbol products cancel: "192*N" / "N" = 192); null when it cannot be shown to divide. */
export function dimDiv(a: Dim, b: Dim): Dim {
  if (a === null || b === null) return null;
  if (isNum(a) && isNum(b)) return b !== 0 && a % b === 0 ? a / b : null;
  const fa = factors(a);
  const fb = factors(b);
  if (fb.k === 0 || fa.k % fb.k !== 0) return null;
  const rest = [...fa.syms];
  for (const s of fb.syms) {
    const i = rest.indexOf(s);
    if (i < 0) return null;
    rest.splice(i, 1);
  }
  const k = fa.k / fb.k;
  if (rest.length === 0) return k;
  return k === 1 ? rest.join('*') : [String(k), ...rest].join('*');
}

/** Two descriptions of the same dim: the more specific, or null when they conflict. */
export function mergeDim(a: Dim | undefined, b: Dim | undefined): Dim {
  if (a === undefined || a === null) return b ?? null;
  if (b === undefined || b === null) return a;
  if (a === b) return a;
  if (isNum(a) && !isNum(b)) return a;
  if (isNum(b) && !isNum(a)) return b;
  return null;
}

/** The dim that may hold either `a` or `b` (branches of If, iterations of Loop). */
export function joinDim(a: Dim, b: Dim): Dim {
  return a === b ? a : null;
}

/** numpy-style broadcasting over symbolic dims; undefined when a rank is unknown. */
export function broadcast(shapes: readonly (readonly Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const ss = shapes as readonly (readonly Dim[])[];
  const rank = Math.max(0, ...ss.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let acc: Dim = 1;
    let unknown = false;
    for (const s of ss) {
      const d = s[s.length - rank + i];
      if (d === undefined || d === 1) continue;
      if (d === null) {
        unknown = true;
        continue;
      }
      if (acc === 1) acc = d;
      else if (acc !== d) {
        // A number beats a symbol (the symbol must equal it, or be 1); two different symbols: unknown.
        if (isNum(d) && !isNum(acc)) acc = d;
        else if (!(isNum(acc) && !isNum(d))) acc = null;
      }
    }
    // An unknown dim broadcast against 1s could be anything; against a number > 1 it is that number.
    out.push(unknown && (acc === 1 || !isNum(acc)) ? null : acc);
  }
  return out;
}

const I64 = new Set(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64']);

/** The elements of a constant integer tensor as numbers. */
export function intValues(t: HostTensor | undefined): number[] | undefined {
  if (!t || !I64.has(t.dtype)) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x));
}

export function floatValues(t: HostTensor | undefined): number[] | undefined {
  if (!t || t.dtype === 'string') return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, (x) => Number(x));
}

/** An integer input's elements as dims: from a constant, or from symbolic shape data. */
export function dimsData(info: TensorInfo | undefined): Dim[] | undefined {
  const v = intValues(info?.value);
  if (v) return v;
  return info?.dimValues ? [...info.dimValues] : undefined;
}

export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}

export function formatDims(dims: readonly Dim[] | undefined): string {
  if (!dims) return '?';
  return `[${dims.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
