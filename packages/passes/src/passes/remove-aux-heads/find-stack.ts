import {
  attrInt,
  type Graph,
  type Node,
  normAxis,
  producer,
  rankOf,
  stackAxes,
  type Value,
} from '../../pass/graph/index.js';

/** `Concat(Unsqueeze(x_0, a), ..., Unsqueeze(x_n, a), axis a)`: how `torch.stack(xs, a)` exports. */
export interface Stack {
  readonly concat: Node;
  readonly axis: number;
  /** The per-layer tensors (x_i), and the Unsqueeze outputs that wrap them. */
  readonly layers: readonly Value[];
  readonly unsqueezed: readonly Value[];
  /** Rank of the stacked tensor. */
  readonly rank: number;
}

/** Recognises a stack by structure; undefined when `node` is not one. */
export function asStack(graph: Graph, node: Node | undefined): Stack | undefined {
  if (node?.opType !== 'Concat' || node.domain !== '' || node.inputs.length < 2) return undefined;
  const layers: Value[] = [];
  const unsqueezed: Value[] = [];
  let rank: number | undefined = rankOf(node.outputs[0]);
  let axis: number | undefined;
  for (const input of node.inputs) {
    const u = producer(input);
    if (!input || !u || u.opType !== 'Unsqueeze' || u.domain !== '') return undefined;
    const x = u.inputs[0];
    const axes = stackAxes(graph, u);
    if (!x || !axes || axes.length !== 1) return undefined;
    rank ??= rankOf(x) !== undefined ? (rankOf(x) as number) + 1 : undefined;
    if (rank === undefined) {
      // Negative axes need the rank; non-negative ones do not.
      if ((axes[0] as number) < 0) return undefined;
    }
    const a = rank === undefined ? (axes[0] as number) : normAxis(axes[0] as number, rank);
    if (axis !== undefined && a !== axis) return undefined;
    axis = a;
    layers.push(x);
    unsqueezed.push(input);
  }
  const concatAxis = attrInt(node, 'axis', 0);
  if (rank === undefined) rank = undefined;
  const ca = rank === undefined ? concatAxis : normAxis(concatAxis, rank);
  if (axis === undefined || ca !== axis) return undefined;
  if (rank === undefined) return undefined;
  return { concat: node, axis, layers, unsqueezed, rank };
}
