import {
  attrInt,
  axesOf,
  dimsOf,
  type Graph,
  isConstant,
  normAxis,
  rankOf,
  type Value,
} from '../../pass/graph/index.js';

const PER_ELEMENT = new Set([
  'Abs',
  'Add',
  'Cast',
  'Clip',
  'Div',
  'Erf',
  'Exp',
  'Gelu',
  'Identity',
  'LeakyRelu',
  'Log',
  'Mul',
  'Neg',
  'Pow',
  'Relu',
  'Sigmoid',
  'Sqrt',
  'Sub',
  'Tanh',
  'Softmax',
  'LayerNormalization',
]);

/**
 * The static length of `v` along `axis`, from its recorded shape or, when the file recorded none, from how it was
 * built: a Concat along that axis of pieces of known length (an Unsqueeze there contributes 1), seen through
 * per-element ops whose other operands do not reach that axis. This is enough for the stacked-heads Gather(-1).
 */
export function staticDim(graph: Graph, v: Value | undefined, axis: number, depth = 0): number | undefined {
  if (!v || depth > 64) return undefined;
  const rank = rankOf(v);
  if (rank === undefined) return undefined;
  const a = normAxis(axis, rank);
  const d = dimsOf(v)?.[a];
  if (typeof d === 'number' && d >= 0) return d;
  const p = v.producer;
  if (p?.domain !== '') return undefined;
  if (p.opType === 'Unsqueeze') {
    const axes = axesOf(graph, p)?.map((x) => normAxis(x, rank));
    if (axes?.includes(a)) return 1;
    return undefined;
  }
  if (p.opType === 'Concat') {
    if (normAxis(attrInt(p, 'axis', 0), rank) !== a) return staticDim(graph, p.inputs[0], a, depth + 1);
    let sum = 0;
    for (const x of p.inputs) {
      const n = staticDim(graph, x, a, depth + 1);
      if (n === undefined) return undefined;
      sum += n;
    }
    return sum;
  }
  const computed = p.inputs.filter((x) => x && !isConstant(graph, x));
  const others = p.inputs.filter((x) => x && isConstant(graph, x));
  const reachesAxis = others.some((x) => (rankOf(x) ?? rank) >= rank - a);
  if (computed.length !== 1 || reachesAxis) return undefined;
  if (p.opType === 'MatMul' && (a >= rank - 2 || p.inputs[0] !== computed[0])) return undefined;
  if (!PER_ELEMENT.has(p.opType) && p.opType !== 'MatMul') return undefined;
  if (
    (p.opType === 'Softmax' || p.opType === 'LayerNormalization') &&
    normAxis(attrInt(p, 'axis', -1), rank) <= a
  )
    return undefined;
  return staticDim(graph, computed[0], a, depth + 1);
}
