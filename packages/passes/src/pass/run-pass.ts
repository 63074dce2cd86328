import { Cause, Effect, Exit } from 'effect';
import { firstFailing } from './condition.js';
import { PassCrashed, type PassError, PostconditionFailed, PreconditionFailed } from './errors.js';
import type { PassModel } from './model.js';
import type { Pass, PassResult } from './pass.js';

/**
 * Runs one pass the way the manager does: checks `requires`, runs it in a span named `pass <name>`,
 * turns a throw (a defect) into `PassCrashed`, checks `ensures` on the result and records wall time.
 */
export function runPass<R, M = PassModel>(
  pass: Pass<R, M>,
  model: M,
): Effect.Effect<PassResult<M>, PassError, R> {
  return Effect.gen(function* () {
    const pre = yield* Effect.try({
      try: () => firstFailing(pass.requires, model),
      catch: (e) => new PassCrashed(pass.name, e),
    });
    if (pre) return yield* Effect.fail(new PreconditionFailed(pass.name, pre.condition.name, pre.reason));

    const started = performance.now();
    // `suspend` catches throws while building the effect; `exit` + die check catches throws inside it.
    const exit = yield* Effect.exit(Effect.suspend(() => pass.run(model)));
    if (Exit.isFailure(exit)) {
      const failure = Cause.failureOption(exit.cause);
      if (failure._tag === 'Some') return yield* Effect.fail(failure.value);
      if (Cause.isInterruptedOnly(exit.cause)) return yield* Effect.interrupt;
      return yield* Effect.fail(new PassCrashed(pass.name, Cause.squash(exit.cause)));
    }
    const result = exit.value;
    const millis = performance.now() - started;

    const post = yield* Effect.try({
      try: () => firstFailing(pass.ensures, result.model),
      catch: (e) => new PassCrashed(pass.name, e),
    });
    if (post) return yield* Effect.fail(new PostconditionFailed(pass.name, post.condition.name, post.reason));
    yield* Effect.annotateCurrentSpan({
      'pass.changed': result.changed,
      'pass.nodesRemoved': result.report.nodesRemoved,
      'pass.nodesAdded': result.report.nodesAdded,
    });
    if (result.changed)
      yield* Effect.logDebug(
        `${pass.name}: -${result.report.nodesRemoved} +${result.report.nodesAdded} nodes${
          result.report.notes.length ? `; ${result.report.notes.join('; ')}` : ''
        }`,
      );
    return { ...result, report: { ...result.report, millis } };
  }).pipe(Effect.annotateLogs('pass', pass.name), Effect.withSpan(`pass ${pass.name}`));
}
