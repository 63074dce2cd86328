import { attrInt, type Node, rankOf, type Value } from '../../pass/graph/index.js';

/**
 * Ops that act on each layer of a stack independently, so `select(f(stack)) == f(select(stack))`.
 * For every other input the rule is the same: it must not reach the stacked axis when broadcast (rank < R - axis).
 */
const ELEMENTWISE = new Set([
  'Abs',
  'Add',
  'And',
  'Cast',
  'Ceil',
  'Clip',
  'Cos',
  'Div',
  'Elu',
  'Equal',
  'Erf',
  'Exp',
  'Floor',
  'Gelu',
  'Greater',
  'GreaterOrEqual',
  'HardSigmoid',
  'HardSwish',
  'Identity',
  'LeakyRelu',
  'Less',
  'LessOrEqual',
  'Log',
  'Max',
  'Min',
  'Mul',
  'Neg',
  'Not',
  'Or',
  'Pow',
  'PRelu',
  'Reciprocal',
  'Relu',
  'Round',
  'Selu',
  'Sigmoid',
  'Sign',
  'Sin',
  'Softplus',
  'Sqrt',
  'Sub',
  'Tanh',
  'Where',
]);

/** Ops with one `axis` attribute that must not be the stacked axis (it shifts down by one after the select). */
const AXIS_OPS = new Set(['Softmax', 'LogSoftmax', 'LayerNormalization']);

export interface LayerwiseStep {
  readonly node: Node;
  /** Which input carries the stacked tensor. */
  readonly input: number;
}

/**
 * Whether `node`, fed the stacked tensor (rank `rank`, stacked on `axis`) at input `k`, works per layer.
 * Returns a sentence when it does not (for notes), true when it does.
 */
export function isLayerwise(opset: number, node: Node, k: number, rank: number, axis: number): true | string {
  if (node.domain !== '' || node.outputs.length !== 1) return `${node.opType} is not a per-layer op`;
  const others = node.inputs.filter((v, i): v is Value => i !== k && v !== undefined);
  const othersOk = () =>
    others.every((v) => {
      const r = rankOf(v);
      return r !== undefined && r < rank - axis;
    });
  if (ELEMENTWISE.has(node.opType))
    return othersOk() ? true : `${node.opType} broadcasts over the stacked axis`;
  if (node.opType === 'MatMul') {
    if (axis >= rank - 2) return 'MatMul contracts the stacked axis';
    return othersOk() ? true : 'MatMul operand broadcasts over the stacked axis';
  }
  if (AXIS_OPS.has(node.opType)) {
    const legacySoftmax = node.opType !== 'LayerNormalization' && opset < 13;
    const raw = attrInt(node, 'axis', node.opType === 'LayerNormalization' || !legacySoftmax ? -1 : 1);
    const a = raw < 0 ? raw + rank : raw;
    if (a <= axis) return `${node.opType} axis ${raw} covers the stacked axis`;
    return othersOk() ? true : `${node.opType} operand broadcasts over the stacked axis`;
  }
  return `${node.opType} is not a per-layer op`;
}
