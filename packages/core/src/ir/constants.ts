import { sameDomain } from './graph.js';
import type { IrTensor } from './tensor.js';
import type { Value } from './value.js';

/** The tensor behind a weight or a standard `Constant` node's `value`; undefined for computed values. */
export function constantOf(v: Value | undefined): IrTensor | undefined {
  if (!v) return undefined;
  if (v.initializer) return v.initializer;
  const p = v.producer;
  if (p?.opType !== 'Constant' || !sameDomain(p.domain, '')) return undefined;
  const a = p.getAttr('value');
  return a?.kind === 'tensor' ? a.value : undefined;
}

const NUMERIC = /^(u?int(8|16|32|64)|bool|float(32|64))$/;

/** A small constant's elements as numbers (float16/bfloat16 are left out: their data is raw bits). */
export function constantNumbers(v: Value | undefined): number[] | undefined {
  const t = constantOf(v);
  if (!t || !NUMERIC.test(t.dtype)) return undefined;
  return Array.from(t.data(), Number);
}
