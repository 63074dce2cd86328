// Finds where FP16 goes wrong: the first FP16 nodes whose output error jumps above that of their inputs.
import type { Backend } from '@trtkit/core';
import type { Model, Value } from '../../pass/graph/index.js';
import { isFloat32, valueDtypes } from './classify.js';
import { asFloats, type Feeds, floatValues, observe } from './ranges.js';

export interface Culprit {
  readonly index: number;
  readonly error: number;
}

/** max|a-b| / max|a|; Infinity where the candidate is NaN/Inf and the reference is not. */
function relError(ref: ArrayLike<number>, got: ArrayLike<number>): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < ref.length; i++) {
    const x = ref[i] as number;
    const y = got[i] as number;
    if (!Number.isFinite(x)) continue;
    if (!Number.isFinite(y)) return Number.POSITIVE_INFINITY;
    scale = Math.max(scale, Math.abs(x));
    diff = Math.max(diff, Math.abs(x - y));
  }
  return scale === 0 ? diff : diff / scale;
}

/**
 * Observes every float intermediate of both models on one feed and returns up to `limit` FP16 nodes (indices
 * into `prepared`) where the relative error jumps: above `floor` and well above the worst error of the inputs.
 */
export async function bisect(
  backend: Backend,
  prepared: Model,
  candidate: Model,
  feed: Feeds,
  fp32: ReadonlyMap<number, string>,
  limit = 3,
  floor = 0.01,
): Promise<Culprit[]> {
  const wanted = floatValues(prepared).map((v) => v.name);
  const candTypes = valueDtypes(candidate);
  const inCand = new Map<string, 'float16' | 'float32'>();
  for (const [v, t] of candTypes) if (t === 'float16' || t === 'float32') inCand.set(v.name, t);
  const both = wanted.filter((n) => inCand.has(n));
  const ref = new Map<string, ArrayLike<number>>();
  const got = new Map<string, ArrayLike<number>>();
  await observe(
    backend,
    prepared,
    both.map((name) => ({ name, dtype: 'float32' as const })),
    [feed],
    (n, _k, t) => ref.set(n, asFloats(t)),
  );
  await observe(
    backend,
    candidate,
    both.map((name) => ({ name, dtype: inCand.get(name) as 'float16' | 'float32' })),
    [feed],
    (n, _k, t) => got.set(n, asFloats(t)),
  );
  const err = new Map<string, number>();
  for (const n of both) {
    const a = ref.get(n);
    const b = got.get(n);
    if (a && b && a.length === b.length) err.set(n, relError(a, b));
  }
  const types = valueDtypes(prepared);
  const errOf = (v: Value | undefined) => (v && isFloat32(types, v) ? (err.get(v.name) ?? 0) : 0);
  const jumps: (Culprit & { gain: number })[] = [];
  prepared.graph.nodes.forEach((n, index) => {
    if (fp32.has(index)) return;
    const out = Math.max(0, ...n.outputs.map(errOf));
    if (out === 0) return;
    const inp = Math.max(0, ...n.inputs.map(errOf));
    const gain =
      out === Number.POSITIVE_INFINITY ? (inp === out ? 0 : Number.POSITIVE_INFINITY) : out / (inp + 1e-4);
    jumps.push({ index, error: out, gain });
  });
  const firm = jumps.filter((j) => j.error > floor && j.gain > 4);
  if (firm.length > 0) return firm.slice(0, limit).map(({ index, error }) => ({ index, error }));
  // No clear jump: blame the node that amplifies error the most.
  const best = jumps.sort((a, b) => b.gain - a.gain)[0];
  return best && best.gain > 1 ? [{ index: best.index, error: best.error }] : [];
}
