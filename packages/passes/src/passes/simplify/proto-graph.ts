import type { GraphProto, NodeProto } from '@trtkit/core';

/** A use of a value: input `index` of `node` (a node of the main graph or of any subgraph under it). */
export interface Use {
  readonly node: NodeProto;
  readonly index: number;
}

/** Subgraphs held by a node's attributes (If branches, Loop/Scan bodies). */
export function subgraphsOf(node: NodeProto): GraphProto[] {
  const out: GraphProto[] = [];
  for (const a of node.attribute) {
    if (a.g) out.push(a.g);
    for (const g of a.graphs) out.push(g);
  }
  return out;
}

function addUse(uses: Map<string, Use[]>, name: string, use: Use): void {
  const list = uses.get(name);
  if (list) list.push(use);
  else uses.set(name, [use]);
}

function collectUses(g: GraphProto, uses: Map<string, Use[]>): void {
  for (const node of g.node) {
    node.input.forEach((name, index) => {
      if (name) addUse(uses, name, { node, index });
    });
    for (const sg of subgraphsOf(node)) {
      collectUses(sg, uses);
      // A subgraph output can name an outer value directly.
      for (const o of sg.output) addUse(uses, o.name, { node, index: -1 });
    }
  }
}

/**
 * Producer and use links over the main graph of a ModelProto (uses include nodes inside subgraphs, which read
 * outer values by name). Cheap to rebuild: each sub-pass builds one, edits the protos, and drops it.
 */
export class ProtoGraph {
  readonly producer = new Map<string, NodeProto>();
  readonly uses = new Map<string, Use[]>();
  readonly outputs: Set<string>;
  readonly inputs: Set<string>;
  readonly initializers: Set<string>;
  readonly removed = new Set<NodeProto>();

  constructor(readonly graph: GraphProto) {
    for (const n of graph.node) for (const o of n.output) if (o) this.producer.set(o, n);
    collectUses(graph, this.uses);
    this.outputs = new Set(graph.output.map((o) => o.name));
    this.inputs = new Set(graph.input.map((i) => i.name));
    this.initializers = new Set(graph.initializer.map((t) => t.name));
  }

  usesOf(name: string): readonly Use[] {
    return this.uses.get(name) ?? [];
  }

  /** Points every use of `from` at `to` (main graph and subgraphs). `from` must not be a graph output. */
  replaceUses(from: string, to: string): void {
    const list = this.uses.get(from) ?? [];
    for (const u of list) {
      if (u.index >= 0) u.node.input[u.index] = to;
      else for (const sg of subgraphsOf(u.node)) for (const o of sg.output) if (o.name === from) o.name = to;
    }
    const target = this.uses.get(to) ?? [];
    target.push(...list);
    this.uses.set(to, target);
    this.uses.delete(from);
  }

  /** Renames the value `from` (produced by a node) to `to`, everywhere. */
  rename(from: string, to: string): void {
    const p = this.producer.get(from);
    if (p) {
      p.output = p.output.map((o) => (o === from ? to : o));
      this.producer.delete(from);
      this.producer.set(to, p);
    }
    this.replaceUses(from, to);
  }

  remove(node: NodeProto): void {
    this.removed.add(node);
  }

  /** Drops removed nodes from the graph. */
  commit(): void {
    if (this.removed.size > 0) this.graph.node = this.graph.node.filter((n) => !this.removed.has(n));
  }
}

/** Node count of a graph, subgraphs included. */
export function countNodes(g: GraphProto): number {
  let n = 0;
  for (const node of g.node) {
    n++;
    for (const sg of subgraphsOf(node)) n += countNodes(sg);
  }
  return n;
}
