import type { GraphProto, InferResult } from '@trtkit/core';
import type { ProtoGraph } from './proto-graph.js';
import { hostBytes, tensorProtoOf } from './tensors.js';

/** Ops never folded: their output is not a function of their inputs alone. */
export const NONDETERMINISTIC = new Set([
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Bernoulli',
  'Multinomial',
  // Random in training mode; in inference it is removed as a pass-through instead.
  'Dropout',
]);

/**
 * Replaces every node whose outputs inference computed (Shape of a static tensor, shape arithmetic, small
 * constant math, Constant nodes) by initializers, when each output is within the size cap and none is a graph
 * output. Returns the number of nodes folded.
 */
export function foldConstants(
  pg: ProtoGraph,
  inferred: InferResult,
  capBytes: number,
  names: string[],
): number {
  const g: GraphProto = pg.graph;
  let folded = 0;
  for (const node of g.node) {
    if (NONDETERMINISTIC.has(node.opType) || node.output.length === 0) continue;
    if (node.domain !== '' && node.domain !== 'ai.onnx') continue;
    const values = node.output.map((o) => (o ? inferred.infos.get(o)?.value : undefined));
    if (values.some((v) => !v || hostBytes(v) > capBytes)) continue;
    if (node.output.some((o) => pg.outputs.has(o))) continue;
    node.output.forEach((o, i) => {
      const v = values[i];
      if (o && v) g.initializer.push(tensorProtoOf(o, v));
    });
    pg.remove(node);
    names.push(node.name || node.opType);
    folded++;
  }
  pg.commit();
  return folded;
}
