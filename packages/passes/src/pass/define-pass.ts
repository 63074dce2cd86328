import { Effect } from 'effect';
import type { PassError } from './errors.js';
import { cloneModel, type PassModel } from './model.js';
import type { Condition, Pass, PassResult } from './pass.js';
import { ReportBuilder } from './report-builder.js';

export interface PassDefinition<R, M = PassModel> {
  readonly name: string;
  readonly description?: string;
  readonly requires?: readonly Condition<M>[];
  readonly ensures?: readonly Condition<M>[];
  /**
   * Rewrites `model` in place: it is a private copy of the pass's input, so the caller's model never changes.
   * Record what you did on `report`. Return nothing, or an Effect when the rewrite needs services or may fail.
   */
  apply(model: M, report: ReportBuilder): void | Effect.Effect<void, PassError, R>;
  /** How to copy the model; the IR's own clone by default. Tests of the framework pass their own. */
  readonly clone?: (model: M) => M;
}

/**
 * Makes a `Pass` from a body that edits a copy of the model. When the body reports no change the pass returns
 * its input model object, so unchanged passes cost one copy and nothing downstream.
 */
export function definePass<R = never, M = PassModel>(def: PassDefinition<R, M>): Pass<R, M> {
  const clone = def.clone ?? (cloneModel as unknown as (m: M) => M);
  return {
    name: def.name,
    ...(def.description !== undefined ? { description: def.description } : {}),
    ...(def.requires ? { requires: def.requires } : {}),
    ...(def.ensures ? { ensures: def.ensures } : {}),
    run: (input) =>
      Effect.gen(function* () {
        const model = clone(input);
        const report = new ReportBuilder(def.name);
        const out = def.apply(model, report);
        if (Effect.isEffect(out)) yield* out;
        const built = report.build();
        const result: PassResult<M> = {
          model: built.changed ? model : input,
          changed: built.changed,
          report: built,
        };
        return result;
      }),
  };
}
