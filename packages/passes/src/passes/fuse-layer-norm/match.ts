import {
  attrInt,
  constFloats,
  type Graph,
  isGraphOutput,
  type Node,
  producer,
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

/** Matches the pattern rooted at the first ReduceMean; undefined when it is not a LayerNorm. */
export function matchLayerNorm(graph: Graph, mean: Node): DecomposedLayerNorm | undefined {
  if (mean.opType !== 'ReduceMean' || mean.domain !== '' || attrInt(mean, 'keepdims', 1) !== 1)
    return undefined;
  const x = mean.inputs[0];
  const m = mean.outputs[0];
  const rawAxes = reduceAxes(graph, mean);
  if (!x || !m || !rawAxes || rawAxes.length === 0) return undefined;
  const rank = rankOf(x);
  const axes = normalise(rawAxes, rank);
  if (!axes) return undefined;

  const sub = soleUser(m);
  if (sub?.opType !== 'Sub' || sub.inputs[0] !== x || sub.inputs[1] !== m) return undefined;
  const d = sub.outputs[0] as Value;
  const dUsers = users(d);

  // d^2
  const square = dUsers.find(
    (n) =>
      (n.opType === 'Pow' && n.inputs[0] === d && scalarOf(graph, n.inputs[1]) === 2) ||
      (n.opType === 'Mul' && n.inputs[0] === d && n.inputs[1] === d),
  );
  if (!square) return undefined;
  const sq = square.outputs[0] as Value;
  const mean2 = soleUser(sq);
  if (mean2?.opType !== 'ReduceMean' || attrInt(mean2, 'keepdims', 1) !== 1) return undefined;
  const axes2 = normalise(reduceAxes(graph, mean2) ?? [], rank);
  if (!axes2 || !sameAxes(axes, axes2)) return undefined;
  const v = mean2.outputs[0] as Value;
  const addEps = soleUser(v);
  if (addEps?.opType !== 'Add') return undefined;
  const epsilon = scalarOf(graph, otherInput(addEps, v));
  if (epsilon === undefined || !(epsilon >= 0)) return undefined;
  const ve = addEps.outputs[0] as Value;

  // d / sqrt(v + eps), three spellings.
  const nodes: Node[] = [mean, sub, square, mean2, addEps];
  let normed: Value | undefined;
  const next = soleUser(ve);
  if (next?.opType === 'Sqrt') {
    const s = next.outputs[0] as Value;
    const after = soleUser(s);
    nodes.push(next);
    if (after?.opType === 'Div' && after.inputs[0] === d && after.inputs[1] === s) {
      nodes.push(after);
      normed = after.outputs[0];
    } else if (after?.opType === 'Reciprocal') {
      const r = after.outputs[0] as Value;
      const mul = soleUser(r);
      if (mul?.opType !== 'Mul' || otherInput(mul, r) !== d || !internal(graph, r, 1)) return undefined;
      nodes.push(after, mul);
      normed = mul.outputs[0];
    } else return undefined;
    if (!internal(graph, s, 1)) return undefined;
  } else if (next?.opType === 'Pow' && next.inputs[0] === ve && scalarOf(graph, next.inputs[1]) === -0.5) {
    const r = next.outputs[0] as Value;
    const mul = soleUser(r);
    if (mul?.opType !== 'Mul' || otherInput(mul, r) !== d || !internal(graph, r, 1)) return undefined;
    nodes.push(next, mul);
    normed = mul.outputs[0];
  } else return undefined;
  if (!normed) return undefined;

  // Every intermediate is private to the pattern.
  const dUses = square.opType === 'Mul' ? 3 : 2;
  if (
    !internal(graph, m, 1) ||
    !internal(graph, d, dUses) ||
    !internal(graph, sq, 1) ||
    !internal(graph, v, 1) ||
    !internal(graph, ve, 1)
  )
    return undefined;

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
  void producer;
  return { x, axes, rank, epsilon, gamma, beta, y, nodes };
}
