import type { AttributeProto } from '../onnx/schema.js';
import { type DType, isDType } from '../tensor/index.js';
import type { AttrWrite } from './attributes.js';
import { GraphCycleError, GraphEditError } from './errors.js';
import { Node } from './node.js';
import { IrTensor } from './tensor.js';
import { Value } from './value.js';

export interface NodeSpec {
  readonly opType: string;
  readonly domain?: string;
  /** A hint: made unique within the graph. */
  readonly name?: string;
  readonly inputs: readonly (Value | undefined)[];
  /** Number of outputs (fresh values named after the node). */
  readonly outputs: number;
  readonly attributes?: Record<string, AttrWrite>;
  /** Start from this node's attributes (then `attributes` override). */
  readonly copyAttributesFrom?: Node;
}

/**
 * A mutable graph: nodes in execution order, values linked to their producer and uses. Subgraph bodies
 * (If/Loop/Scan) stay protos inside their node's attributes; the outer values they read are `pinned`, so
 * clean-up never removes what a body still needs.
 */
export class Graph {
  nodes: Node[] = [];
  /** Declared graph inputs, in file order (IR < 4 files also list initializers here). */
  inputs: Value[] = [];
  outputs: Value[] = [];
  initializers: Value[] = [];
  /** Values read by subgraph bodies: never pruned. */
  readonly pinned = new Set<Value>();
  /** Initializers that nothing read when the file was loaded: kept (lossless) until `removeUnused`. */
  readonly keptUnused = new Set<Value>();
  #names = new Set<string>();
  #counter = 0;

  /** A name no other value or node of this graph has, derived from `hint`. */
  uniqueName(hint: string): string {
    let n = hint;
    while (this.#names.has(n) || n === '') n = `${hint}_${++this.#counter}`;
    this.#names.add(n);
    return n;
  }
  reserve(name: string): void {
    this.#names.add(name);
  }
  createValue(name: string): Value {
    return new Value(this.uniqueName(name), undefined, undefined);
  }
  /** A new weight. `data` holds plain values (float16/bfloat16 as raw bits); `name` must be unused. */
  createInitializer(
    name: string,
    dtype: string,
    dims: readonly number[],
    data: ArrayLike<number | bigint | boolean>,
  ): Value {
    if (!isDType(dtype) || dtype === 'string')
      throw new GraphEditError(`cannot create a ${dtype} initializer`);
    const v = new Value(name, dtype, [...dims]);
    this.#names.add(name);
    v.initializer = IrTensor.from(name, dtype as Exclude<DType, 'string'>, dims, data);
    this.initializers.push(v);
    return v;
  }
  /** Inserts a node before `before` (or at the end) with fresh output values. */
  insertNode(spec: NodeSpec, before?: Node): Node {
    let attrs: AttributeProto[] = spec.copyAttributesFrom ? [...spec.copyAttributesFrom.attrs] : [];
    const node = new Node(
      spec.opType,
      spec.domain ?? '',
      this.uniqueName(spec.name ?? `${spec.opType}_pass`),
      attrs,
    );
    for (const [k, w] of Object.entries(spec.attributes ?? {})) node.setAttr(k, w);
    attrs = node.attrs;
    for (const [i, v] of spec.inputs.entries()) node.setInput(i, v);
    for (let i = 0; i < spec.outputs; i++) {
      const o = this.createValue(`${node.name}_out${i}`);
      o.producer = node;
      node.outputs.push(o);
    }
    const at = before ? this.nodes.indexOf(before) : -1;
    if (before && at < 0) throw new GraphEditError(`insertNode: ${before.name} is not a node of this graph`);
    if (at >= 0) this.nodes.splice(at, 0, node);
    else this.nodes.push(node);
    return node;
  }
  /** Detaches `node` from its inputs and drops it. Its outputs keep their other links (reroute them first). */
  removeNode(node: Node): void {
    for (let i = 0; i < node.inputs.length; i++) node.setInput(i, undefined);
    const at = this.nodes.indexOf(node);
    if (at >= 0) this.nodes.splice(at, 1);
  }
  /** Every reading of `old` now reads `by` (graph outputs are not readings: see `setOutput`). */
  replaceAllUses(old: Value, by: Value): void {
    for (const u of [...old.uses]) u.node.setInput(u.index, by);
  }
  setOutput(i: number, v: Value): void {
    this.outputs[i] = v;
  }
  isOutput(v: Value): boolean {
    return this.outputs.includes(v);
  }
  /** Removes nodes whose outputs nobody reads, repeatedly, and unused initializers; returns removed nodes. */
  removeUnused(): Node[] {
    const removed: Node[] = [];
    const outs = new Set(this.outputs);
    const live = (o: Value) => o.uses.length > 0 || outs.has(o) || this.pinned.has(o);
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i] as Node;
      if (n.outputs.some(live)) continue;
      for (let k = 0; k < n.inputs.length; k++) n.setInput(k, undefined);
      removed.push(n);
    }
    if (removed.length) {
      const gone = new Set(removed);
      this.nodes = this.nodes.filter((n) => !gone.has(n));
    }
    const declared = new Set(this.inputs);
    this.keptUnused.clear();
    this.initializers = this.initializers.filter((v) => live(v) || declared.has(v));
    return removed.reverse();
  }
  /** Nodes of one op type (and domain, default the standard one), in graph order. */
  find(opType: string, domain = ''): Node[] {
    return this.nodes.filter((n) => n.opType === opType && sameDomain(n.domain, domain));
  }
  /** Values by current name (built on each call: names change under edits). */
  valuesByName(): Map<string, Value> {
    const m = new Map<string, Value>();
    for (const v of [...this.inputs, ...this.initializers]) m.set(v.name, v);
    for (const n of this.nodes) for (const o of n.outputs) m.set(o.name, o);
    return m;
  }
  /** Reorders nodes so each comes after its inputs' producers; stable for graphs already in order. */
  toposort(): void {
    this.nodes = toposorted(this.nodes);
  }
}

export const sameDomain = (a: string, b: string): boolean =>
  a === b || ((a === '' || a === 'ai.onnx') && (b === '' || b === 'ai.onnx'));

/** Kahn's algorithm keeping the original order among ready nodes; throws GraphCycleError on a cycle. */
export function toposorted(nodes: readonly Node[]): Node[] {
  const index = new Map(nodes.map((n, i) => [n, i]));
  const pending = new Map<Node, number>();
  const readers = new Map<Node, Node[]>();
  for (const n of nodes) {
    let deps = 0;
    for (const v of new Set(n.inputs)) {
      const p = v?.producer;
      if (!p || !index.has(p) || p === n) continue;
      deps++;
      const r = readers.get(p);
      if (r) r.push(n);
      else readers.set(p, [n]);
    }
    pending.set(n, deps);
  }
  if (nodes.every((n, i) => n.inputs.every((v) => !v?.producer || (index.get(v.producer) ?? -1) < i))) {
    return [...nodes];
  }
  // A min-heap on original position keeps the order stable.
  const heap: number[] = [];
  const push = (i: number) => {
    heap.push(i);
    let k = heap.length - 1;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if ((heap[p] as number) <= i) break;
      heap[k] = heap[p] as number;
      k = p;
    }
    heap[k] = i;
  };
  const pop = (): number => {
    const top = heap[0] as number;
    const last = heap.pop() as number;
    if (heap.length) {
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const c = r < heap.length && (heap[r] as number) < (heap[l] as number) ? r : l;
        if ((heap[c] as number) >= last) break;
        heap[k] = heap[c] as number;
        k = c;
      }
      heap[k] = last;
    }
    return top;
  };
  nodes.forEach((n, i) => {
    if (pending.get(n) === 0) push(i);
  });
  const out: Node[] = [];
  while (heap.length) {
    const n = nodes[pop()] as Node;
    out.push(n);
    for (const r of readers.get(n) ?? []) {
      const left = (pending.get(r) as number) - 1;
      pending.set(r, left);
      if (left === 0) push(index.get(r) as number);
    }
  }
  if (out.length !== nodes.length) {
    const stuck = nodes.filter((n) => (pending.get(n) ?? 0) > 0).map((n) => n.name || n.opType);
    throw new GraphCycleError(stuck);
  }
  return out;
}
