import {
  attrInt,
  attrInts,
  constInts,
  dimsOf,
  type Graph,
  type Node,
  rankOf,
  reduceAxes,
  type Value,
} from '../../pass/graph/index.js';

/** Where the batch dimension sits in a value: axis, and the factor it was merged with (B*heads has factor heads). */
export interface BatchAxis {
  readonly axis: number;
  readonly factor: number;
}

const KEEPS_LAYOUT = new Set([
  'Abs',
  'Add',
  'And',
  'AveragePool',
  'BatchNormalization',
  'Cast',
  'Ceil',
  'Clip',
  'Conv',
  'ConvTranspose',
  'Cos',
  'Div',
  'Dropout',
  'Elu',
  'Equal',
  'Erf',
  'Exp',
  'Floor',
  'Gelu',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'Greater',
  'GreaterOrEqual',
  'GridSample',
  'GroupNormalization',
  'HardSigmoid',
  'HardSwish',
  'Identity',
  'InstanceNormalization',
  'IsInf',
  'IsNaN',
  'LayerNormalization',
  'LeakyRelu',
  'Less',
  'LessOrEqual',
  'Log',
  'LogSoftmax',
  'MatMul',
  'Max',
  'MaxPool',
  'Min',
  'Mod',
  'Mul',
  'Neg',
  'Not',
  'Or',
  'Pow',
  'PRelu',
  'Reciprocal',
  'Relu',
  'Resize',
  'Round',
  'Selu',
  'Sigmoid',
  'Sign',
  'Sin',
  'Softmax',
  'Softplus',
  'Sqrt',
  'Sub',
  'Tanh',
  'Where',
  'Xor',
  'Pad',
  'Einsum',
]);

function product(xs: readonly number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

/**
 * Follows the batch axis from the graph inputs through the nodes (topological order).
 * `onReshape` is told, for each Reshape with a constant shape, which entry holds the batch; it may rewrite it.
 * Values the walk cannot follow are simply absent from the map.
 */
export function traceBatch(
  graph: Graph,
  start: ReadonlyMap<Value, BatchAxis>,
  batch: number,
  onReshape: (node: Node, shape: readonly number[], entry: number, input: BatchAxis) => void,
  onLost: (node: Node) => void,
): Map<Value, BatchAxis> {
  const at = new Map(start);
  for (const node of graph.nodes) {
    const carried = node.inputs.flatMap((v, i) =>
      v && at.has(v) ? [{ v, i, b: at.get(v) as BatchAxis }] : [],
    );
    if (carried.length === 0) continue;
    const out = node.outputs[0];
    if (!out) continue;
    const outRank = rankOf(out);
    const first = carried[0] as { v: Value; i: number; b: BatchAxis };
    const set = (b: BatchAxis | undefined) => (b ? at.set(out, b) : onLost(node));
    if (node.opType === 'Shape' || node.opType === 'Size') continue; // runtime shape: already dynamic
    if (KEEPS_LAYOUT.has(node.opType) && node.domain === '') {
      // Broadcasting aligns trailing dims: the batch axis keeps its distance from the end.
      const r = rankOf(first.v);
      if (outRank === undefined || r === undefined) set(undefined);
      else set({ axis: first.b.axis + (outRank - r), factor: first.b.factor });
      for (const o of node.outputs.slice(1)) if (rankOf(o) === outRank) at.set(o, at.get(out) as BatchAxis);
      continue;
    }
    const b = first.b;
    switch (node.opType) {
      case 'Transpose': {
        const perm = attrInts(node, 'perm');
        const r = rankOf(first.v);
        const p = perm ?? (r === undefined ? undefined : Array.from({ length: r }, (_, i) => r - 1 - i));
        set(p ? { axis: p.indexOf(b.axis), factor: b.factor } : undefined);
        break;
      }
      case 'Reshape': {
        const shape = constInts(graph, node.inputs[1]);
        const dims = dimsOf(first.v);
        if (first.i !== 0 || !shape || !dims || dims.some((d) => typeof d !== 'number')) {
          set(undefined);
          break;
        }
        const nd = dims as number[];
        const before = product(nd.slice(0, b.axis));
        // Resolve 0 (copy) entries against the input so prefix products compare sizes.
        const sizes = shape.map((s, i) => (s === 0 ? (nd[i] as number) : s));
        let j = -1;
        for (let k = 0, pre = 1; k < sizes.length; pre *= Math.max(1, sizes[k] as number), k++) {
          if (pre === before && (sizes[k] as number) % batch === 0 && (sizes[k] as number) !== -1) {
            j = k;
            break;
          }
          if (pre > before) break;
        }
        if (j < 0) {
          set(undefined);
          break;
        }
        onReshape(node, shape, j, b);
        set({ axis: j, factor: (sizes[j] as number) / batch });
        break;
      }
      case 'Concat': {
        const r = rankOf(first.v);
        const axis = attrInt(node, 'axis', 0);
        const a = axis < 0 && r !== undefined ? axis + r : axis;
        set(a === b.axis ? undefined : b);
        break;
      }
      case 'Split':
      case 'Slice': {
        if (first.i !== 0) {
          set(undefined);
          break;
        }
        for (const o of node.outputs) at.set(o, b);
        break;
      }
      case 'Gather': {
        if (first.i !== 0) {
          set(undefined);
          break;
        }
        const r = rankOf(first.v);
        const axis = attrInt(node, 'axis', 0);
        const a = axis < 0 && r !== undefined ? axis + r : axis;
        const ir = rankOf(node.inputs[1]);
        if (a === b.axis || ir === undefined) set(undefined);
        else set({ axis: a > b.axis ? b.axis : b.axis - 1 + ir, factor: b.factor });
        break;
      }
      case 'Squeeze':
      case 'Unsqueeze': {
        const axes = reduceAxes(graph, node);
        const r = node.opType === 'Squeeze' ? rankOf(first.v) : outRank;
        if (!axes || r === undefined) {
          set(undefined);
          break;
        }
        const norm = axes.map((x) => (x < 0 ? x + r : x));
        if (node.opType === 'Squeeze')
          set(
            norm.includes(b.axis)
              ? undefined
              : { axis: b.axis - norm.filter((x) => x < b.axis).length, factor: b.factor },
          );
        else {
          let axis = b.axis;
          for (const x of [...norm].sort((p, q) => p - q)) if (x <= axis) axis++;
          set({ axis, factor: b.factor });
        }
        break;
      }
      case 'Flatten': {
        const axis = attrInt(node, 'axis', 1);
        set(b.axis < axis ? { axis: 0, factor: b.factor } : { axis: 1, factor: b.factor });
        break;
      }
      case 'ReduceMean':
      case 'ReduceSum':
      case 'ReduceMax':
      case 'ReduceMin': {
        const axes = reduceAxes(graph, node);
        const r = rankOf(first.v);
        if (!axes || r === undefined) {
          set(undefined);
          break;
        }
        const norm = axes.map((x) => (x < 0 ? x + r : x));
        if (norm.includes(b.axis)) set(undefined);
        else if (attrInt(node, 'keepdims', 1) === 1) set(b);
        else set({ axis: b.axis - norm.filter((x) => x < b.axis).length, factor: b.factor });
        break;
      }
      default:
        set(undefined);
    }
  }
  return at;
}
