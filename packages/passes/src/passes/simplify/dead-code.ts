import type { GraphProto } from '@trtkit/core';
import { type ProtoGraph, subgraphsOf } from './proto-graph.js';

/** Every name a subgraph reads (inputs of its nodes, recursively, and its outputs). */
function namesReadIn(g: GraphProto, into: Set<string>): void {
  for (const n of g.node) {
    for (const i of n.input) if (i) into.add(i);
    for (const sg of subgraphsOf(n)) namesReadIn(sg, into);
  }
  for (const o of g.output) into.add(o.name);
}

/**
 * Removes nodes no graph output depends on, then initializers and value_info nobody reads. Graph inputs
 * stay (they are the model's interface). Returns the number of nodes removed.
 */
export function removeDeadCode(pg: ProtoGraph, names: string[]): number {
  const g = pg.graph;
  const live = new Set(pg.outputs);
  let removed = 0;
  for (let k = g.node.length - 1; k >= 0; k--) {
    const n = g.node[k];
    if (!n) continue;
    if (!n.output.some((o) => o && live.has(o))) {
      pg.remove(n);
      names.push(n.name || n.opType);
      removed++;
      continue;
    }
    for (const i of n.input) if (i) live.add(i);
    for (const sg of subgraphsOf(n)) namesReadIn(sg, live);
  }
  pg.commit();
  g.initializer = g.initializer.filter((t) => live.has(t.name) || pg.inputs.has(t.name));
  const present = new Set<string>();
  for (const n of g.node) for (const o of n.output) present.add(o);
  g.valueInfo = g.valueInfo.filter((v) => present.has(v.name));
  return removed;
}
