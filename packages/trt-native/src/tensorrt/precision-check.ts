import { type EnginePrecision, PrecisionNotRealizedError, TrtkitError } from '@trtkit/core';

export { PrecisionNotRealizedError };

/** Element type of a layer's tensors as TensorRT's engine inspector spells it (JSON, detailed verbosity). */
export type LayerPrecision =
  | 'fp32'
  | 'fp16'
  | 'bf16'
  | 'fp8'
  | 'int8'
  | 'int32'
  | 'int64'
  | 'bool'
  | 'unknown';

export interface InspectedLayer {
  readonly name: string;
  readonly type: string;
  /** From the first output's "Format/Datatype" (the first input's when it has no output). */
  readonly precision: LayerPrecision;
}

export interface PrecisionSummary extends EnginePrecision {
  /** Layers that compute (TensorRT's own bookkeeping left out: reformats, shuffles, constants, no-ops). */
  readonly compute: number;
  readonly byPrecision: Readonly<Partial<Record<LayerPrecision, number>>>;
  /** fp16 (and bf16) compute layers / compute layers with a known precision. */
  readonly halfShare: number;
  readonly layers: readonly InspectedLayer[];
}

// Inspector strings seen across TensorRT versions: "Row major linear FP16 format", "Half", "Float",
// "Row major linear FP32", "Thirty-two wide channel vectorized row major Int8 format.", "N/A due to dynamic shapes".
export function precisionOf(format: string): LayerPrecision {
  const f = format.toLowerCase();
  if (/\bbf16\b|bfloat16/.test(f)) return 'bf16';
  if (/\bfp16\b|\bhalf\b|float16/.test(f)) return 'fp16';
  if (/\bfp8\b|\be4m3\b/.test(f)) return 'fp8';
  if (/\bint8\b/.test(f)) return 'int8';
  if (/\bint32\b/.test(f)) return 'int32';
  if (/\bint64\b/.test(f)) return 'int64';
  if (/\bbool\b/.test(f)) return 'bool';
  if (/\bfp32\b|\bfloat\b|float32/.test(f)) return 'fp32';
  return 'unknown';
}

const BOOKKEEPING = new Set([
  'Reformat',
  'Shuffle',
  'Constant',
  'NoOp',
  'Identity',
  'Cast',
  'Slice',
  'Concatenation',
]);

interface RawTensor {
  readonly 'Format/Datatype'?: unknown;
}
interface RawLayer {
  readonly Name?: unknown;
  readonly LayerType?: unknown;
  readonly Inputs?: readonly RawTensor[];
  readonly Outputs?: readonly RawTensor[];
}

/** Reads the engine inspector's JSON (as `TensorRtEngine.layers()` returns it). */
export function inspectLayers(info: unknown): InspectedLayer[] {
  const layers = (info as { Layers?: unknown })?.Layers;
  if (!Array.isArray(layers)) {
    throw new InspectorFormatError('the engine inspector gave no "Layers" list', {
      hint: 'build the plan with detailedProfiling: true so the inspector reports layer formats',
    });
  }
  return (layers as (RawLayer | string)[]).map((l) => {
    // Built without detailed profiling, the inspector lists layer names only.
    if (typeof l === 'string') return { name: l, type: 'unknown', precision: 'unknown' as const };
    const t = l.Outputs?.[0] ?? l.Inputs?.[0];
    const format = typeof t?.['Format/Datatype'] === 'string' ? (t['Format/Datatype'] as string) : '';
    return {
      name: String(l.Name ?? ''),
      type: String(l.LayerType ?? 'unknown'),
      precision: precisionOf(format),
    };
  });
}

export function summarisePrecision(info: unknown): PrecisionSummary {
  const layers = inspectLayers(info);
  const compute = layers.filter((l) => !BOOKKEEPING.has(l.type));
  const byPrecision: Partial<Record<LayerPrecision, number>> = {};
  for (const l of compute) byPrecision[l.precision] = (byPrecision[l.precision] ?? 0) + 1;
  const known = compute.filter((l) => l.precision !== 'unknown').length;
  const half = (byPrecision.fp16 ?? 0) + (byPrecision.bf16 ?? 0);
  return { compute: compute.length, byPrecision, halfShare: known ? half / known : 0, layers };
}

/**
 * After an FP16 build: fails when too few compute layers really run in half precision (TensorRT falls back to
 * FP32 silently where a strongly typed graph says so, or where the old FP16 flag found no faster kernel).
 */
export function checkHalfPrecision(info: unknown, minShare = 0.5): PrecisionSummary {
  const s = summarisePrecision(info);
  const known = s.compute - (s.byPrecision.unknown ?? 0);
  if (known === 0) {
    throw new InspectorFormatError('the engine inspector reports no layer precisions', {
      hint: 'build the plan with detailedProfiling: true',
    });
  }
  if (s.halfShare < minShare) throw new PrecisionNotRealizedError(s, minShare);
  return s;
}

/** The engine inspector's output is not what the precision check can read. */
export class InspectorFormatError extends TrtkitError {
  readonly _tag = 'InspectorFormatError';
}
