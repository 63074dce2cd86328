import type { Backend, ModelProto } from '@trtkit/core';
import { Context, Data, Effect } from 'effect';
import { VerificationFailed } from '../pass/errors.js';
import { type BisectResult, bisect } from './bisect.js';
import { type CompareModelsOptions, compareModels, type ModelComparison } from './compare-models.js';

/** The backend passes are verified against (ONNX Runtime in practice), provided as an Effect service. */
export class ReferenceBackend extends Context.Tag('trtkit/ReferenceBackend')<ReferenceBackend, Backend>() {}

/** The reference backend could not build or run one of the models. */
export class VerificationError extends Data.TaggedError('VerificationError')<{
  readonly message: string;
  readonly cause: unknown;
}> {}

/** Effect form of compareModels: fails with VerificationFailed (bisected when asked) instead of returning pass=false. */
export const verifyModels = (
  reference: ModelProto,
  candidate: ModelProto,
  options: CompareModelsOptions = {},
): Effect.Effect<ModelComparison, VerificationFailed | VerificationError, ReferenceBackend> =>
  Effect.gen(function* () {
    const backend = yield* ReferenceBackend;
    const comparison = yield* Effect.tryPromise({
      try: () => compareModels(backend, reference, candidate, options),
      catch: (cause) =>
        new VerificationError({ message: `the reference backend failed: ${String(cause)}`, cause }),
    });
    if (!comparison.pass) {
      const bad = comparison.outputs.filter((o) => !o.pass).map((o) => `${o.name}: ${o.reason}`);
      const where = comparison.bisect?.firstDivergent;
      const at = where
        ? `; first divergent node '${where.nodeName}' (${where.opType}) output '${where.output}'`
        : '';
      return yield* Effect.fail(
        new VerificationFailed('verifyModels', `${bad.join('; ')}${at}`, comparison, where?.nodeName),
      );
    }
    return comparison;
  }).pipe(Effect.withSpan('verifyModels'));

export const bisectModels = (
  reference: ModelProto,
  candidate: ModelProto,
  inputs: Parameters<typeof bisect>[3],
): Effect.Effect<BisectResult, VerificationError, ReferenceBackend> =>
  Effect.gen(function* () {
    const backend = yield* ReferenceBackend;
    return yield* Effect.tryPromise({
      try: () => bisect(backend, reference, candidate, inputs),
      catch: (cause) => new VerificationError({ message: `bisect failed: ${String(cause)}`, cause }),
    });
  });
