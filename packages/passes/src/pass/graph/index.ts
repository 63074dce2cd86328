// Graph helpers for pass authors: small, plain functions over the core IR.

import { constantOf, type Graph, inferShapes, Model, type Node, type Value } from '@trtkit/core';

export type { Graph, Model, Node, Value } from '@trtkit/core';
export { customShapeRules, registerShapeRule } from './custom-shapes.js';

import { customShapeRules } from './custom-shapes.js';

// ---- values and edges ----
export const producer = (v: Value | undefined): Node | undefined => v?.producer;
/** Consumers of `v`, one entry per input slot (a node reading it twice appears twice). */
export const users = (v: Value): Node[] => v.uses.map((u) => u.node);
export const soleUser = (v: Value): Node | undefined => (v.uses.length === 1 ? v.uses[0]?.node : undefined);
export const isGraphOutput = (graph: Graph, v: Value): boolean => graph.outputs.includes(v);
export const graphInputs = (graph: Graph): Value[] => graph.inputs.filter((v) => !v.initializer);
/** Dims as the file or a pass declared them, else as inference found them (after `prepareRanks`). */
export const dimsOf = (v: Value | undefined): (number | string | null)[] | undefined => {
  const d = v?.shape;
  return d ? [...d] : undefined;
};
export const rankOf = (v: Value | undefined): number | undefined => v?.rank;
/**
 * Runs core's shape inference and stores what it finds on each value (call at the start of a pass; values
 * created later fall back to their declared shape).
 */
export function prepareRanks(model: Model): void {
  inferShapes(model, { customRules: customShapeRules() });
}
export const dtypeOf = (v: Value | undefined): string | undefined => v?.initializer?.dtype ?? v?.dtype;
export const setDtype = (v: Value, dtype: string): void => {
  v.dtype = dtype;
};
export const setDims = (v: Value, dims: (number | string | null)[]): void => {
  v.dims = dims;
};
export const normAxis = (a: number, rank: number): number => (a < 0 ? a + rank : a);

// ---- attributes ----
export function attrValue(node: Node, name: string): unknown {
  return node.getAttr(name)?.value;
}
export const hasAttr = (node: Node, name: string): boolean => node.getAttr(name) !== undefined;
export function attrInt(node: Node, name: string, dflt: number): number {
  const a = node.getAttr(name);
  return a && a.kind === 'int' ? Number(a.value) : dflt;
}
export function attrInts(node: Node, name: string): number[] | undefined {
  const a = node.getAttr(name);
  return a && a.kind === 'ints' ? (a.value as (number | bigint)[]).map(Number) : undefined;
}
export const setAttrInt = (node: Node, name: string, v: number): void => node.setAttr(name, 'int', v);
export const setAttrInts = (node: Node, name: string, v: number[]): void => node.setAttr(name, 'ints', v);

// ---- constants ----
export interface ConstTensor {
  readonly dtype: string;
  readonly dims: readonly number[];
  readonly data: ArrayLike<number | bigint | boolean>;
}
/** The value of an initializer or a Constant node's output; undefined for computed values. */
export function constTensor(_graph: Graph, v: Value | undefined): ConstTensor | undefined {
  const t = constantOf(v);
  return t ? { dtype: t.dtype, dims: t.dims, data: t.data() } : undefined;
}
export function isConstant(graph: Graph, v: Value | undefined): boolean {
  return constTensor(graph, v) !== undefined;
}
export const isInitializerOrConstant = isConstant;
const INT_TYPES = new Set(['int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64']);
/** Integer constant as numbers (safe for axes, indices and shapes). */
export function constInts(graph: Graph, v: Value | undefined): number[] | undefined {
  const t = constTensor(graph, v);
  if (!t || !INT_TYPES.has(t.dtype)) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}
/**
 * Integer values known before running: a constant, or what shape inference computed for a small integer tensor
 * (e.g. a shape read off a static input). Call `prepareRanks` first for the inferred part.
 */
export function knownInts(graph: Graph, v: Value | undefined): number[] | undefined {
  const c = constInts(graph, v);
  if (c) return c;
  const t = v?.inferred?.value;
  if (!t || !INT_TYPES.has(t.dtype)) return undefined;
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}
/** Float constant as numbers (float16 decoded). */
export function constFloats(graph: Graph, v: Value | undefined): number[] | undefined {
  const t = constTensor(graph, v);
  if (!t || !['float32', 'float64', 'float16', 'bfloat16'].includes(t.dtype)) return undefined;
  return Array.from(t.data as ArrayLike<number>, Number);
}
/** Axes of Squeeze/Unsqueeze/ReduceX: the `axes` attribute, or the constant second input (newer opsets). */
export function axesOf(graph: Graph, node: Node): number[] | undefined {
  return attrInts(node, 'axes') ?? (node.inputs[1] ? constInts(graph, node.inputs[1]) : undefined);
}
export const reduceAxes = axesOf;
export const stackAxes = axesOf;

// ---- model ----
export const opsetOf = (model: Model, domain = ''): number => model.opset(domain) ?? 1;
export const setOpset = (model: Model, domain: string, version: number): void =>
  model.setOpset(domain, version);

// ---- edits ----
export function setInput(node: Node, i: number, v: Value | undefined): void {
  node.setInput(i, v);
}
const INT64_MAX = 2n ** 63n - 1n;
/**
 * A number as int64. Sentinels such as INT64_MAX ("to the end" in Slice) reach us as doubles rounded up to 2^63,
 * which would wrap to INT64_MIN: saturate instead.
 */
const toInt64 = (x: number): bigint => {
  if (x >= 2 ** 63) return INT64_MAX;
  if (x <= -(2 ** 63)) return -INT64_MAX - 1n;
  return BigInt(Math.trunc(x));
};
export function addConst(
  graph: Graph,
  hint: string,
  dtype: string,
  dims: readonly number[],
  data: ArrayLike<number> | Float32Array | Uint8Array,
): Value {
  const arr = dtype === 'int64' ? BigInt64Array.from(Array.from(data as ArrayLike<number>, toInt64)) : data;
  return graph.createInitializer(graph.uniqueName(hint), dtype, dims, arr as ArrayLike<number | bigint>);
}
export interface NodeSpec {
  readonly opType: string;
  readonly domain?: string;
  readonly name?: string;
  readonly inputs: readonly (Value | undefined)[];
  readonly outputs?: number;
  readonly attributes?: Record<
    string,
    { int: number } | { ints: number[] } | { float: number } | { string: string }
  >;
}
export function addNode(graph: Graph, spec: NodeSpec, before?: Node): Node {
  return graph.insertNode({ ...spec, outputs: spec.outputs ?? 1 }, before);
}
/** A copy of `node` (same op, attributes, domain) with some inputs replaced; inserted before `before`. */
export function cloneNodeWith(graph: Graph, node: Node, replace: Record<number, Value>, before: Node): Node {
  const inputs = node.inputs.map((v, i) => replace[i] ?? v);
  return graph.insertNode(
    {
      opType: node.opType,
      domain: node.domain,
      inputs,
      outputs: node.outputs.length,
      copyAttributesFrom: node,
    },
    before,
  );
}
export function removeNode(graph: Graph, node: Node): void {
  graph.removeNode(node);
}
/**
 * Reroutes every use of `old` to `by`. When `old` is a graph output, the output keeps its name (users and files
 * refer to it): `by` takes the name. Returns the output name touched, if any.
 */
export function replaceValue(graph: Graph, old: Value, by: Value): string | undefined {
  graph.replaceAllUses(old, by);
  const i = graph.outputs.indexOf(old);
  if (i < 0) return undefined;
  const name = old.name;
  old.name = graph.uniqueName(`${name}_old`);
  by.name = name;
  // Same tensor under the output's name: keep what the file declared about it.
  by.dtype ??= old.dtype;
  by.dims ??= old.dims;
  graph.setOutput(i, by);
  return name;
}
/** Removes nodes whose outputs nobody reads (and unused initializers); returns the removed nodes. */
export function prune(graph: Graph): Node[] {
  return graph.removeUnused();
}
/** Drops recorded shapes of intermediate values (exporters bake sizes there); graph inputs/outputs keep theirs. */
export function clearIntermediateShapes(graph: Graph): void {
  for (const n of graph.nodes) for (const o of n.outputs) if (!graph.outputs.includes(o)) o.dims = undefined;
}
/** Builds the pass IR from a decoded ModelProto (core's `Model.fromProto`). */
export const modelFromProto = (proto: Parameters<typeof Model.fromProto>[0]): Model => Model.fromProto(proto);
