import { create } from '@bufbuild/protobuf';
import {
  type GraphProto,
  type ModelProto,
  type NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  type ValueInfoProto,
} from '../onnx/schema.js';
import { subgraphsOf } from './attributes.js';
import { UndefinedTensorError } from './errors.js';
import { Graph, toposorted } from './graph.js';
import { withFields } from './message.js';
import { Node } from './node.js';
import { IrTensor as IrTensorOf } from './tensor.js';
import { typeKey, Value } from './value.js';
import { declaredOf, valueInfoOf } from './value-info.js';

/**
 * A model: the main graph as a mutable IR plus everything else of the file (functions, metadata, opsets), which
 * `toProto` writes back untouched. With no edit, `toProto` gives back a message equal to the one loaded.
 */
export class Model {
  private constructor(
    readonly proto: ModelProto,
    readonly graph: Graph,
  ) {}

  /**
   * Builds the IR. Nodes listed out of execution order are sorted; a read of a tensor nothing defines is an
   * UndefinedTensorError; a dependency cycle a GraphCycleError.
   */
  static fromProto(proto: ModelProto): Model {
    const g = proto.graph;
    const graph = new Graph();
    if (!g) return new Model(proto, graph);
    const values = new Map<string, Value>();
    const info = new Map<string, ValueInfoProto>();
    for (const vi of [...g.valueInfo, ...g.input, ...g.output]) info.set(vi.name, vi);
    const get = (name: string): Value => {
      let v = values.get(name);
      if (!v) {
        const vi = info.get(name);
        const { dtype, dims } = declaredOf(vi);
        v = new Value(name, dtype, dims);
        if (vi) v.declared = { proto: vi, key: typeKey(dtype, dims) };
        values.set(name, v);
        graph.reserve(name);
      }
      return v;
    };
    for (const t of g.initializer) {
      const v = get(t.name);
      v.initializer = new IrTensorOf(t);
      graph.initializers.push(v);
    }
    graph.inputs = g.input.map((i) => get(i.name));
    const produced = new Set<string>();
    for (const n of g.node) for (const o of n.output) if (o) produced.add(o);
    for (const n of g.node) {
      const node = new Node(n.opType ?? '', n.domain ?? '', n.name ?? '', [...n.attribute], n);
      if (n.name) graph.reserve(n.name);
      for (const [i, name] of n.input.entries()) {
        if (name === '') {
          node.inputs.push(undefined);
          continue;
        }
        if (!values.has(name) && !produced.has(name) && !info.has(name))
          throw new UndefinedTensorError(name, n.name || n.opType);
        const v = get(name);
        if (!v.initializer && !produced.has(name) && !graph.inputs.includes(v))
          throw new UndefinedTensorError(name, n.name || n.opType);
        node.setInput(i, v);
      }
      for (const name of n.output) {
        const o = get(name);
        o.producer = node;
        node.outputs.push(o);
      }
      graph.nodes.push(node);
    }
    graph.outputs = g.output.map((o) => get(o.name));
    graph.nodes = toposorted(graph.nodes);
    for (const name of outerReads(g)) {
      const v = values.get(name);
      if (v) graph.pinned.add(v);
    }
    for (const v of graph.initializers) if (v.uses.length === 0) graph.keptUnused.add(v);
    return new Model(proto, graph);
  }

  /** The model as a ModelProto (weights shared, not copied). */
  toProto(): ModelProto {
    const src = this.proto.graph;
    if (!src) return this.proto;
    const g = this.graph;
    const node: NodeProto[] = g.nodes.map(nodeProtoOf);
    const used = new Set<Value>(g.outputs);
    for (const n of g.nodes) for (const v of n.inputs) if (v) used.add(v);
    for (const v of g.inputs) used.add(v);
    const initializer = g.initializers
      .filter((v) => used.has(v) || g.pinned.has(v) || g.keptUnused.has(v))
      .map((v) => {
        const t = v.initializer?.proto;
        if (!t) throw new Error(`initializer ${v.name} lost its tensor`);
        return t.name === v.name ? t : withFields(t, { name: v.name });
      });
    const io = new Set<Value>([...g.inputs, ...g.outputs]);
    const current = new Map<string, Value>();
    for (const v of [...g.inputs, ...initializerValues(g, initializer)]) current.set(v.name, v);
    for (const n of g.nodes) for (const o of n.outputs) current.set(o.name, o);
    const emitted = new Set<Value>();
    const valueInfo: ValueInfoProto[] = [];
    // The file's own entries first, in its order; entries for names the loaded graph never defined stay as they were.
    for (const vi of src.valueInfo) {
      const v = current.get(vi.name);
      if (!v) {
        if (!this.#definedAnywhere(vi.name)) valueInfo.push(vi);
        continue;
      }
      if (emitted.has(v)) continue;
      emitted.add(v);
      valueInfo.push(valueInfoOf(v));
    }
    for (const n of g.nodes)
      for (const o of n.outputs)
        if (o.dtype && !io.has(o) && !emitted.has(o)) {
          emitted.add(o);
          valueInfo.push(valueInfoOf(o));
        }
    const graph: GraphProto = withFields(src, {
      node,
      initializer,
      input: g.inputs.map(valueInfoOf),
      output: g.outputs.map(valueInfoOf),
      valueInfo,
    });
    return withFields(this.proto, { graph, opsetImport: [...this.proto.opsetImport] });
  }

  /** Whether `name` was a value of the loaded graph (renamed or removed since) rather than a dangling entry. */
  #definedAnywhere(name: string): boolean {
    const g = this.proto.graph;
    if (!g) return false;
    this.#loadedNames ??= new Set([
      ...g.input.map((i) => i.name),
      ...g.initializer.map((t) => t.name),
      ...g.node.flatMap((n) => n.output),
    ]);
    return this.#loadedNames.has(name);
  }
  #loadedNames: Set<string> | undefined;

  opset(domain: string): number | undefined {
    const o = this.proto.opsetImport.find(
      (x) => x.domain === domain || (domain === '' && x.domain === 'ai.onnx'),
    );
    return o ? Number(o.version) : undefined;
  }
  setOpset(domain: string, version: number): void {
    const at = this.proto.opsetImport.findIndex((x) => x.domain === domain);
    const entry = create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) });
    const list = [...this.proto.opsetImport];
    if (at >= 0) list[at] = entry;
    else list.push(entry);
    (this.proto as { opsetImport: unknown }).opsetImport = list;
  }
  /** An independent copy (weights shared: they are never mutated in place). */
  clone(): Model {
    return Model.fromProto(this.toProto());
  }
}

/** The node as a NodeProto; a loaded node keeps its message's other fields, and unset strings stay unset. */
function nodeProtoOf(n: Node): NodeProto {
  const input = n.inputs.map((v) => v?.name ?? '');
  const output = n.outputs.map((v) => v.name);
  const src = n.source;
  if (!src)
    return create(NodeProtoSchema, {
      opType: n.opType,
      domain: n.domain,
      name: n.name,
      input,
      output,
      attribute: n.attrs,
    });
  const out = withFields(src, { input, output, attribute: n.attrs }) as {
    -readonly [K in keyof NodeProto]: NodeProto[K];
  };
  // proto2 optional strings: '' and unset read the same; keep the message as it was unless the text changed.
  if ((src.opType ?? '') !== n.opType) out.opType = n.opType;
  if ((src.domain ?? '') !== n.domain) out.domain = n.domain;
  if ((src.name ?? '') !== n.name) out.name = n.name;
  return out as NodeProto;
}

function initializerValues(g: Graph, kept: readonly { name: string }[]): Value[] {
  const names = new Set(kept.map((t) => t.name));
  return g.initializers.filter((v) => names.has(v.name));
}

/** Names read inside subgraph bodies that the bodies do not define themselves (outer-scope reads). */
function outerReads(g: GraphProto): Set<string> {
  const out = new Set<string>();
  const visit = (sg: GraphProto, outer: ReadonlySet<string>) => {
    const own = new Set<string>([...sg.input.map((i) => i.name), ...sg.initializer.map((t) => t.name)]);
    for (const n of sg.node) {
      for (const i of n.input) if (i && !own.has(i) && !outer.has(i)) out.add(i);
      for (const inner of subgraphsOf(n.attribute)) visit(inner, new Set([...outer, ...own]));
      for (const o of n.output) own.add(o);
    }
  };
  for (const n of g.node) for (const sg of subgraphsOf(n.attribute)) visit(sg, new Set());
  return out;
}
