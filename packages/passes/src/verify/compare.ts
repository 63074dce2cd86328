import type { HostTensor } from '@trtkit/core';

export interface Tolerance {
  /** |candidate - reference| <= atol + rtol * |reference|, elementwise (numpy's allclose). */
  readonly atol: number;
  readonly rtol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-3 };

export interface OutputComparison {
  readonly name: string;
  readonly pass: boolean;
  /** Why it failed, in words; undefined when it passed. */
  readonly reason?: string;
  readonly maxAbs: number;
  readonly meanAbs: number;
  readonly maxRel: number;
  readonly meanRel: number;
  readonly cosine: number;
  /** Elements outside the tolerance. */
  readonly mismatched: number;
  readonly nan: number;
  readonly inf: number;
  /** The candidate is all zeros while the reference is not: the DETR "all zeros" failure. */
  readonly allZero: boolean;
  /** Counts of |error| per decade: [<1e-7, <1e-6, ..., <1e0, >=1]. */
  readonly histogram: readonly number[];
}

export interface ComparisonResult {
  readonly pass: boolean;
  readonly outputs: readonly OutputComparison[];
}

function numbers(t: HostTensor): ArrayLike<number> | undefined {
  if (t.dtype === 'string') return undefined;
  if (t.dtype === 'int64' || t.dtype === 'uint64') return Array.from(t.data as BigInt64Array, Number);
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') return undefined;
  return t.data as ArrayLike<number>;
}

/** Compares one output; never throws on bad data: NaN, Inf, shape and type differences are results. */
export function compareTensor(
  name: string,
  reference: HostTensor,
  candidate: HostTensor,
  tol: Tolerance = DEFAULT_TOLERANCE,
): OutputComparison {
  const empty = {
    maxAbs: Infinity,
    meanAbs: Infinity,
    maxRel: Infinity,
    meanRel: Infinity,
    cosine: 0,
    mismatched: 0,
    nan: 0,
    inf: 0,
    allZero: false,
    histogram: [],
  };
  if (reference.dims.join('x') !== candidate.dims.join('x')) {
    return {
      name,
      pass: false,
      reason: `shape [${candidate.dims.join(',')}] differs from reference [${reference.dims.join(',')}]`,
      ...empty,
    };
  }
  const r = numbers(reference);
  const c = numbers(candidate);
  if (!r || !c) {
    return {
      name,
      pass: false,
      reason: `cannot compare ${reference.dtype} with ${candidate.dtype} (cast float16 outputs first)`,
      ...empty,
    };
  }
  const histogram = new Array<number>(9).fill(0);
  let maxAbs = 0;
  let sumAbs = 0;
  let maxRel = 0;
  let sumRel = 0;
  let dot = 0;
  let nr = 0;
  let nc = 0;
  let nan = 0;
  let inf = 0;
  let mismatched = 0;
  let candZero = true;
  let refZero = true;
  for (let i = 0; i < r.length; i++) {
    const a = r[i]!;
    const b = c[i]!;
    if (b !== 0) candZero = false;
    if (a !== 0) refZero = false;
    // Non-finite values the reference has too (masks filled with -inf) are agreement, not failure.
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) {
      histogram[0]! += 1;
      dot += Number.isFinite(a) ? a * b : 0;
      nr += Number.isFinite(a) ? a * a : 0;
      nc += Number.isFinite(b) ? b * b : 0;
      continue;
    }
    if (Number.isNaN(b)) nan++;
    else if (!Number.isFinite(b)) inf++;
    const d = Math.abs(a - b);
    const rel = d / Math.max(Math.abs(a), 1e-12);
    if (!(d <= tol.atol + tol.rtol * Math.abs(a))) mismatched++;
    if (Number.isFinite(d)) {
      maxAbs = Math.max(maxAbs, d);
      sumAbs += d;
      maxRel = Math.max(maxRel, rel);
      sumRel += rel;
      histogram[Math.min(8, Math.max(0, Math.floor(Math.log10(Math.max(d, 1e-30))) + 7))]! += 1;
    }
    dot += a * b;
    nr += a * a;
    nc += b * b;
  }
  const n = Math.max(r.length, 1);
  const allZero = candZero && !refZero && r.length > 0;
  const cosine = nr === 0 && nc === 0 ? 1 : dot / Math.sqrt(nr * nc || 1);
  const reason =
    nan || inf
      ? `${nan} NaN and ${inf} Inf values`
      : allZero
        ? 'the output is all zeros while the reference is not'
        : mismatched
          ? `${mismatched} of ${r.length} elements outside atol ${tol.atol} + rtol ${tol.rtol}`
          : undefined;
  return {
    name,
    pass: reason === undefined,
    ...(reason ? { reason } : {}),
    maxAbs,
    meanAbs: sumAbs / n,
    maxRel,
    meanRel: sumRel / n,
    cosine,
    mismatched,
    nan,
    inf,
    allZero,
    histogram,
  };
}

/** Compares every reference output with the candidate's; a missing output fails. */
export function compareOutputs(
  reference: Readonly<Record<string, HostTensor>>,
  candidate: Readonly<Record<string, HostTensor>>,
  tolerances: Tolerance | Readonly<Record<string, Tolerance>> = DEFAULT_TOLERANCE,
): ComparisonResult {
  const tolFor = (name: string): Tolerance =>
    'atol' in tolerances
      ? (tolerances as Tolerance)
      : ((tolerances as Record<string, Tolerance>)[name] ?? DEFAULT_TOLERANCE);
  const outputs = Object.entries(reference).map(([name, ref]) => {
    const cand = candidate[name];
    if (!cand) {
      return {
        name,
        pass: false,
        reason: 'missing from the candidate',
        maxAbs: Infinity,
        meanAbs: Infinity,
        maxRel: Infinity,
        meanRel: Infinity,
        cosine: 0,
        mismatched: 0,
        nan: 0,
        inf: 0,
        allZero: false,
        histogram: [],
      } satisfies OutputComparison;
    }
    return compareTensor(name, ref, cand, tolFor(name));
  });
  return { pass: outputs.every((o) => o.pass), outputs };
}
