// FP16-vs-FP32 agreement of outputs and intermediates.
import type { HostTensor } from '@trtkit/core';
import { asFloats } from './ranges.js';

export interface OutputAgreement {
  readonly name: string;
  readonly maxAbs: number;
  /** max |a - b| / max |reference| */
  readonly maxRel: number;
  readonly cosine: number;
  /** Elements finite in the reference but NaN/Inf in the candidate. */
  readonly nonFinite: number;
}

export function agreement(name: string, ref: HostTensor, got: HostTensor): OutputAgreement {
  const a = asFloats(ref);
  const b = asFloats(got);
  let maxAbs = 0;
  let scale = 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  let nonFinite = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (!Number.isFinite(x)) continue;
    if (!Number.isFinite(y)) {
      nonFinite++;
      continue;
    }
    maxAbs = Math.max(maxAbs, Math.abs(x - y));
    scale = Math.max(scale, Math.abs(x));
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (a.length !== b.length) nonFinite += Math.abs(a.length - b.length);
  const cosine = na === 0 && nb === 0 ? 1 : na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
  return { name, maxAbs, maxRel: scale === 0 ? maxAbs : maxAbs / scale, cosine, nonFinite };
}

export interface Tolerance {
  /** Smallest cosine similarity per output (default 0.999). */
  readonly cosine?: number;
  /** Largest max|a-b| / max|ref| per output (default 0.05). */
  readonly maxRel?: number;
  /**
   * A task-level check (matched detections, mask agreement): the FP32 and FP16 outputs of one calibration feed;
   * returns true, or a sentence saying what disagrees.
   */
  readonly check?: (fp32: Record<string, HostTensor>, fp16: Record<string, HostTensor>) => true | string;
  /**
   * Judge by `check` alone (NaN/Inf still fail): for outputs whose order is a ranking, such as the queries a top-k
   * selection picks, where near-tied scores may swap places in FP16 and tensors then differ while the set of
   * detections agrees. Only with `check`.
   */
  readonly taskOnly?: boolean;
}

/** Why the FP16 outputs fail the tolerance, or undefined when they pass. */
export function judge(
  fp32: Record<string, HostTensor>,
  fp16: Record<string, HostTensor>,
  tol: Tolerance,
): { failure: string | undefined; agreements: OutputAgreement[] } {
  const agreements: OutputAgreement[] = [];
  const problems: string[] = [];
  for (const [name, ref] of Object.entries(fp32)) {
    const got = fp16[name];
    if (!got) {
      problems.push(`output '${name}' missing`);
      continue;
    }
    const a = agreement(name, ref, got);
    agreements.push(a);
    if (a.nonFinite > 0) problems.push(`'${name}': ${a.nonFinite} NaN/Inf`);
    else if (tol.taskOnly && tol.check) continue;
    else if (a.cosine < (tol.cosine ?? 0.999)) problems.push(`'${name}': cosine ${a.cosine.toFixed(5)}`);
    else if (a.maxRel > (tol.maxRel ?? 0.05))
      problems.push(`'${name}': max rel error ${a.maxRel.toExponential(2)}`);
  }
  if (problems.length === 0 && tol.check) {
    const r = tol.check(fp32, fp16);
    if (r !== true) problems.push(r);
  }
  return { failure: problems.length > 0 ? problems.join('; ') : undefined, agreements };
}
