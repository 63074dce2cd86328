import type { Graph, Node, Value } from './ir.js';

/** A static dim (number), a symbolic one (string), or unknown (null). */
export type Dim = number | string | null;

export interface DimsDeps {
  attrInt(node: Node, name: string, dflt: number): number;
  attrInts(node: Node, name: string): number[] | undefined;
  attrString(node: Node, name: string): string | undefined;
  constDims(v: Value | undefined): readonly number[] | undefined;
  constInts(v: Value | undefined): number[] | undefined;
  constFloats(v: Value | undefined): number[] | undefined;
  recorded(v: Value): readonly Dim[] | undefined;
  rank(v: Value | undefined): number | undefined;
}

const UNARY = new Set([
  'Abs',
  'Acos',
  'Asin',
  'Atan',
  'BatchNormalization',
  'Cast',
  'CastLike',
  'Ceil',
  'Celu',
  'Clip',
  'Cos',
  'Cosh',
  'CumSum',
  'Dropout',
  'Elu',
  'Erf',
  'Exp',
  'Floor',
  'Gelu',
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
  'Mish',
  'Neg',
  'Not',
  'PRelu',
  'Reciprocal',
  'Relu',
  'Round',
  'Selu',
  'Shrink',
  'Sigmoid',
  'Sign',
  'Sin',
  'Sinh',
  'Softmax',
  'Softplus',
  'Softsign',
  'Sqrt',
  'Tan',
  'Tanh',
  'ThresholdedRelu',
  'GroupNormalization',
  'Trilu',
]);
const BROADCAST = new Set([
  'Add',
  'And',
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

function broadcast(shapes: readonly (readonly Dim[])[]): Dim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const x = s[s.length - rank + i];
      if (x === undefined || x === 1) continue;
      if (d === 1) d = x;
      else if (d !== x) d = typeof d === 'number' && typeof x === 'number' ? null : d === null ? x : d;
    }
    out.push(d);
  }
  return out;
}

const num = (d: Dim | undefined): d is number => typeof d === 'number';

function pooled(n: Node, x: readonly Dim[], deps: DimsDeps, outChannels?: Dim): Dim[] | undefined {
  if ((deps.attrString(n, 'auto_pad') ?? 'NOTSET') !== 'NOTSET') return undefined;
  if (deps.attrInt(n, 'ceil_mode', 0) !== 0) return undefined;
  const spatial = x.length - 2;
  const kernel = deps.attrInts(n, 'kernel_shape') ?? deps.constDims(n.inputs[1])?.slice(2);
  if (!kernel || kernel.length !== spatial) return undefined;
  const strides = deps.attrInts(n, 'strides') ?? kernel.map(() => 1);
  const dil = deps.attrInts(n, 'dilations') ?? kernel.map(() => 1);
  const pads = deps.attrInts(n, 'pads') ?? [...kernel, ...kernel].map(() => 0);
  const out: Dim[] = [x[0] ?? null, outChannels === undefined ? (x[1] ?? null) : outChannels];
  for (let i = 0; i < spatial; i++) {
    const d = x[2 + i];
    if (!num(d)) {
      out.push(null);
      continue;
    }
    const k = (dil[i] as number) * ((kernel[i] as number) - 1) + 1;
    out.push(
      Math.floor((d + (pads[i] as number) + (pads[i + spatial] as number) - k) / (strides[i] as number)) + 1,
    );
  }
  return out;
}

/** Infers static dims where the graph pins them (one topological sweep); unknown dims are null. */
export function inferDims(graph: Graph, deps: DimsDeps): Map<Value, Dim[]> {
  const known = new Map<Value, Dim[]>();
  const get = (v: Value | undefined): readonly Dim[] | undefined => {
    if (!v) return undefined;
    const c = deps.constDims(v);
    if (c) return c;
    return known.get(v) ?? deps.recorded(v);
  };
  for (const v of graph.inputs) {
    const d = deps.recorded(v);
    if (d) known.set(v, [...d]);
  }
  for (const n of graph.nodes) {
    if (n.domain !== '') continue;
    const out = n.outputs[0];
    if (!out) continue;
    const x = get(n.inputs[0]);
    let res: Dim[] | undefined;
    const op = n.opType;
    try {
      if (UNARY.has(op)) res = x ? [...x] : undefined;
      else if (BROADCAST.has(op)) {
        const all = n.inputs.map(get);
        if (all.every((s) => s)) res = broadcast(all as Dim[][]);
      } else if (op === 'MatMul') {
        const b = get(n.inputs[1]);
        if (x && b && x.length >= 2 && b.length >= 2) {
          const batch = broadcast([x.slice(0, -2), b.slice(0, -2)]);
          res = [...batch, x[x.length - 2] ?? null, b[b.length - 1] ?? null];
        }
      } else if (op === 'Gemm') {
        const b = get(n.inputs[1]);
        if (x && b) {
          const m = deps.attrInt(n, 'transA', 0) ? x[1] : x[0];
          const nn = deps.attrInt(n, 'transB', 0) ? b[0] : b[1];
          res = [m ?? null, nn ?? null];
        }
      } else if (op === 'Conv') {
        const w = get(n.inputs[1]);
        if (x && w) res = pooled(n, x, deps, w[0] ?? null);
      } else if (op === 'MaxPool' || op === 'AveragePool') {
        if (x) res = pooled(n, x, deps);
      } else if (op === 'GlobalAveragePool' || op === 'GlobalMaxPool') {
        if (x) res = [x[0] ?? null, x[1] ?? null, ...x.slice(2).map(() => 1)];
      } else if (op === 'GridSample') {
        const grid = get(n.inputs[1]);
        if (x && grid && x.length === 4 && grid.length === 4)
          res = [x[0] ?? null, x[1] ?? null, grid[1] ?? null, grid[2] ?? null];
      } else if (op === 'Transpose') {
        if (x) {
          const perm = deps.attrInts(n, 'perm') ?? x.map((_, i) => x.length - 1 - i);
          res = perm.map((p) => x[p] ?? null);
        }
      } else if (op === 'Reshape') {
        const shape = deps.constInts(n.inputs[1]);
        if (shape && x) {
          const allowZero = deps.attrInt(n, 'allowzero', 0) === 1;
          const r: Dim[] = shape.map((s, i) =>
            s === 0 && !allowZero ? (x[i] ?? null) : s === -1 ? null : s,
          );
          const total = x.every(num) ? (x as number[]).reduce((a, b) => a * b, 1) : undefined;
          const known2 = r.filter(num).reduce((a, b) => a * b, 1);
          const unknown = r.filter((d) => d === null).length;
          if (unknown === 1 && total !== undefined && shape.includes(-1) && known2 > 0)
            r[shape.indexOf(-1)] = total / known2;
          res = r;
        } else if (shape) res = shape.map((s) => (s > 0 ? s : null));
      } else if (op === 'Flatten') {
        if (x?.every(num)) {
          const a = deps.attrInt(n, 'axis', 1);
          const ax = a < 0 ? a + x.length : a;
          const p = (xs: readonly Dim[]) => (xs as number[]).reduce((s, d) => s * d, 1);
          res = [p(x.slice(0, ax)), p(x.slice(ax))];
        }
      } else if (op === 'Concat') {
        const all = n.inputs.map(get);
        if (all.every((s) => s) && x) {
          const a = deps.attrInt(n, 'axis', 0);
          const ax = a < 0 ? a + x.length : a;
          res = [...x];
          const parts = (all as Dim[][]).map((s) => s[ax] ?? null);
          res[ax] = parts.every(num) ? (parts as number[]).reduce((s, d) => s + d, 0) : null;
        }
      } else if (op === 'Gather') {
        const i = get(n.inputs[1]);
        if (x && i) {
          const a = deps.attrInt(n, 'axis', 0);
          const ax = a < 0 ? a + x.length : a;
          res = [...x.slice(0, ax), ...i, ...x.slice(ax + 1)];
        }
      } else if (op === 'Unsqueeze' || op === 'Squeeze') {
        const axes = deps.attrInts(n, 'axes') ?? deps.constInts(n.inputs[1]);
        if (x && axes) {
          if (op === 'Unsqueeze') {
            const r = x.length + axes.length;
            const norm = new Set(axes.map((a) => (a < 0 ? a + r : a)));
            const it = x[Symbol.iterator]();
            res = Array.from({ length: r }, (_, i) => (norm.has(i) ? 1 : (it.next().value ?? null)));
          } else {
            const norm = new Set(axes.map((a) => (a < 0 ? a + x.length : a)));
            res = x.filter((_, i) => !norm.has(i));
          }
        }
      } else if (op === 'Slice') {
        const starts = deps.constInts(n.inputs[1]);
        const ends = deps.constInts(n.inputs[2]);
        if (x && starts && ends) {
          const axes = n.inputs[3] ? deps.constInts(n.inputs[3]) : starts.map((_, i) => i);
          const steps = n.inputs[4] ? deps.constInts(n.inputs[4]) : starts.map(() => 1);
          if (axes && steps) {
            res = [...x];
            axes.forEach((a0, k) => {
              const a = a0 < 0 ? a0 + x.length : a0;
              const d = x[a];
              const st = steps[k] as number;
              if (!num(d) || st <= 0) {
                (res as Dim[])[a] = null;
                return;
              }
              const clamp = (v: number) => Math.max(0, Math.min(d, v < 0 ? v + d : v));
              (res as Dim[])[a] = Math.max(
                0,
                Math.ceil((clamp(ends[k] as number) - clamp(starts[k] as number)) / st),
              );
            });
          }
        }
      } else if (op.startsWith('Reduce') || op === 'ArgMax' || op === 'ArgMin') {
        const axes = op.startsWith('Arg')
          ? [deps.attrInt(n, 'axis', 0)]
          : (deps.attrInts(n, 'axes') ?? deps.constInts(n.inputs[1]));
        if (x && axes) {
          const norm = new Set(axes.map((a) => (a < 0 ? a + x.length : a)));
          const keep = deps.attrInt(n, 'keepdims', 1) === 1;
          res = keep ? x.map((d, i) => (norm.has(i) ? 1 : d)) : x.filter((_, i) => !norm.has(i));
        }
      } else if (op === 'Expand') {
        const s = deps.constInts(n.inputs[1]);
        if (x && s) res = broadcast([x, s]);
      } else if (op === 'ConstantOfShape') {
        const s = deps.constInts(n.inputs[0]);
        if (s) res = s;
      } else if (op === 'Resize') {
        const sizes = deps.constInts(n.inputs[3]);
        const scales = deps.constFloats(n.inputs[2]);
        if (sizes && sizes.length === x?.length) res = sizes;
        else if (x && scales && scales.length === x.length)
          res = x.map((d, i) => (num(d) ? Math.floor(d * (scales[i] as number)) : null));
      } else if (op === 'Split') {
        if (x) {
          const a = deps.attrInt(n, 'axis', 0);
          const ax = a < 0 ? a + x.length : a;
          const split = deps.attrInts(n, 'split') ?? deps.constInts(n.inputs[1]);
          const d = x[ax];
          n.outputs.forEach((o, k) => {
            const part = split ? (split[k] ?? null) : num(d) ? d / n.outputs.length : null;
            const r = [...x];
            r[ax] = part;
            known.set(o, r);
          });
          continue;
        }
      }
    } catch {
      res = undefined;
    }
    if (res && res.length === deps.rank(out)) known.set(out, res);
    else if (res && deps.rank(out) === undefined) known.set(out, res);
  }
  return known;
}
