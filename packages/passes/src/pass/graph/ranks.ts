import type { Graph, Node, Value } from './ir.js';

/**
 * Ranks of every value, inferred in one topological sweep from graph inputs, constants and recorded shapes.
 * Also tracks the static length of small 1-D integer tensors (shape arithmetic), which Reshape/Expand/
 * ConstantOfShape need to know their output rank. Unknown stays unknown: callers treat it as "cannot prove".
 */
export interface RankInfo {
  readonly rank: Map<Value, number>;
  /** Length of 1-D values whose length is statically known. */
  readonly length: Map<Value, number>;
}

const SAME_AS_FIRST = new Set([
  'Abs',
  'Acos',
  'Asin',
  'Atan',
  'AveragePool',
  'BatchNormalization',
  'Cast',
  'CastLike',
  'Ceil',
  'Celu',
  'Clip',
  'Conv',
  'ConvTranspose',
  'Cos',
  'Cosh',
  'CumSum',
  'DepthToSpace',
  'Dropout',
  'Elu',
  'Erf',
  'Exp',
  'Floor',
  'Gelu',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'GridSample',
  'GroupNormalization',
  'HardSigmoid',
  'HardSwish',
  'Hardmax',
  'Identity',
  'InstanceNormalization',
  'IsInf',
  'IsNaN',
  'LayerNormalization',
  'LeakyRelu',
  'Log',
  'LogSoftmax',
  'LpNormalization',
  'MaxPool',
  'Mish',
  'Neg',
  'Not',
  'Pad',
  'PRelu',
  'Reciprocal',
  'Relu',
  'Resize',
  'Round',
  'Selu',
  'Shrink',
  'Sigmoid',
  'Sign',
  'Sin',
  'Sinh',
  'Slice',
  'Softmax',
  'Softplus',
  'Softsign',
  'SpaceToDepth',
  'Split',
  'Sqrt',
  'Tan',
  'Tanh',
  'ThresholdedRelu',
  'Tile',
  'TopK',
  'Transpose',
  'Trilu',
  'Upsample',
  'ScatterND',
  'ScatterElements',
  'GatherElements',
  'RandomNormalLike',
  'RandomUniformLike',
  'ReverseSequence',
]);
const BROADCAST = new Set([
  'Add',
  'And',
  'BitShift',
  'Div',
  'Equal',
  'Greater',
  'GreaterOrEqual',
  'Less',
  'LessOrEqual',
  'Max',
  'Mean',
  'Min',
  'Mod',
  'Mul',
  'Or',
  'Pow',
  'Sub',
  'Sum',
  'Where',
  'Xor',
]);

const LENGTH_KEEP = new Set([
  'Abs',
  'Cast',
  'CastLike',
  'Ceil',
  'Clip',
  'Exp',
  'Floor',
  'Identity',
  'Log',
  'Neg',
  'Not',
  'Relu',
  'Round',
  'Sign',
  'Sqrt',
]);

export interface RankDeps {
  attrInt(node: Node, name: string, dflt: number): number;
  attrInts(node: Node, name: string): number[] | undefined;
  constDims(v: Value | undefined): readonly number[] | undefined;
  constInts(v: Value | undefined): number[] | undefined;
  recorded(v: Value): number | undefined;
  recordedLength(v: Value): number | undefined;
  opset: number;
}

export function inferRanks(graph: Graph, deps: RankDeps): RankInfo {
  const rank = new Map<Value, number>();
  const length = new Map<Value, number>();
  const r = (v: Value | undefined): number | undefined => {
    if (!v) return undefined;
    const c = deps.constDims(v);
    if (c) return c.length;
    return rank.get(v) ?? deps.recorded(v);
  };
  const len = (v: Value | undefined): number | undefined => {
    if (!v) return undefined;
    const c = deps.constDims(v);
    if (c) return c.length === 1 ? c[0] : c.length === 0 ? 1 : undefined;
    return length.get(v) ?? deps.recordedLength(v);
  };
  for (const v of graph.inputs) {
    const x = deps.recorded(v);
    if (x !== undefined) rank.set(v, x);
  }
  const isWholeShape = (n: Node) =>
    deps.attrInt(n, 'start', 0) === 0 &&
    deps.attrInt(n, 'end', Number.MAX_SAFE_INTEGER) === Number.MAX_SAFE_INTEGER;
  const axesOf = (n: Node) => deps.attrInts(n, 'axes') ?? deps.constInts(n.inputs[1]);
  for (const n of graph.nodes) {
    const out = n.outputs[0];
    if (!out || n.domain !== '') continue;
    const r0 = r(n.inputs[0]);
    let res: number | undefined;
    let l: number | undefined;
    const op = n.opType;
    if (SAME_AS_FIRST.has(op)) {
      res = r0;
      if (res === 1 && LENGTH_KEEP.has(op)) l = len(n.inputs[0]);
    } else if (BROADCAST.has(op)) {
      const rs = n.inputs.map(r);
      res = rs.every((x) => x !== undefined) ? Math.max(...(rs as number[])) : undefined;
      if (res === 1) {
        const ls = n.inputs.map((v) => (r(v) === 0 ? 1 : len(v)));
        if (ls.every((x) => x !== undefined)) l = Math.max(...(ls as number[]));
      }
    } else if (op === 'MatMul') {
      const a = r0;
      const b = r(n.inputs[1]);
      if (a !== undefined && b !== undefined)
        res = a === 1 && b === 1 ? 0 : a === 1 ? b - 1 : b === 1 ? a - 1 : Math.max(a, b);
    } else if (op === 'Gemm') res = 2;
    else if (op === 'Flatten') res = 2;
    else if (op === 'Shape') {
      res = 1;
      const start = deps.attrInt(n, 'start', 0);
      if (r0 !== undefined && start === 0 && isWholeShape(n)) l = r0;
    } else if (op === 'Size') res = 0;
    else if (op === 'Range' || op === 'NonZero') res = op === 'Range' ? 1 : 2;
    else if (op === 'Unsqueeze') {
      const axes = axesOf(n);
      if (r0 !== undefined && axes) res = r0 + axes.length;
      if (r0 === 0 && axes?.length === 1) l = 1;
    } else if (op === 'Squeeze') {
      const axes = axesOf(n);
      if (r0 !== undefined && axes) res = r0 - axes.length;
    } else if (op === 'Concat') {
      res = n.inputs.map(r).find((x) => x !== undefined);
      if (res === 1) {
        const ls = n.inputs.map(len);
        if (ls.every((x) => x !== undefined)) l = (ls as number[]).reduce((a, b) => a + b, 0);
      }
    } else if (op === 'Gather') {
      const ri = r(n.inputs[1]);
      if (r0 !== undefined && ri !== undefined) res = r0 + ri - 1;
      if (res === 1 && ri === 1) l = len(n.inputs[1]);
    } else if (
      op === 'ConstantOfShape' &&
      n.inputs[0]?.producer?.opType === 'Shape' &&
      isWholeShape(n.inputs[0].producer)
    ) {
      // ConstantOfShape(Shape(x)) has x's shape.
      const x = n.inputs[0].producer.inputs[0];
      res = r(x);
      if (res === 1) l = len(x);
    } else if (op === 'Reshape' || op === 'Expand' || op === 'ConstantOfShape') {
      const s = len(n.inputs[op === 'ConstantOfShape' ? 0 : 1]);
      if (s !== undefined) res = op === 'Expand' && r0 !== undefined ? Math.max(r0, s) : s;
      if (op === 'Reshape' && res === 1 && r0 === 1) l = len(n.inputs[0]);
    } else if (op.startsWith('Reduce') || op === 'ArgMax' || op === 'ArgMin') {
      const keep = deps.attrInt(n, 'keepdims', 1) === 1;
      const axes = op.startsWith('Arg') ? [deps.attrInt(n, 'axis', 0)] : axesOf(n);
      if (r0 !== undefined) res = keep ? r0 : axes ? r0 - axes.length : undefined;
    } else if (op === 'Constant') {
      res = deps.constDims(out)?.length;
    }
    if (res !== undefined) for (const o of n.outputs) if (!rank.has(o)) rank.set(o, res);
    if (l !== undefined) length.set(out, l);
    if (op === 'Slice' && r0 === 1) {
      // Slices of a shape vector with constant bounds: common in exported shape arithmetic.
      const L = len(n.inputs[0]);
      const s = deps.constInts(n.inputs[1]);
      const e = deps.constInts(n.inputs[2]);
      const st = n.inputs[4] ? deps.constInts(n.inputs[4]) : [1];
      if (L !== undefined && s?.length === 1 && e?.length === 1 && st?.length === 1 && st[0] === 1) {
        const clamp = (x: number) => Math.max(0, Math.min(L, x < 0 ? x + L : x));
        length.set(out, Math.max(0, clamp(e[0] as number) - clamp(s[0] as number)));
      }
    }
  }
  return { rank, length };
}
