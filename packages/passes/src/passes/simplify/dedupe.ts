import { toBinary } from '@bufbuild/protobuf';
import { AttributeProtoSchema, type NodeProto } from '@trtkit/core';
import { NONDETERMINISTIC } from './fold.js';
import { type ProtoGraph, subgraphsOf } from './proto-graph.js';
import { constantKey } from './tensors.js';

/** Initializers with equal dtype, dims and bytes become one. Returns the number dropped. */
export function dedupeConstants(pg: ProtoGraph, maxBytes = 1 << 16): number {
  const seen = new Map<string, string>();
  let dropped = 0;
  const drop = new Set<string>();
  for (const t of pg.graph.initializer) {
    if (pg.inputs.has(t.name) || pg.outputs.has(t.name)) continue;
    const key = constantKey(t, maxBytes);
    if (key === undefined) continue;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, t.name);
      continue;
    }
    pg.replaceUses(t.name, first);
    drop.add(t.name);
    dropped++;
  }
  if (drop.size) pg.graph.initializer = pg.graph.initializer.filter((t) => !drop.has(t.name));
  return dropped;
}

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

function nodeKey(node: NodeProto): string | undefined {
  if (subgraphsOf(node).length > 0 || NONDETERMINISTIC.has(node.opType)) return undefined;
  const attrs = [...node.attribute]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((a) => latin1(toBinary(AttributeProtoSchema, a)))
    .join('\u0001');
  return `${node.domain}|${node.opType}|${node.overload}|${node.output.length}|${node.input.join('\u0002')}|${attrs}`;
}

/** Nodes computing the same op on the same inputs with the same attributes become one. Returns the number removed. */
export function eliminateCommonSubexpressions(pg: ProtoGraph, names: string[]): number {
  const seen = new Map<string, NodeProto>();
  let removed = 0;
  for (const node of pg.graph.node) {
    // Inputs were already rewritten for earlier duplicates, so chains of duplicates collapse in one sweep.
    const key = nodeKey(node);
    if (key === undefined) continue;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, node);
      continue;
    }
    if (node.output.some((o) => o && pg.outputs.has(o))) continue;
    node.output.forEach((o, i) => {
      const to = first.output[i];
      if (o && to) pg.replaceUses(o, to);
    });
    pg.remove(node);
    names.push(node.name || node.opType);
    removed++;
  }
  pg.commit();
  return removed;
}
