import type { Dim } from '@trtkit/core';

/** Value of a dim with `symbol` bound to `at`; undefined for unknown dims and expressions other than products. */
export function evalDim(d: Dim, symbol: string, at: number): number | undefined {
  if (typeof d === 'number') return d;
  if (d === null) return undefined;
  let v = 1;
  for (const p of d.split('*')) {
    if (/^\d+$/.test(p)) v *= Number(p);
    else if (p === symbol) v *= at;
    else return undefined;
  }
  return v;
}

export const mentions = (d: Dim, symbol: string): boolean =>
  typeof d === 'string' && d.split('*').includes(symbol);

const prod = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

export type TargetFix =
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'rewrite'; readonly shape: number[]; readonly usesZero: boolean }
  | { readonly kind: 'lost'; readonly why: string };

/**
 * The target of a Reshape whose constant shape baked the batch, rewritten so the batch flows through.
 * `input` are the data's dims with the batch as `symbol`; `target` the constant shape; `batch` the baked value;
 * `allowZero` the node's attribute (0 in the target then means a literal zero, not "copy").
 *
 * The batch is taken as the major factor of the one input axis that carries it (PyTorch's B*heads layout): the
 * target entry starting at the same flat offset carries it on the way out. That entry becomes 0 (copy) when it
 * is the same axis with the same size, else -1; a -1 already elsewhere is spelled out (it is batch-free).
 */
export function fixReshapeTarget(
  input: readonly Dim[],
  target: readonly number[],
  symbol: string,
  batch: number,
  allowZero: boolean,
): TargetFix {
  const carriers = input.map((d, i) => (mentions(d, symbol) ? i : -1)).filter((i) => i >= 0);
  if (carriers.length === 0) return { kind: 'unchanged' };
  if (carriers.length > 1) return { kind: 'lost', why: 'batch on several axes' };
  const j = carriers[0] as number;
  const at = input.map((d) => evalDim(d, symbol, batch));
  if (at.some((x) => x === undefined)) return { kind: 'lost', why: 'other dims not static' };
  const dims = at as number[];
  // Resolve 0 (copy) and -1 against the baked sizes; a 0 or -1 already standing for the batch means nothing baked.
  const resolved = target.map((t, i) => (t === 0 && !allowZero ? (dims[i] as number) : t));
  const minus = resolved.indexOf(-1);
  if (minus >= 0) {
    const known = prod(resolved.filter((_t, i) => i !== minus));
    if (known === 0 || prod(dims) % known !== 0) return { kind: 'lost', why: 'inconsistent sizes' };
    resolved[minus] = prod(dims) / known;
  }
  if (prod(resolved) !== prod(dims)) return { kind: 'lost', why: 'inconsistent sizes' };
  const offset = prod(dims.slice(0, j));
  let i = 0;
  while (i < resolved.length && prod(resolved.slice(0, i)) < offset) i++;
  if (i >= resolved.length || prod(resolved.slice(0, i)) !== offset)
    return { kind: 'lost', why: 'batch split' };
  if ((resolved[i] as number) % batch !== 0) return { kind: 'lost', why: 'batch split' };
  if (target[i] === -1 || (target[i] === 0 && !allowZero && i === j)) return { kind: 'unchanged' };
  const copy = i === j && resolved[i] === dims[j];
  const shape = resolved.map((t, k) => (k === i ? (copy ? 0 : -1) : t));
  return { kind: 'rewrite', shape, usesZero: copy };
}
