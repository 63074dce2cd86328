// INTERIM: a small mutable graph over ModelProto (producer/use links), implementing exactly the primitives
// `ir.ts` names, so passes, the CLI and tests run before @trtkit/core exports its IR. When it does, `ir.ts`
// re-exports core's types, `modelFromProto` calls core's `Model.fromProto`, and this file goes.
import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT,
  type AttributeProto,
  AttributeProtoSchema,
  cloneProto,
  DTYPES,
  type DType,
  dtypeFromOnnx,
  type ModelProto,
  type NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  tensorBytes,
  typedView,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from '@trtkit/core';
import type * as IR from './ir.js';

class PTensor implements IR.TensorLike {
  constructor(readonly proto: TensorProto) {}
  get dtype(): string {
    return dtypeFromOnnx(this.proto.dataType) ?? `onnx:${this.proto.dataType}`;
  }
  get dims(): number[] {
    return this.proto.dims.map(Number);
  }
  data(): ArrayLike<number | bigint> {
    return typedView(tensorBytes(this.proto), this.proto.dataType) as ArrayLike<number | bigint>;
  }
}

function makeTensor(
  name: string,
  dtype: string,
  dims: readonly number[],
  data: ArrayLike<number | bigint>,
): TensorProto {
  const d = dtype as DType;
  const code = DTYPES[d].onnx;
  let bytes: Uint8Array;
  switch (d) {
    case 'float32':
      bytes = new Uint8Array(Float32Array.from(data as ArrayLike<number>).buffer);
      break;
    case 'float64':
      bytes = new Uint8Array(Float64Array.from(data as ArrayLike<number>).buffer);
      break;
    case 'int64':
      bytes = new Uint8Array(BigInt64Array.from(Array.from(data, (x) => BigInt(x))).buffer);
      break;
    case 'int32':
      bytes = new Uint8Array(Int32Array.from(data as ArrayLike<number>).buffer);
      break;
    case 'bool':
    case 'uint8':
      bytes = Uint8Array.from(data as ArrayLike<number>);
      break;
    default:
      throw new Error(`makeTensor: ${dtype} not supported in tests`);
  }
  return create(TensorProtoSchema, {
    name,
    dataType: code,
    dims: dims.map(BigInt),
    rawData: bytes as Uint8Array<ArrayBuffer>,
  });
}

class PValue implements IR.Value {
  producer: PNode | undefined;
  uses: { node: PNode; index: number }[] = [];
  initializer: PTensor | undefined;
  constructor(
    public name: string,
    public dtype: string | undefined,
    public dims: (number | string | null)[] | undefined,
  ) {}
}

class PNode implements IR.Node {
  inputs: (PValue | undefined)[] = [];
  outputs: PValue[] = [];
  attrs: AttributeProto[];
  constructor(
    public opType: string,
    public domain: string,
    public name: string,
    attrs: AttributeProto[],
  ) {
    this.attrs = attrs;
  }
  getAttr(name: string) {
    const a = this.attrs.find((x) => x.name === name);
    if (!a) return undefined;
    switch (a.type) {
      case AT.INT:
        return { kind: 'int' as const, value: Number(a.i) };
      case AT.INTS:
        return { kind: 'ints' as const, value: a.ints.map(Number) };
      case AT.FLOAT:
        return { kind: 'float' as const, value: a.f };
      case AT.FLOATS:
        return { kind: 'floats' as const, value: [...a.floats] };
      case AT.STRING:
        return { kind: 'string' as const, value: new TextDecoder().decode(a.s) };
      case AT.TENSOR:
        return { kind: 'tensor' as const, value: a.t ? new PTensor(a.t) : undefined };
      default:
        return { kind: 'other' as const, value: a };
    }
  }
  setAttr(name: string, kind: 'int' | 'ints' | 'float', value: number | number[]): void {
    const a = create(AttributeProtoSchema, { name });
    if (kind === 'int') Object.assign(a, { type: AT.INT, i: BigInt(value as number) });
    else if (kind === 'ints') Object.assign(a, { type: AT.INTS, ints: (value as number[]).map(BigInt) });
    else Object.assign(a, { type: AT.FLOAT, f: value as number });
    this.attrs = [...this.attrs.filter((x) => x.name !== name), a];
  }
  setInput(i: number, v: IR.Value | undefined): void {
    const old = this.inputs[i];
    if (old) {
      const k = old.uses.findIndex((u) => u.node === this && u.index === i);
      if (k >= 0) old.uses.splice(k, 1);
    }
    this.inputs[i] = v as PValue | undefined;
    if (v) (v as PValue).uses.push({ node: this, index: i });
  }
}

function valueInfoDims(vi: ValueInfoProto | undefined): {
  dtype?: string;
  dims?: (number | string | null)[];
} {
  const t = vi?.type?.value;
  if (vi?.type?.value.case !== 'tensorType' || !t) return {};
  const tt = t.value as {
    elemType: number;
    shape?: { dim: { value: { case?: string; value?: unknown } }[] };
  };
  const dtype = dtypeFromOnnx(tt.elemType);
  const dims = tt.shape?.dim.map((d) =>
    d.value.case === 'dimValue'
      ? Number(d.value.value)
      : d.value.case === 'dimParam'
        ? String(d.value.value)
        : null,
  );
  return { ...(dtype ? { dtype } : {}), ...(dims ? { dims } : {}) };
}

function makeValueInfo(v: PValue): ValueInfoProto {
  const code = v.dtype ? (DTYPES[v.dtype as DType]?.onnx ?? 0) : 0;
  const shape = v.dims
    ? create(TensorShapeProtoSchema, {
        dim: v.dims.map((d) =>
          create(TensorShapeProto_DimensionSchema, {
            value:
              typeof d === 'number'
                ? { case: 'dimValue', value: BigInt(d) }
                : typeof d === 'string'
                  ? { case: 'dimParam', value: d }
                  : { case: undefined },
          }),
        ),
      })
    : undefined;
  if (!code) return create(ValueInfoProtoSchema, { name: v.name });
  return create(ValueInfoProtoSchema, {
    name: v.name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, { elemType: code, ...(shape ? { shape } : {}) }),
      },
    }),
  });
}

export class PGraph implements IR.Graph {
  nodes: PNode[] = [];
  inputs: PValue[] = [];
  outputs: PValue[] = [];
  initializers: PValue[] = [];
  /** Values read by subgraphs: never pruned. */
  readonly pinned = new Set<PValue>();
  #names = new Set<string>();
  #counter = 0;

  uniqueName(hint: string): string {
    let n = hint;
    while (this.#names.has(n) || n === '') n = `${hint}_${++this.#counter}`;
    this.#names.add(n);
    return n;
  }
  reserve(name: string): void {
    this.#names.add(name);
  }
  createValue(name: string): PValue {
    return new PValue(this.uniqueName(name), undefined, undefined);
  }
  createInitializer(
    name: string,
    dtype: string,
    dims: readonly number[],
    data: ArrayLike<number | bigint>,
  ): PValue {
    const v = new PValue(name, dtype, [...dims]);
    this.#names.add(name);
    v.initializer = new PTensor(makeTensor(name, dtype, dims, data));
    this.initializers.push(v);
    return v;
  }
  insertNode(
    spec: {
      opType: string;
      domain?: string;
      name?: string;
      inputs: readonly (IR.Value | undefined)[];
      outputs: number;
      attributes?: Record<string, unknown>;
    },
    before?: IR.Node,
  ): PNode {
    let attrs: AttributeProto[] = [];
    const copy = spec.attributes?.__copyFrom as PNode | undefined;
    if (copy) attrs = copy.attrs.map((a) => cloneProto(AttributeProtoSchema, a));
    const node = new PNode(
      spec.opType,
      spec.domain ?? '',
      this.uniqueName(spec.name ?? `${spec.opType}_pass`),
      attrs,
    );
    for (const [k, v] of Object.entries(spec.attributes ?? {})) {
      if (k === '__copyFrom') continue;
      const x = v as { int?: number; ints?: number[]; float?: number };
      if (x.int !== undefined) node.setAttr(k, 'int', x.int);
      else if (x.ints !== undefined) node.setAttr(k, 'ints', x.ints);
      else if (x.float !== undefined) node.setAttr(k, 'float', x.float);
    }
    for (const [i, v] of spec.inputs.entries()) node.setInput(i, v);
    for (let i = 0; i < spec.outputs; i++) {
      const o = this.createValue(`${node.name}_out${i}`);
      o.producer = node;
      node.outputs.push(o);
    }
    const at = before ? this.nodes.indexOf(before as PNode) : -1;
    if (at >= 0) this.nodes.splice(at, 0, node);
    else this.nodes.push(node);
    return node;
  }
  removeNode(node: IR.Node): void {
    const n = node as PNode;
    for (let i = 0; i < n.inputs.length; i++) n.setInput(i, undefined);
    this.nodes = this.nodes.filter((x) => x !== n);
  }
  replaceAllUses(old: IR.Value, by: IR.Value): void {
    for (const u of [...(old as PValue).uses]) u.node.setInput(u.index, by);
  }
  setOutput(i: number, v: IR.Value): void {
    this.outputs[i] = v as PValue;
  }
  removeUnused(): PNode[] {
    const removed: PNode[] = [];
    let again = true;
    while (again) {
      again = false;
      for (const n of [...this.nodes].reverse()) {
        if (n.outputs.every((o) => o.uses.length === 0 && !this.outputs.includes(o) && !this.pinned.has(o))) {
          this.removeNode(n);
          removed.push(n);
          again = true;
        }
      }
    }
    this.initializers = this.initializers.filter(
      (v) => v.uses.length > 0 || this.outputs.includes(v) || this.pinned.has(v),
    );
    return removed;
  }
}

export class PModel implements IR.Model {
  constructor(
    readonly proto: ModelProto,
    readonly graph: PGraph,
  ) {}

  static fromProto(proto: ModelProto): PModel {
    const g = proto.graph;
    if (!g) throw new Error('no graph');
    const graph = new PGraph();
    const values = new Map<string, PValue>();
    const info = new Map<string, ValueInfoProto>();
    for (const vi of [...g.valueInfo, ...g.input, ...g.output]) info.set(vi.name, vi);
    const get = (name: string): PValue | undefined => {
      if (name === '') return undefined;
      let v = values.get(name);
      if (!v) {
        const { dtype, dims } = valueInfoDims(info.get(name));
        v = new PValue(name, dtype, dims);
        values.set(name, v);
        graph.reserve(name);
      }
      return v;
    };
    for (const t of g.initializer) {
      const v = get(t.name) as PValue;
      v.initializer = new PTensor(t);
      graph.initializers.push(v);
    }
    graph.inputs = g.input.filter((i) => !values.get(i.name)?.initializer).map((i) => get(i.name) as PValue);
    for (const n of g.node) {
      const node = new PNode(n.opType, n.domain, n.name, [...n.attribute]);
      graph.reserve(n.name);
      for (const [i, name] of n.input.entries()) node.setInput(i, get(name));
      for (const name of n.output) {
        const o = get(name) as PValue;
        o.producer = node;
        node.outputs.push(o);
      }
      graph.nodes.push(node);
    }
    graph.outputs = g.output.map((o) => get(o.name) as PValue);
    // Values read inside subgraphs (If/Loop/Scan bodies) are uses this graph does not see: keep their producers.
    const inner = new Set<string>();
    const walk = (attrs: readonly AttributeProto[]) => {
      for (const a of attrs)
        for (const sg of [...(a.g ? [a.g] : []), ...a.graphs])
          for (const n of sg.node) {
            for (const i of n.input) inner.add(i);
            walk(n.attribute);
          }
    };
    for (const n of g.node) walk(n.attribute);
    for (const name of inner) {
      const v = values.get(name);
      if (v) graph.pinned.add(v);
    }
    return new PModel(proto, graph);
  }

  toProto(): ModelProto {
    return this.#build();
  }

  #build(): ModelProto {
    const g = this.graph;
    const src = this.proto.graph;
    if (!src) throw new Error('no graph');
    const named = (v: PValue) => v.name;
    const nodes: NodeProto[] = g.nodes.map((n) =>
      create(NodeProtoSchema, {
        opType: n.opType,
        domain: n.domain,
        name: n.name,
        input: n.inputs.map((v) => (v ? named(v) : '')),
        output: n.outputs.map(named),
        attribute: n.attrs,
      }),
    );
    const used = new Set<string>();
    for (const n of g.nodes) for (const v of n.inputs) if (v) used.add(v.name);
    for (const v of g.outputs) used.add(v.name);
    for (const v of g.pinned) used.add(v.name);
    const initializer = g.initializers
      .filter((v) => used.has(v.name))
      .map((v) => {
        const t = (v.initializer as PTensor).proto;
        return t.name === v.name ? t : create(TensorProtoSchema, { ...t, name: v.name });
      });
    const valueInfo = g.nodes.flatMap((n) =>
      n.outputs.filter((o) => o.dtype && !g.outputs.includes(o)).map(makeValueInfo),
    );
    const graph = {
      ...src,
      node: nodes,
      initializer,
      input: g.inputs.map(makeValueInfo),
      output: g.outputs.map(makeValueInfo),
      valueInfo,
    };
    return { ...this.proto, graph, opsetImport: [...this.proto.opsetImport] } as ModelProto;
  }

  opset(domain: string): number | undefined {
    const o = this.proto.opsetImport.find(
      (x) => x.domain === domain || (domain === '' && x.domain === 'ai.onnx'),
    );
    return o ? Number(o.version) : undefined;
  }
  setOpset(domain: string, version: number): void {
    const others = this.proto.opsetImport.filter((x) => x.domain !== domain);
    (this.proto as { opsetImport: unknown }).opsetImport = [
      ...others,
      create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) }),
    ];
  }
  clone(): PModel {
    return PModel.fromProto(this.#build());
  }
}

/** Builds the pass IR from a decoded ModelProto. */
export function modelFromProto(proto: ModelProto): PModel {
  return PModel.fromProto(proto);
}
