// toMixedPrecision: a strongly typed FP16 graph with the FP32 islands FP16 cannot carry, checked on a backend.
import { type Backend, encodeModel, type HostTensor, TrtkitError } from '@trtkit/core';
import { Effect } from 'effect';
import { PassCrashed, VerificationFailed } from '../../pass/errors.js';
import type { Model } from '../../pass/graph/index.js';
import type { Pass, PassResult } from '../../pass/pass.js';
import { ReportBuilder } from '../../pass/report-builder.js';
import { bisect } from './bisect.js';
import { type NodeSelector, ruleDecision, selects, valueDtypes } from './classify.js';
import { judge, type OutputAgreement, type Tolerance } from './compare.js';
import { emulateHalf } from './emulate.js';
import { HALF_MAX, HALF_MIN_NORMAL } from './half.js';

import { analyseRanges, type Feeds, type TensorRange } from './ranges.js';
import { type ConvertStats, convert, prepare } from './rewrite.js';

export interface MixedPrecisionOptions {
  readonly fp16: true;
  /** Nodes kept FP32 whatever the analysis says (node names, op types, name patterns, predicates). */
  readonly keepFp32?: readonly NodeSelector[];
  /** Nodes computed in FP16 even where a rule would keep them FP32 (never overrides observed overflow). */
  readonly forceFp16?: readonly NodeSelector[];
  /** 'keep' (default): float graph inputs/outputs stay float32. 'float16': they become float16. */
  readonly ioDtype?: 'keep' | 'float16';
  /** Calibration: the reference backend and inputs to observe ranges on and verify against. */
  readonly calibration?: {
    readonly backend: Backend;
    readonly feeds: readonly Feeds[];
    /** Observe intermediate ranges (default true). */
    readonly ranges?: boolean;
    /** Compare FP16 with FP32 and move diverging regions to FP32 (default true). */
    readonly verify?: boolean;
    readonly tolerance?: Tolerance;
    /** Verify-and-fix rounds (default 6). */
    readonly maxIterations?: number;
  };
  /** Largest |x| an FP16 tensor may hold; a margin below 65504 leaves room for FP16 rounding (default 32768). */
  readonly rangeLimit?: number;
}

export interface Island {
  readonly reason: string;
  readonly nodes: readonly string[];
}

export interface MixedPrecisionResult {
  readonly model: Model;
  readonly stats: ConvertStats;
  /** FP32 nodes grouped by the reason they are FP32. */
  readonly islands: readonly Island[];
  readonly iterations: number;
  /** FP16 graph vs FP32, per output and calibration feed (last verification round). */
  readonly agreements: readonly OutputAgreement[];
  /** FP16 storage emulation vs FP32 (see emulate.ts). */
  readonly emulatedAgreements: readonly OutputAgreement[];
  /** The FP16 storage emulation of the final decision (float32 graph), for task-level checks. */
  readonly emulated: Model;
  readonly ranges?: ReadonlyMap<string, TensorRange>;
}

const label = (model: Model, i: number): string => {
  const n = model.graph.nodes[i];
  return n ? n.name || `<${n.opType}#${i}>` : `#${i}`;
};

function islandsOf(model: Model, fp32: ReadonlyMap<number, string>): Island[] {
  const by = new Map<string, string[]>();
  for (const [i, why] of fp32) {
    const list = by.get(why) ?? [];
    list.push(label(model, i));
    by.set(why, list);
  }
  return [...by]
    .map(([reason, nodes]) => ({ reason, nodes }))
    .sort((a, b) => b.nodes.length - a.nodes.length);
}

/** FP32 decisions from observed ranges: producers and float consumers of tensors FP16 cannot hold. */
function rangeDecision(
  prepared: Model,
  ranges: ReadonlyMap<string, TensorRange>,
  limit: number,
  fp32: Map<number, string>,
): void {
  const index = new Map(prepared.graph.nodes.map((n, i) => [n, i]));
  for (const n of prepared.graph.nodes)
    for (const o of n.outputs) {
      const r = ranges.get(o.name);
      if (!r) continue;
      let why: string | undefined;
      if (r.absMax > limit)
        why = `observed |x| up to ${r.absMax.toExponential(2)} (float16 holds ${HALF_MAX})`;
      else if (r.nonZero > 0 && r.subnormal / r.nonZero > 0.5)
        why = `${((100 * r.subnormal) / r.nonZero).toFixed(0)}% of values below ${HALF_MIN_NORMAL.toExponential(2)} (float16 subnormal)`;
      if (!why) continue;
      for (const m of [n, ...o.uses.map((u) => u.node)]) {
        const i = index.get(m) as number;
        if (!fp32.has(i)) fp32.set(i, why);
      }
    }
}

/** Constants FP16 cannot hold keep their readers FP32 (mask fills like -1e9, -inf). */
function constantDecision(prepared: Model, fp32: Map<number, string>, opts: MixedPrecisionOptions): void {
  for (const [i, n] of prepared.graph.nodes.entries())
    for (const v of n.inputs) {
      const d = v?.initializer;
      if (!v || d?.dtype !== 'float32' || fp32.has(i) || selects(opts.forceFp16, n)) continue;
      const data = d.data() as ArrayLike<number>;
      for (let k = 0; k < data.length; k++)
        if (Math.abs(data[k] as number) > HALF_MAX) {
          fp32.set(i, `constant '${v.name}' holds ${data[k]} (beyond float16)`);
          break;
        }
    }
}

async function runOutputs(
  backend: Backend,
  model: Model,
  feeds: readonly Feeds[],
): Promise<Record<string, HostTensor>[]> {
  const engine = await backend.build(encodeModel(model.toProto()));
  try {
    const out: Record<string, HostTensor>[] = [];
    for (const f of feeds) out.push(await engine.run(f));
    return out;
  } finally {
    await engine.dispose();
  }
}

/** The full conversion with its evidence (ranges, comparisons, islands). `toMixedPrecision` wraps it as a pass. */
export async function convertMixedPrecision(
  input: Model,
  opts: MixedPrecisionOptions,
): Promise<MixedPrecisionResult> {
  const prepared = prepare(input);
  const types = valueDtypes(prepared);
  const rules = ruleDecision(prepared.graph, types, opts);
  const index = new Map(prepared.graph.nodes.map((n, i) => [n, i]));
  const fp32 = new Map<number, string>();
  for (const [n, why] of rules.fp32) fp32.set(index.get(n) as number, why);
  constantDecision(prepared, fp32, opts);
  const cal = opts.calibration;
  let ranges: Map<string, TensorRange> | undefined;
  if (cal && cal.ranges !== false && cal.feeds.length > 0) {
    ranges = await analyseRanges(cal.backend, prepared, cal.feeds);
    rangeDecision(prepared, ranges, opts.rangeLimit ?? HALF_MAX / 2, fp32);
  }
  const ioHalf = opts.ioDtype === 'float16';
  let result = convert(prepared, fp32, ioHalf);
  let iterations = 0;
  let agreements: OutputAgreement[] = [];
  let emulatedAgreements: OutputAgreement[] = [];
  if (cal && cal.verify !== false && cal.feeds.length > 0) {
    const reference = await runOutputs(cal.backend, prepared, cal.feeds);
    const max = cal.maxIterations ?? 6;
    for (;;) {
      iterations++;
      // The float16 graph itself (must run and agree) and the storage emulation (catches what the runtime hides).
      const real = await runOutputs(cal.backend, result.model, cal.feeds);
      const emulated = emulateHalf(prepared, fp32);
      const emu = await runOutputs(cal.backend, emulated, cal.feeds);
      let failure: string | undefined;
      agreements = [];
      emulatedAgreements = [];
      for (const [k, ref] of reference.entries()) {
        const j = judge(ref, real[k] ?? {}, cal.tolerance ?? {});
        agreements.push(...j.agreements);
        failure ??= j.failure;
        const e = judge(ref, emu[k] ?? {}, cal.tolerance ?? {});
        emulatedAgreements.push(...e.agreements);
        failure ??= e.failure && `FP16 storage emulation: ${e.failure}`;
      }
      if (!failure) break;
      if (iterations > max)
        throw new VerificationFailed(
          'toMixedPrecision',
          `FP16 disagrees with FP32 after ${max} repair rounds: ${failure}`,
          { agreements, islands: islandsOf(prepared, fp32) },
          undefined,
          {
            hint: 'keep more of the model FP32 (keepFp32), loosen the tolerance, or build in FP32',
          },
        );
      const culprits = await bisect(cal.backend, prepared, emulated, cal.feeds[0] as Feeds, fp32);
      if (culprits.length === 0)
        throw new VerificationFailed(
          'toMixedPrecision',
          `FP16 disagrees with FP32 and no FP16 node left to blame: ${failure}`,
          { agreements },
        );
      for (const c of culprits)
        fp32.set(
          c.index,
          `verification: relative error rose to ${c.error.toExponential(2)} here (${failure})`,
        );
      result = convert(prepared, fp32, ioHalf);
    }
  }
  return {
    model: result.model,
    stats: result.stats,
    islands: islandsOf(prepared, fp32),
    iterations,
    agreements,
    emulatedAgreements,
    emulated: emulateHalf(prepared, fp32),
    ...(ranges ? { ranges } : {}),
  };
}

/**
 * The pass: float initializers and activations to float16, FP32 kept where FP16 is unsafe (see the README).
 * With `calibration`, ranges are observed on the backend and the result is verified and repaired there.
 */
export function toMixedPrecision(opts: MixedPrecisionOptions): Pass {
  const name = 'toMixedPrecision';
  return {
    name,
    description: 'FP16 weights and activations with verified FP32 islands (strongly typed graph)',
    run: (model) =>
      Effect.tryPromise({
        try: () => convertMixedPrecision(model, opts),
        catch: (e) =>
          e instanceof VerificationFailed
            ? e
            : new PassCrashed(name, e instanceof TrtkitError || e instanceof Error ? e : String(e)),
      }).pipe(
        Effect.map((r): PassResult => {
          const report = new ReportBuilder(name);
          const s = r.stats;
          report
            .count('floatNodes', s.floatNodes)
            .count('fp16Nodes', s.fp16Nodes)
            .count('fp32Nodes', s.floatNodes - s.fp16Nodes);
          report.count('heavyNodes', s.heavyNodes).count('heavyFp16', s.heavyFp16);
          report.count('castsInserted', s.castsInserted).count('castsMerged', s.castsMerged);
          report.count('initializersToHalf', s.initializersToHalf).count('verifyRounds', r.iterations);
          const pct = s.heavyNodes === 0 ? 100 : (100 * s.heavyFp16) / s.heavyNodes;
          report.note(
            `${s.fp16Nodes}/${s.floatNodes} float nodes FP16; MatMul/Conv/Gemm in FP16: ${s.heavyFp16}/${s.heavyNodes} (${pct.toFixed(1)}%)`,
          );
          for (const isl of r.islands)
            report.note(
              `FP32 island (${isl.nodes.length} nodes): ${isl.reason} [${isl.nodes.slice(0, 4).join(', ')}${isl.nodes.length > 4 ? ', ...' : ''}]`,
            );
          report.markChanged();
          return { model: r.model, changed: true, report: report.build() };
        }),
      ),
  };
}

/** The registry's instance: rules only (no calibration), float32 I/O. */
export const mixedPrecision = toMixedPrecision({ fp16: true });
