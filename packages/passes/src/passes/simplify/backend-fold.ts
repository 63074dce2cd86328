import {
  type Backend,
  createProto,
  DTYPES,
  elementCount,
  encodeModel,
  GraphProtoSchema,
  type HostTensor,
  type InferResult,
  type ModelProto,
  ModelProtoSchema,
  type NodeProto,
  type TensorProto,
  typeFromInfo,
  ValueInfoProtoSchema,
} from '@trtkit/core';
import { NONDETERMINISTIC } from './fold.js';
import { type ProtoGraph, subgraphsOf } from './proto-graph.js';
import { tensorProtoOf } from './tensors.js';

/**
 * Folds constant subgraphs the TypeScript evaluator left (float math on weights, ops it does not implement) by
 * running them once on the reference backend. Only results of known size within `capBytes` are folded; a node
 * whose result is too big stays, and so do the nodes that feed it. Returns the number of nodes folded.
 */
export async function backendFold(
  model: ModelProto,
  pg: ProtoGraph,
  inferred: InferResult,
  backend: Backend,
  capBytes: number,
  names: string[],
): Promise<number> {
  const g = pg.graph;
  const constNames = new Set<string>(g.initializer.filter((t) => !pg.inputs.has(t.name)).map((t) => t.name));
  const foldable = new Set<NodeProto>();
  for (const n of g.node) {
    if (NONDETERMINISTIC.has(n.opType) || subgraphsOf(n).length > 0 || n.output.length === 0) continue;
    if (n.domain !== '' && n.domain !== 'ai.onnx') continue;
    if (!n.input.every((i) => !i || constNames.has(i))) continue;
    foldable.add(n);
    for (const o of n.output) if (o) constNames.add(o);
  }
  if (foldable.size === 0) return 0;
  const sizeOk = (name: string): boolean => {
    const info = inferred.infos.get(name);
    if (
      !info?.dtype ||
      info.dtype === 'string' ||
      !info.dims ||
      !info.dims.every((d) => typeof d === 'number')
    )
      return false;
    return elementCount(info.dims as number[]) * DTYPES[info.dtype].bytes <= capBytes;
  };
  // Shrink the set until every value leaving it (read by a node outside it, or a graph output) can be folded.
  for (;;) {
    let changed = false;
    for (const n of foldable) {
      const leaves = n.output.filter(
        (o) => o && (pg.outputs.has(o) || pg.usesOf(o).some((u) => !foldable.has(u.node))),
      );
      if (leaves.some((o) => pg.outputs.has(o) || !sizeOk(o))) {
        foldable.delete(n);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const frontier: string[] = [];
  for (const n of foldable) {
    for (const o of n.output) if (o && pg.usesOf(o).some((u) => !foldable.has(u.node))) frontier.push(o);
  }
  if (frontier.length === 0) return 0;
  const nodes = g.node.filter((n) => foldable.has(n));
  const needed = new Set<string>();
  for (const n of nodes) for (const i of n.input) if (i) needed.add(i);
  const inits: TensorProto[] = g.initializer.filter((t) => needed.has(t.name));
  const sub = createProto(ModelProtoSchema, {
    irVersion: model.irVersion,
    opsetImport: model.opsetImport,
    graph: createProto(GraphProtoSchema, {
      name: 'constant_subgraph',
      node: nodes,
      initializer: inits,
      output: frontier.map((name) => {
        const type = typeFromInfo(inferred.infos.get(name) ?? {});
        return createProto(ValueInfoProtoSchema, { name, ...(type ? { type } : {}) });
      }),
    }),
  });
  const engine = await backend.build(encodeModel(sub));
  try {
    const out = await engine.run({});
    if (frontier.some((name) => !out[name])) return 0;
    for (const name of frontier) g.initializer.push(tensorProtoOf(name, out[name] as HostTensor));
  } finally {
    await engine.dispose();
  }
  // The folded nodes are now dead: every value leaving the set is an initializer of the same name.
  for (const n of nodes) {
    for (const o of n.output) pg.producer.delete(o);
    pg.remove(n);
    names.push(n.name || n.opType);
  }
  pg.commit();
  return nodes.length;
}
