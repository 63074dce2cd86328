import { Effect } from 'effect';
import { FixpointNotReached, type PassError, VerificationFailed } from './errors.js';
import type { PassModel } from './model.js';
import type { Pass, PassReport } from './pass.js';
import { runPass } from './run-pass.js';

/**
 * Checks that `after` computes what `before` did. Fails with `VerificationFailed` when not.
 * `verifyWith` in `verify/` builds one on the reference backend; tests may pass their own.
 */
export type Verifier<R = never, M = PassModel> = (
  before: M,
  after: M,
  pass: string,
) => Effect.Effect<unknown, VerificationFailed, R>;

/** One step of a pipeline: a pass, or a group of passes repeated until none changes the model. */
export type Step<R = never, M = PassModel> =
  | Pass<R, M>
  | { readonly fixpoint: readonly Pass<R, M>[]; readonly maxIterations?: number };

export interface PipelineOptions<RV = never, M = PassModel> {
  /** Checks each pass that changed the model (after the pass, before the next one runs). */
  readonly verify?: Verifier<RV, M>;
  /** Iteration limit for fixpoint groups that name none; 10 by default. */
  readonly maxIterations?: number;
  /** Fail with `FixpointNotReached` when a group hits its limit (default); false keeps the last model. */
  readonly strictFixpoint?: boolean;
}

export interface PipelineResult<M = PassModel> {
  readonly model: M;
  readonly changed: boolean;
  /** One report per pass run, in order (a fixpoint group contributes one per pass per iteration). */
  readonly reports: readonly PassReport[];
}

export type PipelineError = PassError | FixpointNotReached;

type FixpointStep<R, M> = Extract<Step<R, M>, { readonly fixpoint: unknown }>;

function isFixpoint<R, M>(s: Step<R, M>): s is FixpointStep<R, M> {
  return 'fixpoint' in s;
}

/** Runs steps in order, threading the model through; see `PassManager` for the builder form. */
export function runPipeline<R, RV = never, M = PassModel>(
  steps: readonly Step<R, M>[],
  model: M,
  options: PipelineOptions<RV, M> = {},
): Effect.Effect<PipelineResult<M>, PipelineError, R | RV> {
  return Effect.gen(function* () {
    const reports: PassReport[] = [];
    let current = model;
    let changedAny = false;

    const one = (pass: Pass<R, M>) =>
      Effect.gen(function* () {
        const result = yield* runPass(pass, current);
        if (result.changed && options.verify) {
          yield* options
            .verify(current, result.model, pass.name)
            .pipe(Effect.withSpan(`verify ${pass.name}`));
        }
        reports.push(result.report);
        current = result.model;
        changedAny ||= result.changed;
        return result.changed;
      });

    for (const step of steps) {
      if (!isFixpoint(step)) {
        yield* one(step);
        continue;
      }
      const limit = step.maxIterations ?? options.maxIterations ?? 10;
      const names = step.fixpoint.map((p) => p.name);
      let iteration = 0;
      let changed = true;
      while (changed && iteration < limit) {
        iteration++;
        changed = false;
        for (const pass of step.fixpoint) changed = (yield* one(pass)) || changed;
      }
      yield* Effect.logDebug(`fixpoint [${names.join(', ')}]: ${iteration} iteration(s)`);
      if (changed && (options.strictFixpoint ?? true))
        return yield* Effect.fail(new FixpointNotReached(names, limit));
    }
    const total = reports.reduce((n, r) => n + r.nodesRemoved - r.nodesAdded, 0);
    yield* Effect.logDebug(`${reports.length} pass run(s), net ${total} node(s) removed`);
    return { model: current, changed: changedAny, reports };
  }).pipe(Effect.withSpan('pipeline'));
}

/**
 * A builder over `runPipeline`:
 * `new PassManager().add(removeAuxHeads).fixpoint([fixGather, simplify]).run(model, { verify })`.
 * Immutable: each call returns a new manager.
 */
export class PassManager<R = never, M = PassModel> {
  constructor(readonly steps: readonly Step<R, M>[] = []) {}

  add<R2>(...passes: readonly Pass<R2, M>[]): PassManager<R | R2, M> {
    return new PassManager<R | R2, M>([...this.steps, ...passes]);
  }

  fixpoint<R2>(passes: readonly Pass<R2, M>[], maxIterations?: number): PassManager<R | R2, M> {
    const step = maxIterations === undefined ? { fixpoint: passes } : { fixpoint: passes, maxIterations };
    return new PassManager<R | R2, M>([...this.steps, step]);
  }

  run<RV = never>(
    model: M,
    options?: PipelineOptions<RV, M>,
  ): Effect.Effect<PipelineResult<M>, PipelineError, R | RV> {
    return runPipeline(this.steps, model, options);
  }
}

/** Verifier from a plain async check, for callers without Effect: resolve `true`, or a reason it failed. */
export function verifierFromPromise<M = PassModel>(
  check: (before: M, after: M, pass: string) => Promise<true | string>,
): Verifier<never, M> {
  return (before, after, pass) =>
    Effect.tryPromise({
      try: () => check(before, after, pass),
      catch: (e) =>
        new VerificationFailed(pass, `verifier threw: ${e instanceof Error ? e.message : String(e)}`, e),
    }).pipe(Effect.flatMap((r) => (r === true ? Effect.void : Effect.fail(new VerificationFailed(pass, r)))));
}
