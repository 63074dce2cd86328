import { TrtkitError } from '../errors/index.js';

/** What a backend reports about the precision its engine really runs (TensorRT: from the engine inspector). */
export interface EnginePrecision {
  /** Layers that compute (the backend's own bookkeeping, such as reformats, left out). */
  readonly compute: number;
  /** Compute layers by element type ('fp16', 'fp32', 'int8', ..., 'unknown'). */
  readonly byPrecision: Readonly<Partial<Record<string, number>>>;
  /** Half-precision compute layers / compute layers of known precision. */
  readonly halfShare: number;
}

/** An engine meant to run FP16 runs most of its compute in another precision. */
export class PrecisionNotRealizedError extends TrtkitError {
  readonly _tag = 'PrecisionNotRealizedError';
  constructor(
    readonly summary: EnginePrecision,
    readonly minShare: number,
  ) {
    const counts = Object.entries(summary.byPrecision)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    super(
      `only ${(summary.halfShare * 100).toFixed(1)} % of ${summary.compute} compute layers run in FP16 (wanted ${(minShare * 100).toFixed(0)} %): ${counts}`,
      {
        hint: 'convert the graph with toMixedPrecision and build strongly typed; with TensorRT 11 the FP16 flag no longer exists',
      },
    );
  }
}
