import { canEvaluate, evaluateNode } from '../eval/evaluate.js';
import type {
  AttributeProto,
  FunctionProto,
  GraphProto,
  ModelProto,
  NodeProto,
  TensorProto,
} from '../onnx/schema.js';
import { TensorProto_DataLocation } from '../onnx/schema.js';
import { tensorBytes, typedView } from '../onnx/tensor-bytes.js';
import { dtypeFromOnnx, elementCount, type HostTensor, tensor } from '../tensor/index.js';
import { Attrs } from './attrs.js';
import { allKnown, joinDim, mergeDim } from './dims.js';
import { INFER_OPS } from './ops/index.js';
import { infoFromTensor, infoFromValueInfo } from './proto-types.js';
import { decideEqual, propagateDimValues } from './symbolic.js';
import type { Dim, InferFn, TensorInfo } from './types.js';

export interface InferOptions {
  /** Constant values are tracked (and computed) for tensors of at most this many elements. Default 4096. */
  readonly maxValueElements?: number;
  /** Compute constant values with the evaluator. Default true; false infers from the rules alone. */
  readonly evaluate?: boolean;
  /** Infos for graph inputs that override their declared types (fixed input shapes, known values). */
  readonly inputs?: ReadonlyMap<string, TensorInfo>;
  /** Rules for ops outside the standard domain (plugins), keyed `domain::opType`. */
  readonly customRules?: ReadonlyMap<string, InferFn>;
}

export interface InferResult {
  /** Every value of the main graph, by name. */
  readonly infos: Map<string, TensorInfo>;
  /** Infos of values inside subgraphs, per subgraph. */
  readonly subgraphs: Map<GraphProto, Map<string, TensorInfo>>;
  /** Op types (domain-qualified when not standard) that no rule covers: their outputs are unknown. */
  readonly unknownOps: Set<string>;
}

class Scope {
  readonly map = new Map<string, TensorInfo>();
  constructor(readonly parent?: Scope) {}
  get(name: string): TensorInfo | undefined {
    return this.map.get(name) ?? this.parent?.get(name);
  }
}

interface Ctx {
  readonly opsets: Map<string, number>;
  readonly functions: Map<string, FunctionProto>;
  readonly maxValue: number;
  readonly evaluate: boolean;
  readonly result: InferResult;
  readonly custom: ReadonlyMap<string, InferFn>;
  depth: number;
}

const STD = (d: string) => d === '' || d === 'ai.onnx';

/** Host tensor of a TensorProto with inline data (external data is never read by inference). */
export function hostFromProto(t: TensorProto): HostTensor | undefined {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL) return undefined;
  const dtype = dtypeFromOnnx(t.dataType);
  if (!dtype || dtype === 'string') return undefined;
  try {
    const view = typedView(tensorBytes(t), dtype);
    return tensor(dtype, t.dims.map(Number), view.slice() as never);
  } catch {
    return undefined;
  }
}

function smallValue(t: TensorProto, max: number): HostTensor | undefined {
  const n = elementCount(t.dims.map(Number));
  return n <= max ? hostFromProto(t) : undefined;
}

function seedGraph(
  g: GraphProto,
  scope: Scope,
  ctx: Ctx,
  inputs?: readonly TensorInfo[],
  overrides?: ReadonlyMap<string, TensorInfo>,
) {
  const inits = new Set(g.initializer.map((t) => t.name));
  g.input.forEach((vi, i) => {
    const given = inputs?.[i] ?? overrides?.get(vi.name);
    if (given) scope.map.set(vi.name, given);
    else if (!inits.has(vi.name)) scope.map.set(vi.name, infoFromValueInfo(vi));
  });
  const inputNames = new Set(g.input.map((v) => v.name));
  for (const t of g.initializer) {
    // An initializer that is also a graph input can be overridden at run time: its value is not a constant.
    if (inputNames.has(t.name)) {
      if (!scope.map.has(t.name)) scope.map.set(t.name, infoFromTensor(t));
      continue;
    }
    const value = smallValue(t, ctx.maxValue);
    scope.map.set(t.name, value ? { ...infoFromTensor(t), value } : infoFromTensor(t));
  }
}

function joinInfo(a: TensorInfo | undefined, b: TensorInfo | undefined): TensorInfo {
  if (!a || !b) return {};
  const dtype = a.dtype === b.dtype ? a.dtype : undefined;
  if (!a.dims || !b.dims || a.dims.length !== b.dims.length) return { dtype };
  const bd = b.dims;
  return { dtype, dims: a.dims.map((d, i) => joinDim(d, bd[i] ?? null)) };
}

function inferGraphIn(
  g: GraphProto,
  ctx: Ctx,
  parent: Scope | undefined,
  inputs?: readonly TensorInfo[],
  overrides?: ReadonlyMap<string, TensorInfo>,
): Scope {
  const scope = new Scope(parent);
  seedGraph(g, scope, ctx, inputs, overrides);
  const declared = new Map(g.valueInfo.map((vi) => [vi.name, vi]));
  for (const node of g.node) inferNode(node, scope, ctx, declared);
  if (parent) ctx.result.subgraphs.set(g, scope.map);
  return scope;
}

function outputsOf(g: GraphProto, scope: Scope): TensorInfo[] {
  return g.output.map((o) => scope.get(o.name) ?? {});
}

function inferSubgraphNode(
  node: NodeProto,
  attrs: Attrs,
  inputs: (TensorInfo | undefined)[],
  scope: Scope,
  ctx: Ctx,
): TensorInfo[] | undefined {
  const n = node.output.length;
  if (node.opType === 'If') {
    const thenG = attrs.graph('then_branch');
    const elseG = attrs.graph('else_branch');
    if (!thenG || !elseG) return undefined;
    const c = inputs[0]?.value;
    const thenOut = outputsOf(thenG, inferGraphIn(thenG, ctx, scope));
    const elseOut = outputsOf(elseG, inferGraphIn(elseG, ctx, scope));
    if (c && c.data.length === 1) return Number(c.data[0]) ? thenOut : elseOut;
    return Array.from({ length: n }, (_, i) => joinInfo(thenOut[i], elseOut[i]));
  }
  if (node.opType === 'Loop') {
    const body = attrs.graph('body');
    if (!body) return undefined;
    const carried = inputs.slice(2);
    const bodyIn: TensorInfo[] = [
      { dtype: 'int64', dims: [] },
      { dtype: 'bool', dims: [] },
      ...carried.map((c) => ({ dtype: c?.dtype, dims: c?.dims })),
    ];
    const out = outputsOf(body, inferGraphIn(body, ctx, scope, bodyIn));
    const res: TensorInfo[] = [];
    for (let i = 0; i < carried.length; i++) res.push(joinInfo(carried[i], out[i + 1]));
    for (let i = carried.length + 1; i < out.length; i++) {
      const o = out[i];
      res.push({ dtype: o?.dtype, dims: o?.dims ? [null, ...o.dims] : undefined });
    }
    return res.slice(0, n);
  }
  if (node.opType === 'Scan') {
    const body = attrs.graph('body');
    if (!body) return undefined;
    const m = attrs.int('num_scan_inputs', 0);
    const nState = inputs.length - m;
    const inAxes = attrs.ints('scan_input_axes') ?? Array.from({ length: m }, () => 0);
    const outAxes = attrs.ints('scan_output_axes');
    const scanIns = inputs.slice(nState);
    let seq: Dim = null;
    const bodyIn: TensorInfo[] = inputs.slice(0, nState).map((s) => ({ dtype: s?.dtype, dims: s?.dims }));
    scanIns.forEach((x, k) => {
      const axis = inAxes[k] ?? 0;
      if (!x?.dims) {
        bodyIn.push({ dtype: x?.dtype });
        return;
      }
      const a = axis < 0 ? axis + x.dims.length : axis;
      seq = mergeDim(seq, x.dims[a]);
      bodyIn.push({ dtype: x.dtype, dims: x.dims.filter((_, i) => i !== a) });
    });
    const out = outputsOf(body, inferGraphIn(body, ctx, scope, bodyIn));
    const res: TensorInfo[] = out.slice(0, nState).map((o, i) => joinInfo(inputs[i], o));
    out.slice(nState).forEach((o, k) => {
      if (!o?.dims) {
        res.push({ dtype: o?.dtype });
        return;
      }
      const dims = [...o.dims];
      let a = outAxes?.[k] ?? 0;
      if (a < 0) a += dims.length + 1;
      dims.splice(a, 0, seq);
      res.push({ dtype: o.dtype, dims });
    });
    return res.slice(0, n);
  }
  return undefined;
}

/** Attributes of a function body node, with references to the caller's attributes resolved. */
function resolveAttrs(node: NodeProto, caller: Attrs, fn: FunctionProto): Attrs {
  const defaults = new Map(fn.attributeProto.map((a) => [a.name, a]));
  const list: AttributeProto[] = [];
  for (const a of node.attribute) {
    if (!a.refAttrName) {
      list.push(a);
      continue;
    }
    const src = caller.get(a.refAttrName) ?? defaults.get(a.refAttrName);
    if (src) list.push({ ...src, name: a.name });
  }
  return new Attrs(list);
}

function inferFunction(
  fn: FunctionProto,
  node: NodeProto,
  inputs: (TensorInfo | undefined)[],
  ctx: Ctx,
): TensorInfo[] {
  if (ctx.depth > 32) return node.output.map(() => ({}));
  ctx.depth++;
  const scope = new Scope();
  fn.input.forEach((name, i) => {
    const info = inputs[i];
    if (info) scope.map.set(name, info);
  });
  const caller = Attrs.of(node);
  const opsets = new Map(ctx.opsets);
  for (const o of fn.opsetImport) opsets.set(o.domain === 'ai.onnx' ? '' : o.domain, Number(o.version));
  const inner: Ctx = { ...ctx, opsets };
  for (const n of fn.node) inferNode(n, scope, inner, undefined, resolveAttrs(n, caller, fn));
  ctx.depth--;
  return fn.output.map((o) => scope.get(o) ?? {});
}

function inferNode(
  node: NodeProto,
  scope: Scope,
  ctx: Ctx,
  declared?: Map<string, { type?: unknown }>,
  attrsIn?: Attrs,
): void {
  const attrs = attrsIn ?? Attrs.of(node);
  const inputs = node.input.map((name) => (name ? (scope.get(name) ?? {}) : undefined));
  const domain = node.domain === 'ai.onnx' ? '' : node.domain;
  const opset = ctx.opsets.get(domain) ?? 1;
  const n = node.output.length;
  let outs: TensorInfo[] | undefined;
  const fn = ctx.functions.get(`${node.domain}::${node.opType}`);
  try {
    if (fn) outs = inferFunction(fn, node, inputs, ctx);
    else if (STD(domain) && (node.opType === 'If' || node.opType === 'Loop' || node.opType === 'Scan')) {
      outs = inferSubgraphNode(node, attrs, inputs, scope, ctx);
    } else if (STD(domain)) {
      const rule = INFER_OPS[node.opType];
      if (rule) outs = rule({ op: node.opType, inputs, attrs, opset, nOutputs: n });
    } else {
      const rule = ctx.custom.get(`${node.domain}::${node.opType}`);
      if (rule) outs = rule({ op: node.opType, inputs, attrs, opset, nOutputs: n });
    }
  } catch {
    outs = undefined;
  }
  if (!outs) {
    ctx.result.unknownOps.add(STD(domain) ? node.opType : `${node.domain}::${node.opType}`);
    outs = [];
  }
  // Symbolic shape data and constant values.
  const first = outs[0];
  if (first && n >= 1 && STD(domain) && node.opType === 'Equal' && !first.value) {
    const v = decideEqual(inputs);
    if (v) outs[0] = { ...first, dims: v.dims, value: v };
  }
  if (first && n >= 1 && STD(domain)) {
    const dv = first.dimValues ?? propagateDimValues(node.opType, inputs, attrs, opset, first.dtype);
    if (dv) {
      outs[0] = { ...first, dimValues: dv };
      if (
        allKnown(dv) &&
        first.dtype === 'int64' &&
        first.dims &&
        allKnown(first.dims) &&
        elementCount(first.dims) === dv.length
      ) {
        outs[0] = {
          ...outs[0],
          value: tensor(
            'int64',
            first.dims,
            BigInt64Array.from(dv, (x) => BigInt(x)),
          ),
        };
      }
    }
  }
  // Constant nodes always carry their value (reading it is not evaluation).
  const wantValue = ctx.evaluate || node.opType === 'Constant';
  if (wantValue && STD(domain) && !fn && canEvaluate(node.opType) && !outs[0]?.value) {
    const ready = inputs.every((x) => x === undefined || x.value !== undefined);
    const sizes = outs.map((o) =>
      o.dims && allKnown(o.dims) ? elementCount(o.dims) : Number.POSITIVE_INFINITY,
    );
    const small = sizes.length === n && sizes.every((s) => s <= ctx.maxValue);
    // Shape/Size need dims, not values; everything else needs every input's value.
    if (ready && small && node.opType !== 'Shape' && node.opType !== 'Size') {
      try {
        const vals = evaluateNode(
          node.opType,
          inputs.map((x) => x?.value),
          attrs,
          opset,
          n,
        );
        if (vals) {
          outs = vals.map((v, i) => ({ ...(outs?.[i] ?? {}), dtype: v.dtype, dims: v.dims, value: v }));
        }
      } catch {
        // An invalid node keeps what the rules said; the runtime will report it.
      }
    }
  }
  node.output.forEach((name, i) => {
    if (!name) return;
    let info = outs?.[i] ?? {};
    const decl = declared?.get(name) as Parameters<typeof infoFromValueInfo>[0] | undefined;
    if (decl) {
      const d = infoFromValueInfo(decl);
      if (!info.dtype && d.dtype) info = { ...info, dtype: d.dtype };
      // Declared value_info only fills what inference could not say: a pass that changed the graph upstream
      // may have left it stale, and a stale number must never become a folded constant.
      if (d.dims && (!info.dims || info.dims.length === d.dims.length)) {
        const mine = info.dims;
        info = { ...info, dims: d.dims.map((x, k) => (mine ? (mine[k] ?? x) : x)) };
      }
    }
    scope.map.set(name, info);
  });
}

function opsetsOf(model: ModelProto): Map<string, number> {
  const m = new Map<string, number>();
  for (const o of model.opsetImport) m.set(o.domain === 'ai.onnx' ? '' : o.domain, Number(o.version));
  return m;
}

/** Shape, dtype and small-constant inference over a whole model (subgraphs and local functions included). */
export function inferModel(model: ModelProto, options: InferOptions = {}): InferResult {
  const result: InferResult = { infos: new Map(), subgraphs: new Map(), unknownOps: new Set() };
  const graph = model.graph;
  if (!graph) return result;
  const ctx: Ctx = {
    opsets: opsetsOf(model),
    functions: new Map(model.functions.map((f) => [`${f.domain}::${f.name}`, f])),
    maxValue: options.maxValueElements ?? 4096,
    evaluate: options.evaluate ?? true,
    result,
    custom: options.customRules ?? new Map(),
    depth: 0,
  };
  const scope = inferGraphIn(graph, ctx, undefined, undefined, options.inputs);
  for (const [k, v] of scope.map) result.infos.set(k, v);
  return result;
}
