import {
  attrInt,
  attrInts,
  constFloats,
  constInts,
  dimsOf,
  type Graph,
  knownInts,
  type Node,
  producer,
  users,
  type Value,
} from '../../pass/graph/index.js';

/** A level size: a number when the graph fixes it, else the [1] int64 graph value that computes it. */
export type LevelSize = number | Value;

/** One level of a decomposed MSDA: the GridSample and its level geometry. */
export interface MsdaLevel {
  readonly gridSample: Node;
  /** First token of the level on the token axis of `value`. */
  readonly start: LevelSize;
  /** Height and width of the level, as the graph reshapes the value to [N*M, D, H, W]. */
  readonly height: LevelSize;
  readonly width: LevelSize;
}

/**
 * A multi-scale deformable attention decomposed the way transformers' `multi_scale_deformable_attention`
 * exports (Deformable DETR and RT-DETR; TorchScript and dynamo exporters): per level
 * `Slice(value) or Split(value)[l] -> Reshape -> Transpose -> Reshape[N*M,D,H,W]` and
 * `Gather(2*loc-1, level, axis 3) -> Transpose -> Reshape[N*M,Lq,P,2]` feeding GridSample, the samples stacked
 * (Unsqueeze + Concat), flattened, multiplied by the reshaped attention weights, ReduceSum, Reshape, Transpose.
 */
export interface DecomposedMsda {
  readonly value: Value; // [N, S, M, D]
  readonly samplingLocations: Value; // [N, Lq, M, L, P, 2]
  readonly attentionWeights: Value; // [N, Lq, M, L, P]
  readonly levels: readonly MsdaLevel[];
  /** The value the fused op replaces ([N, Lq, M*D]). */
  readonly output: Value;
  /** The final node of the pattern (the fused nodes go before it). */
  readonly last: Node;
}

const op = (v: Value | undefined, type: string): Node | undefined => {
  const p = producer(v);
  return p && p.opType === type && p.domain === '' ? p : undefined;
};

const scalar = (graph: Graph, v: Value | undefined): number | undefined => {
  const f = constFloats(graph, v);
  return f && f.length === 1 ? f[0] : undefined;
};

/** The one consumer of `v` other than Shape ops (exports read shapes off intermediate values). */
const soleUser = (v: Value): Node | undefined => {
  const u = users(v).filter((n) => n.opType !== 'Shape');
  return u.length === 1 ? u[0] : undefined;
};

const samePerm = (n: Node, perm: number[]): boolean => {
  const p = attrInts(n, 'perm');
  return !!p && p.length === perm.length && p.every((x, i) => x === perm[i]);
};

/** Sampling locations `loc` from the grid `2*loc - 1` (Sub(Mul(loc, 2), 1)). */
function locationsOf(graph: Graph, grid: Value | undefined): Value | undefined {
  const sub = op(grid, 'Sub');
  if (!sub || scalar(graph, sub.inputs[1]) !== 1) return undefined;
  const mul = op(sub.inputs[0], 'Mul');
  if (!mul) return undefined;
  if (scalar(graph, mul.inputs[1]) === 2) return mul.inputs[0];
  if (scalar(graph, mul.inputs[0]) === 2) return mul.inputs[1];
  return undefined;
}

interface LevelSide {
  level: MsdaLevel;
  value: Value;
  locations: Value;
  index: number;
}

/** Matches both GridSample inputs of one level; undefined when they are not the MSDA form. */
function matchLevel(graph: Graph, gs: Node): LevelSide | undefined {
  const a = gs.getAttr('mode')?.value;
  const pad = gs.getAttr('padding_mode')?.value;
  if ((a !== undefined && a !== 'bilinear' && a !== 'linear') || (pad !== undefined && pad !== 'zeros'))
    return undefined;
  if (attrInt(gs, 'align_corners', 0) !== 0) return undefined;
  // value side: Slice(value, start, end, [1]) or Split(value, axis 1)[l] -> Reshape -> Transpose(0,2,1)
  //   -> Reshape([N*M, D, H, W]), the shape a Concat of four sizes or a constant.
  const rs = op(gs.inputs[0], 'Reshape');
  const tr = op(rs?.inputs[0], 'Transpose');
  const flat = op(tr?.inputs[0], 'Reshape');
  if (!rs || !tr || !flat || !samePerm(tr, [0, 2, 1])) return undefined;
  const piece = levelPiece(graph, flat.inputs[0]);
  const hw = levelHeightWidth(graph, rs.inputs[1]);
  if (!piece || !hw) return undefined;
  // grid side: Gather(2*loc-1, l, axis 3) -> Transpose(0,2,1,3,4) -> Reshape
  const grs = op(gs.inputs[1], 'Reshape');
  const gtr = op(grs?.inputs[0], 'Transpose');
  const gather = op(gtr?.inputs[0], 'Gather');
  if (!grs || !gtr || !gather || !samePerm(gtr, [0, 2, 1, 3, 4]) || attrInt(gather, 'axis', 0) !== 3)
    return undefined;
  const idx = constInts(graph, gather.inputs[1]);
  const index = idx?.length === 1 ? idx[0] : undefined;
  const locations = locationsOf(graph, gather.inputs[0]);
  if (index === undefined || !locations) return undefined;
  const level = { gridSample: gs, start: piece.start, height: hw[0], width: hw[1] };
  return { level, value: piece.value, locations, index };
}

/** A size known to the graph: a constant or an inferred value (a number), else the value computing it. */
function sizeOf(graph: Graph, v: Value | undefined): LevelSize | undefined {
  const k = knownInts(graph, v);
  if (k?.length === 1) return k[0];
  return v && (dimsOf(v)?.length ?? 1) === 1 ? v : undefined;
}

/** The level's slice of the token axis: `Slice(value, start, _, axes [1])` or output l of `Split(value, axis 1)`. */
function levelPiece(graph: Graph, v: Value | undefined): { value: Value; start: LevelSize } | undefined {
  const p = producer(v);
  if (p?.domain !== '' || !v) return undefined;
  if (p.opType === 'Slice') {
    const axes = p.inputs[3] ? constInts(graph, p.inputs[3]) : undefined;
    if (axes?.length !== 1 || axes[0] !== 1) return undefined;
    const step = p.inputs[4] ? constInts(graph, p.inputs[4]) : [1];
    const start = sizeOf(graph, p.inputs[1]);
    if (step?.[0] !== 1 || start === undefined || !p.inputs[0]) return undefined;
    return { value: p.inputs[0], start };
  }
  if (p.opType === 'Split') {
    if (attrInt(p, 'axis', 0) !== 1 || !p.inputs[0]) return undefined;
    const sizes = (p.inputs[1] ? knownInts(graph, p.inputs[1]) : undefined) ?? attrInts(p, 'split');
    const k = p.outputs.indexOf(v);
    if (!sizes || k < 0 || sizes.length !== p.outputs.length) return undefined;
    return { value: p.inputs[0], start: sizes.slice(0, k).reduce((a, b) => a + b, 0) };
  }
  return undefined;
}

/** H and W from the [N*M, D, H, W] shape input: a Concat of four sizes, or a known 4-vector. */
function levelHeightWidth(graph: Graph, shape: Value | undefined): [LevelSize, LevelSize] | undefined {
  const k = knownInts(graph, shape);
  if (k?.length === 4 && (k[2] as number) > 0 && (k[3] as number) > 0)
    return [k[2] as number, k[3] as number];
  const c = op(shape, 'Concat');
  if (c?.inputs.length !== 4) return undefined;
  const h = sizeOf(graph, c.inputs[2]);
  const w = sizeOf(graph, c.inputs[3]);
  return h !== undefined && w !== undefined ? [h, w] : undefined;
}

/** Follows the stacked samples to the weighted sum and the final [N, Lq, M*D] value. */
function matchTail(stack: Node): { weights: Value; output: Value; last: Node } | undefined {
  const flat = soleUser(stack.outputs[0] as Value);
  if (flat?.opType !== 'Reshape') return undefined;
  const mul = soleUser(flat.outputs[0] as Value);
  if (mul?.opType !== 'Mul') return undefined;
  const other = mul.inputs[0] === flat.outputs[0] ? mul.inputs[1] : mul.inputs[0];
  // weights: [N,Lq,M,L,P] -> Transpose(0,2,1,3,4) -> Reshape[N*M,1,Lq,L*P]
  const wrs = op(other, 'Reshape');
  const wtr = op(wrs?.inputs[0], 'Transpose');
  if (!wtr || !samePerm(wtr, [0, 2, 1, 3, 4]) || !wtr.inputs[0]) return undefined;
  const sum = soleUser(mul.outputs[0] as Value);
  if (sum?.opType !== 'ReduceSum') return undefined;
  const view = soleUser(sum.outputs[0] as Value);
  if (view?.opType !== 'Reshape') return undefined;
  const t = soleUser(view.outputs[0] as Value);
  if (t?.opType !== 'Transpose' || !samePerm(t, [0, 2, 1])) return undefined;
  return { weights: wtr.inputs[0], output: t.outputs[0] as Value, last: t };
}

/** Every decomposed MSDA in the graph, found by structure from its GridSample nodes. */
export function matchDeformableAttention(graph: Graph): DecomposedMsda[] {
  const byStack = new Map<Node, LevelSide[]>();
  for (const gs of graph.nodes) {
    if (gs.opType !== 'GridSample' || gs.domain !== '') continue;
    const side = matchLevel(graph, gs);
    const un = soleUser(gs.outputs[0] as Value);
    const stack = un?.opType === 'Unsqueeze' ? soleUser(un.outputs[0] as Value) : undefined;
    if (!side || stack?.opType !== 'Concat') continue;
    byStack.set(stack, [...(byStack.get(stack) ?? []), side]);
  }
  const out: DecomposedMsda[] = [];
  for (const [stack, sides] of byStack) {
    // Levels in stack order; every stack input must be one of our levels, indices 0..L-1, one value, one loc.
    const ordered = stack.inputs.map((u) =>
      sides.find((s) => producer(producer(u)?.inputs[0]) === s.level.gridSample),
    );
    if (ordered.some((s) => !s)) continue;
    const levels = ordered as LevelSide[];
    if (levels.some((s, i) => s.index !== i)) continue;
    const first = levels[0] as LevelSide;
    if (levels.some((s) => s.value !== first.value || s.locations !== first.locations)) continue;
    const tail = matchTail(stack);
    if (!tail) continue;
    out.push({
      value: first.value,
      samplingLocations: first.locations,
      attentionWeights: tail.weights,
      levels: levels.map((s) => s.level),
      output: tail.output,
      last: tail.last,
    });
  }
  return out;
}
