import type { Effect } from 'effect';
import type { PassError } from './errors.js';
import type { PassModel } from './model.js';

/**
 * A named property of a model that a pass needs (`requires`) or promises (`ensures`).
 * `check` returns `true` when it holds, or a sentence saying why not. Checks are plain, synchronous graph walks.
 */
export interface Condition<M = PassModel> {
  readonly name: string;
  readonly description?: string;
  check(model: M): true | string;
}

/** What one run of one pass changed. Counts are of nodes in the main graph and its subgraphs. */
export interface PassReport {
  readonly pass: string;
  readonly changed: boolean;
  readonly nodesRemoved: number;
  readonly nodesAdded: number;
  /** Graph outputs whose producer, name, type or shape the pass changed. */
  readonly outputsTouched: readonly string[];
  /** One line per decision worth telling a user ("Gather(axis 0, -1) over 6 stacked layers removed"). */
  readonly notes: readonly string[];
  /** Names (or op types when unnamed) of nodes removed / added, for reports and debugging. */
  readonly removed: readonly string[];
  readonly added: readonly string[];
  /** Pass-specific counters (e.g. `{ layerNormsFused: 8 }`). */
  readonly counters: Readonly<Record<string, number>>;
  /** Wall time of the run in milliseconds, filled in by `runPass`. */
  readonly millis?: number;
}

export interface PassResult<M = PassModel> {
  /** The model after the pass. When `changed` is false this may be the input object itself. */
  readonly model: M;
  readonly changed: boolean;
  readonly report: PassReport;
}

/**
 * A graph pass. Contract: `run` never mutates its input model; it returns a new model (or the input, unchanged).
 * `definePass` enforces this by handing the body a private copy. `R` is the Effect context the pass needs
 * (`never` for pure graph rewrites).
 *
 * Call passes through `runPass` or a `PassManager`: they check `requires`/`ensures`, turn throws into
 * `PassCrashed`, time the run and open a span. `run` alone does none of that.
 */
export interface Pass<R = never, M = PassModel> {
  readonly name: string;
  readonly description?: string;
  readonly requires?: readonly Condition<M>[];
  readonly ensures?: readonly Condition<M>[];
  run(model: M): Effect.Effect<PassResult<M>, PassError, R>;
}

/** A report with nothing in it, for passes that found nothing to do. */
export function emptyReport(pass: string): PassReport {
  return {
    pass,
    changed: false,
    nodesRemoved: 0,
    nodesAdded: 0,
    outputsTouched: [],
    notes: [],
    removed: [],
    added: [],
    counters: {},
  };
}
