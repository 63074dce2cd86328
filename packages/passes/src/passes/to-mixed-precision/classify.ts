// Decides, per node, whether it computes in FP16 or FP32, and why.
import { type DType, inferModel } from '@trtkit/core';
import type { Graph, Model, Node, Value } from '../../pass/graph/index.js';
import { HALF_OK, HEAVY, MSDA_PLUGIN, PATH_OPS, RULE_FP32 } from './ops.js';

/** Selects nodes: a node name, an op type (exact string), a RegExp over names, or a predicate. */
export type NodeSelector = string | RegExp | ((node: Node) => boolean);

export const selects = (sel: readonly NodeSelector[] | undefined, n: Node): boolean =>
  (sel ?? []).some((s) =>
    typeof s === 'string' ? s === n.name || s === n.opType : s instanceof RegExp ? s.test(n.name) : s(n),
  );

/** dtype of every value in the main graph (recorded types first, then core's inference). */
export function valueDtypes(model: Model): Map<Value, DType | string> {
  const infos = inferModel(model.toProto(), { evaluate: false }).infos;
  const out = new Map<Value, DType | string>();
  const g = model.graph;
  const all = new Set<Value>([...g.inputs, ...g.outputs]);
  for (const n of g.nodes) {
    for (const v of n.inputs) if (v) all.add(v);
    for (const v of n.outputs) all.add(v);
  }
  for (const v of all) {
    const t = v.initializer?.dtype ?? v.dtype ?? infos.get(v.name)?.dtype;
    if (t) out.set(v, t);
  }
  // Outputs inference cannot type (custom ops such as TensorRT plugins): float32 when the node reads float32.
  for (const n of g.nodes)
    if (n.inputs.some((i) => i && out.get(i) === 'float32'))
      for (const o of n.outputs) if (!out.has(o)) out.set(o, 'float32');
  return out;
}

export const isFloat32 = (types: Map<Value, string>, v: Value | undefined): v is Value =>
  v !== undefined && types.get(v) === 'float32';

/** A node takes part in the precision decision when it reads or writes float32 data. */
export function touchesFloat(types: Map<Value, string>, n: Node): boolean {
  return n.outputs.some((o) => isFloat32(types, o)) || n.inputs.some((i) => isFloat32(types, i));
}

/**
 * Walks back from `start` through cheap float ops (PATH_OPS) and marks them FP32; stops at heavy ops, graph
 * inputs and anything else. The path computing a sampling grid or a sin/cos argument is short arithmetic on
 * top of one projection: keeping it FP32 costs nothing and saves up to 0.1 absolute error in FP16.
 */
function markPath(
  types: Map<Value, string>,
  start: Value | undefined,
  reason: string,
  fp32: Map<Node, string>,
): void {
  const stack = start ? [start] : [];
  const seen = new Set<Value>();
  while (stack.length > 0) {
    const v = stack.pop() as Value;
    if (seen.has(v)) continue;
    seen.add(v);
    const p = v.producer;
    if (!p || !PATH_OPS.has(p.opType) || p.domain !== '') continue;
    if (!fp32.has(p)) fp32.set(p, reason);
    for (const i of p.inputs) if (isFloat32(types, i) && !i.initializer) stack.push(i);
  }
}

/** A weight: an initializer, possibly behind Identity/Cast nodes (TorchScript exports share biases that way). */
const constantLike = (v: Value | undefined): boolean =>
  v !== undefined &&
  (v.initializer !== undefined ||
    v.producer?.opType === 'Constant' ||
    ((v.producer?.opType === 'Identity' || v.producer?.opType === 'Cast') &&
      constantLike(v.producer.inputs[0])));

/** A dense projection: MatMul/Gemm whose weight (input 1) is a constant. */
const isProjection = (n: Node): boolean =>
  (n.opType === 'MatMul' || n.opType === 'Gemm') && constantLike(n.inputs[1]);

/**
 * The query-selection head of a two-stage detector (RT-DETR, Deformable DETR two-stage): the scores TopK ranks,
 * `TopK(ReduceMax(Linear(LayerNorm(Linear(memory)))))`. TopK turns score differences into a discrete choice of
 * which anchors become queries; FP16 rounding (relative step 2^-11) of the scores or of the projections computing
 * them merges near-ties and reorders the choice, and everything downstream follows the wrong anchors. Walks back
 * from the ranked input through cheap ops, reductions, layer norms and at most `SELECTION_PROJECTIONS` dense
 * projections; stops at residual sums (two computed inputs: the shared feature stream) and anything else, so the
 * encoder producing `memory` stays FP16.
 */
const SELECTION_PROJECTIONS = 2;
const SELECTION_OPS = new Set(['ReduceMax', 'ReduceMin', 'LayerNormalization']);
function markSelectionHead(types: Map<Value, string>, topk: Node, fp32: Map<Node, string>): void {
  const reason = 'top-k query selection: ranked scores and the head computing them';
  const stack: [Value, number][] = topk.inputs[0] ? [[topk.inputs[0], 0]] : [];
  const seen = new Set<Node>();
  fp32.set(topk, reason);
  while (stack.length > 0) {
    const [v, projections] = stack.pop() as [Value, number];
    const p = v.producer;
    if (!p || seen.has(p) || p.domain !== '') continue;
    const computed = p.inputs.filter((i): i is Value => isFloat32(types, i) && !constantLike(i));
    const residual = p.opType === 'Add' && computed.length > 1;
    const projection = isProjection(p);
    const passes = (PATH_OPS.has(p.opType) && !residual) || SELECTION_OPS.has(p.opType) || projection;
    if (!passes || (projection && projections >= SELECTION_PROJECTIONS)) continue;
    seen.add(p);
    if (!fp32.has(p)) fp32.set(p, reason);
    for (const i of computed) stack.push([i, projections + (projection ? 1 : 0)]);
  }
}

export interface Decision {
  /** Nodes kept in FP32, with the reason. Every other float node computes in FP16. */
  readonly fp32: Map<Node, string>;
}

export interface RuleOptions {
  readonly keepFp32?: readonly NodeSelector[];
  readonly forceFp16?: readonly NodeSelector[];
}

/** FP32 islands from the op rules alone (no data observed). */
export function ruleDecision(graph: Graph, types: Map<Value, string>, opts: RuleOptions): Decision {
  const fp32 = new Map<Node, string>();
  for (const n of graph.nodes) {
    if (!touchesFloat(types, n)) continue;
    if (selects(opts.keepFp32, n)) fp32.set(n, 'kept FP32 by the caller');
    else if (n.domain !== '' && n.domain !== 'ai.onnx')
      fp32.set(n, `custom op ${n.domain}:${n.opType}: float16 support unknown`);
    else if (RULE_FP32[n.opType]) fp32.set(n, RULE_FP32[n.opType] as string);
    else if (!HALF_OK.has(n.opType)) fp32.set(n, `${n.opType} has no float16 in its ONNX type constraints`);
  }
  for (const n of graph.nodes) {
    if (n.opType === 'GridSample')
      markPath(types, n.inputs[1], 'deformable attention: sampling grid path', fp32);
    if (n.opType === MSDA_PLUGIN)
      markPath(types, n.inputs[3], 'deformable attention: sampling locations', fp32);
    if (n.opType === 'TopK' && n.domain === '' && isFloat32(types, n.inputs[0]))
      markSelectionHead(types, n, fp32);
    if (n.opType === 'Sin' || n.opType === 'Cos')
      markPath(types, n.inputs[0], 'positional encoding: sin/cos argument path', fp32);
    // Decomposed layer norm: what reads a mean, and the sqrt/divide of the variance.
    if (n.opType === 'ReduceMean')
      for (const u of n.outputs[0]?.uses ?? [])
        if (!HEAVY.has(u.node.opType) && !fp32.has(u.node))
          fp32.set(u.node, 'decomposed layer norm: centring and variance in FP32');
    if (n.opType === 'Sqrt') {
      fp32.set(n, 'decomposed layer norm: standard deviation in FP32');
      for (const u of n.outputs[0]?.uses ?? [])
        if (u.node.opType === 'Div' || u.node.opType === 'Reciprocal')
          fp32.set(u.node, 'decomposed layer norm: normalisation in FP32');
    }
  }
  for (const n of [...fp32.keys()])
    if (selects(opts.forceFp16, n) && HALF_OK.has(n.opType) && n.domain === '') fp32.delete(n);
  return { fp32 };
}
