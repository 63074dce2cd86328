import { type InferOptions, inferModel } from '../shape/infer-graph.js';
import type { Model } from './model.js';

/**
 * Runs shape and dtype inference over the model and stores each value's result in `value.inferred`.
 * Returns the op types no rule covers. Re-run after edits that change shapes.
 */
export function inferShapes(model: Model, options: InferOptions = {}): Set<string> {
  const result = inferModel(model.toProto(), options);
  const g = model.graph;
  for (const v of [...g.inputs, ...g.initializers]) v.inferred = result.infos.get(v.name);
  for (const n of g.nodes) for (const o of n.outputs) o.inferred = result.infos.get(o.name);
  return result.unknownOps;
}
