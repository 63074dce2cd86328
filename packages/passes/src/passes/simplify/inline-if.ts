import { createProto, type InferResult, type NodeProto, NodeProtoSchema } from '@trtkit/core';
import type { ProtoGraph } from './proto-graph.js';
import { subgraphsOf } from './proto-graph.js';

function namesDefinedIn(nodes: readonly NodeProto[], into: Set<string>): void {
  for (const n of nodes) {
    for (const o of n.output) if (o) into.add(o);
    for (const g of subgraphsOf(n)) {
      for (const t of g.initializer) into.add(t.name);
      for (const i of g.input) into.add(i.name);
      namesDefinedIn(g.node, into);
    }
  }
}

/**
 * Replaces an `If` whose condition is a known constant by the nodes of the branch it takes. Branch values
 * keep their names (ONNX names are unique across a graph and its subgraphs; a clash skips the If); the branch's
 * outputs take the If's output names. Returns the number of If nodes inlined.
 */
export function inlineConstantIfs(pg: ProtoGraph, inferred: InferResult, names: string[]): number {
  const g = pg.graph;
  const outer = new Set<string>([...pg.inputs, ...pg.initializers]);
  namesDefinedIn(g.node, outer);
  let inlined = 0;
  const next: NodeProto[] = [];
  for (const node of g.node) {
    const cond =
      node.opType === 'If' && (node.domain === '' || node.domain === 'ai.onnx')
        ? inferred.infos.get(node.input[0] ?? '')?.value
        : undefined;
    const branch =
      cond && cond.data.length === 1
        ? node.attribute.find((a) => a.name === (Number(cond.data[0]) ? 'then_branch' : 'else_branch'))?.g
        : undefined;
    if (!branch || branch.output.length !== node.output.length) {
      next.push(node);
      continue;
    }
    // Names the branch defines must not already exist outside it.
    const own = new Set<string>(branch.initializer.map((t) => t.name));
    namesDefinedIn(branch.node, own);
    const clash = [...own].some(
      (n) => pg.producer.get(n) !== undefined || pg.inputs.has(n) || pg.initializers.has(n),
    );
    if (clash) {
      next.push(node);
      continue;
    }
    const rename = new Map<string, string>();
    const extra: NodeProto[] = [];
    branch.output.forEach((o, i) => {
      const target = node.output[i];
      if (!target) return;
      const producedInside = branch.node.some((n) => n.output.includes(o.name));
      if (producedInside && !rename.has(o.name)) rename.set(o.name, target);
      else
        extra.push(createProto(NodeProtoSchema, { opType: 'Identity', input: [o.name], output: [target] }));
    });
    const moved = branch.node.map((n) => {
      n.output = n.output.map((x) => rename.get(x) ?? x);
      n.input = n.input.map((x) => rename.get(x) ?? x);
      return n;
    });
    g.initializer.push(...branch.initializer);
    next.push(...moved, ...extra);
    names.push(node.name || 'If');
    inlined++;
  }
  if (inlined > 0) g.node = next;
  return inlined;
}
