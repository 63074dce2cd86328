import { isSelfContained, matchValue, P } from '@trtkit/core';
import {
  attrInt,
  constFloats,
  type Graph,
  isGraphOutput,
  type Node,
  rankOf,
  reduceAxes,
  soleUser,
  users,
  type Value,
} from '../../pass/graph/index.js';

/**
 * A decomposed LayerNorm found by structure:
 * `m = ReduceMean(x); d = x - m; v = ReduceMean(d^2); y = d / sqrt(v + eps) [* gamma] [+ beta]`,
 * with `d^2` as `Pow(d, 2)` or `Mul(d, d)` and `/ sqrt` as `Div`, `Mul(Reciprocal(Sqrt))` or `Mul(Pow(., -0.5))`.
 */
export interface DecomposedLayerNorm {
  readonly x: Value;
  /** Normalised axes, non-negative when the rank is known, else negative. */
  readonly axes: readonly number[];
  readonly rank: number | undefined;
  readonly epsilon: number;
  readonly gamma: Value | undefined;
  readonly beta: Value | undefined;
  /** The value the fused op replaces. */
  readonly y: Value;
  /** Every node of the pattern (all become dead once `y` is rerouted). */
  readonly nodes: readonly Node[];
}

function otherInput(node: Node, v: Value): Value | undefined {
  if (node.inputs.length !== 2) return undefined;
  if (node.inputs[0] === v) return node.inputs[1];
  if (node.inputs[1] === v) return node.inputs[0];
  return undefined;
}

function scalarOf(graph: Graph, v: Value | undefined): number | undefined {
  const f = constFloats(graph, v);
  return f && f.length === 1 ? f[0] : undefined;
}

/** Only used inside the pattern: not a graph output and consumed exactly by `expected` nodes. */
function internal(graph: Graph, v: Value | undefined, expected: number): boolean {
  return !!v && !isGraphOutput(graph, v) && users(v).length === expected;
}

function sameAxes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function normalise(axes: readonly number[], rank: number | undefined): number[] | undefined {
  const out = axes.map((a) => (a < 0 && rank !== undefined ? a + rank : a));
  if (rank === undefined && out.some((a) => a >= 0)) return undefined;
  return [...new Set(out)].sort((p, q) => p - q);
}

const keepDims = (n: Node) => attrInt(n, 'keepdims', 1) === 1;
const X = P.v('x');
const AXES = P.opt(P.const()); // opset 18 moved ReduceMean's axes to an input
const D = P.op('Sub', [X, P.op('ReduceMean', [X, AXES], { as: 'mean', where: keepDims })], { as: 'sub' });
const VE = P.op(
  'Add',
  [
    P.op(
      'ReduceMean',
      [P.oneOf(P.op('Pow', [D, P.scalar(2)], { as: 'square' }), P.op('Mul', [D, D], { as: 'square' })), AXES],
      {
        as: 'mean2',
        where: keepDims,
      },
    ),
    P.const('eps'),
  ],
  { commutative: true, as: 'addEps' },
);
/** `d / sqrt(v + eps)` in its three spellings: Div by Sqrt, Mul by Reciprocal(Sqrt), Mul by Pow(., -0.5). */
const NORMED = P.oneOf(
  P.op('Div', [D, P.op('Sqrt', [VE])], { as: 'norm' }),
  P.op('Mul', [D, P.op('Reciprocal', [P.op('Sqrt', [VE])])], { commutative: true, as: 'norm' }),
  P.op('Mul', [D, P.op('Pow', [VE, P.scalar(-0.5)])], { commutative: true, as: 'norm' }),
);
/** Matches the pattern rooted at the normalising Div/Mul; undefined when `node` is not one. */
export function matchLayerNorm(graph: Graph, node: Node): DecomposedLayerNorm | undefined {
  if ((node.opType !== 'Div' && node.opType !== 'Mul') || node.domain !== '') return undefined;
  const out = node.outputs[0];
  const hit = out ? matchValue(NORMED, out) : undefined;
  if (!hit || !isSelfContained(graph, hit)) return undefined;
  const mean = hit.nodes.get('mean') as Node;
  const mean2 = hit.nodes.get('mean2') as Node;
  const x = hit.values.get('x') as Value;
  const rank = rankOf(x);
  const axes = normalise(reduceAxes(graph, mean) ?? [], rank);
  const axes2 = normalise(reduceAxes(graph, mean2) ?? [], rank);
  if (!axes || axes.length === 0 || !axes2 || !sameAxes(axes, axes2)) return undefined;
  const epsilon = scalarOf(graph, hit.values.get('eps'));
  if (epsilon === undefined || !(epsilon >= 0)) return undefined;
  // In graph order: the fused node goes where the last of them was.
  const at = new Map(graph.nodes.map((n, i) => [n, i]));
  const nodes: Node[] = [...hit.covered].sort((a, b) => (at.get(a) ?? 0) - (at.get(b) ?? 0));
  const normed = out as Value;

  // Optional affine: * gamma, + beta (constants).
  let y = normed;
  let gamma: Value | undefined;
  let beta: Value | undefined;
  const scale = internal(graph, y, 1) ? soleUser(y) : undefined;
  if (scale?.opType === 'Mul') {
    const g = otherInput(scale, y);
    if (g && constFloats(graph, g)) {
      gamma = g;
      nodes.push(scale);
      y = scale.outputs[0] as Value;
    }
  }
  const shift = internal(graph, y, 1) ? soleUser(y) : undefined;
  if (shift?.opType === 'Add') {
    const b = otherInput(shift, y);
    if (b && constFloats(graph, b)) {
      beta = b;
      nodes.push(shift);
      y = shift.outputs[0] as Value;
    }
  }
  return { x, axes, rank, epsilon, gamma, beta, y, nodes };
}
