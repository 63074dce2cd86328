import { type Backend, type Dim, InvalidArgumentError } from '@trtkit/core';

/** Sub-passes of simplify, by the names `skip` takes. */
export const SIMPLIFY_STEPS = [
  'fold-constants',
  'backend-fold',
  'inline-if',
  'remove-identities',
  'dedupe-constants',
  'cse',
  'dead-code',
] as const;
export type SimplifyStep = (typeof SIMPLIFY_STEPS)[number];

export interface SimplifyOptions {
  /** Fix graph input shapes (`{ pixel_values: [1, 3, 800, 1066] }` or `'pixel_values:1x3x800x1066'`); others stay symbolic. */
  readonly inputShapes?: Readonly<Record<string, readonly Dim[]>> | string | readonly string[];
  /** Sub-passes to leave out. */
  readonly skip?: readonly SimplifyStep[];
  /** Largest folded tensor, in bytes (default 1 MiB): bigger results stay computed at run time. */
  readonly sizeCapBytes?: number;
  /** Largest tensor (in elements) the TypeScript evaluator computes; bigger constant work goes to `backend`. */
  readonly evalMaxElements?: number;
  /** The reference backend (e.g. ONNX Runtime) for constant subgraphs the evaluator does not handle. */
  readonly backend?: Backend;
  /** Rounds of fold + clean-up before giving up on a fixpoint (default 10). */
  readonly maxIterations?: number;
}

/** Parses `name:1x3x800x1066` (a dim may be a symbol or `?`); several specs may be comma-separated. */
export function parseInputShapes(spec: string | readonly string[]): Record<string, Dim[]> {
  const out: Record<string, Dim[]> = {};
  const parts = (typeof spec === 'string' ? spec.split(',') : spec).map((s) => s.trim()).filter(Boolean);
  for (const p of parts) {
    const at = p.lastIndexOf(':');
    if (at <= 0) {
      throw new InvalidArgumentError(`input shape '${p}' has no name`, {
        hint: 'write it as name:1x3x800x1066',
      });
    }
    const name = p.slice(0, at);
    const body = p.slice(at + 1);
    const dims =
      body === ''
        ? []
        : body.split('x').map((d): Dim => (d === '?' ? null : /^\d+$/.test(d) ? Number(d) : d));
    if (dims.some((d) => d === '')) {
      throw new InvalidArgumentError(`input shape '${p}' has an empty dim`, {
        hint: 'write it as name:1x3x800x1066',
      });
    }
    out[name] = dims;
  }
  return out;
}
