import { InvalidArgumentError } from '@trtkit/core';
import { Effect } from 'effect';
import { PassCrashed, PreconditionFailed } from '../../pass/errors.js';
import { modelFromProto } from '../../pass/graph/index.js';
import type { PassModel } from '../../pass/model.js';
import type { Pass, PassReport } from '../../pass/pass.js';
import { parseInputShapes, type SimplifyOptions } from './options.js';
import { simplifyModel } from './simplify.js';

/**
 * The simplify pass with these options. Knobs are checked here (a bad `inputShapes` string throws
 * InvalidArgumentError now, not mid-pipeline); an input name the model lacks fails the run with PreconditionFailed.
 */
export function makeSimplifyPass(options: SimplifyOptions = {}): Pass<never, PassModel> {
  if (typeof options.inputShapes === 'string' || Array.isArray(options.inputShapes)) {
    options = {
      ...options,
      inputShapes: parseInputShapes(options.inputShapes as string | readonly string[]),
    };
  }
  const name = 'simplify';
  return {
    name,
    description: 'shape inference, constant folding, identity/duplicate/dead-code removal to a fixpoint',
    run: (model) =>
      Effect.tryPromise({
        try: () => simplifyModel(model.toProto(), options),
        catch: (e) =>
          e instanceof InvalidArgumentError
            ? new PreconditionFailed(name, 'inputShapes', e.message, { hint: e.hint })
            : new PassCrashed(name, e),
      }).pipe(
        Effect.map(({ model: out, report: r }) => {
          // Fixing input shapes changes the model even when no node goes.
          const changed =
            r.nodesAfter !== r.nodesBefore ||
            r.initializersAfter !== r.initializersBefore ||
            r.removed.length > 0 ||
            options.inputShapes !== undefined;
          const report: PassReport = {
            pass: name,
            changed,
            nodesRemoved: Math.max(0, r.nodesBefore - r.nodesAfter),
            nodesAdded: 0,
            outputsTouched: [],
            notes: [
              `${r.nodesBefore} -> ${r.nodesAfter} nodes in ${r.iterations} round(s)${r.fixpoint ? '' : ' (iteration limit reached)'}`,
              ...(r.unknownOps.length ? [`no shape rule for: ${r.unknownOps.join(', ')}`] : []),
              ...(r.staticShapeNodesLeft
                ? [`${r.staticShapeNodesLeft} Shape node(s) on static inputs left`]
                : []),
            ],
            removed: r.removed,
            added: [],
            counters: { ...r.counters, staticShapeNodesLeft: r.staticShapeNodesLeft },
          };
          return { model: changed ? modelFromProto(out) : model, changed, report };
        }),
      ),
  };
}

/** simplify with default options (symbolic inputs, 1 MiB cap, no reference backend). */
export const simplify: Pass<never, PassModel> = makeSimplifyPass();
