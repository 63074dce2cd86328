import type { TensorProto } from '../onnx/schema.js';
import { tensorBytes, typedView } from '../onnx/tensor-bytes.js';
import type { Attrs } from '../shape/attrs.js';
import type { DType } from '../tensor/index.js';
import { dtypeFromOnnx, elementCount } from '../tensor/index.js';
import {
  broadcastDims,
  broadcastIndex,
  coerce,
  type ETensor,
  EvaluatorError,
  isFloat,
  make,
  normAxis,
  stridesOf,
} from './etensor.js';

/** One op of the evaluator: inputs (absent optional inputs are undefined) to outputs. */
export type EvalFn = (
  inputs: readonly (ETensor | undefined)[],
  attrs: Attrs,
  opset: number,
  nOutputs: number,
) => ETensor[];

function req(inputs: readonly (ETensor | undefined)[], i: number, op: string): ETensor {
  const t = inputs[i];
  if (!t) throw new EvaluatorError(`${op}: input ${i} is missing`);
  return t;
}

/** Reads a constant TensorProto (the `value` attribute of Constant) into the evaluator's form. */
export function etensorFromProto(t: TensorProto): ETensor | undefined {
  const dtype = dtypeFromOnnx(t.dataType);
  if (!dtype || dtype === 'string' || dtype === 'float16' || dtype === 'bfloat16') return undefined;
  const view = typedView(tensorBytes(t), dtype) as ArrayLike<number | bigint>;
  const data = new Array<number>(view.length);
  for (let i = 0; i < view.length; i++) data[i] = Number(view[i]);
  return make(dtype, t.dims.map(Number), data);
}

const ints = (t: ETensor): number[] => t.data.map((x) => Math.trunc(x));

function elementwise(op: string, fn: (a: number, b: number) => number, outType?: DType): EvalFn {
  return (inputs) => {
    const xs = inputs.filter((x): x is ETensor => x !== undefined);
    if (xs.length === 0) throw new EvaluatorError(`${op}: no inputs`);
    let acc = xs[0] as ETensor;
    for (let k = 1; k < xs.length; k++) {
      const b = xs[k] as ETensor;
      const dims = broadcastDims([acc.dims, b.dims]);
      const ia = broadcastIndex(acc.dims, dims);
      const ib = broadcastIndex(b.dims, dims);
      const dt = outType ?? acc.dtype;
      const out = new Array<number>(ia.length);
      for (let i = 0; i < ia.length; i++) {
        out[i] = coerce(fn(acc.data[ia[i] as number] as number, b.data[ib[i] as number] as number), dt);
      }
      acc = make(dt, dims, out);
    }
    return [acc];
  };
}

export function unary(fn: (x: number) => number, outType?: DType): EvalFn {
  return (inputs) => {
    const x = req(inputs, 0, 'unary');
    const dt = outType ?? x.dtype;
    return [
      make(
        dt,
        x.dims,
        x.data.map((v) => coerce(fn(v), dt)),
      ),
    ];
  };
}

function divide(a: number, b: number, dtype: DType): number {
  if (isFloat(dtype)) return a / b;
  if (b === 0) throw new EvaluatorError('integer division by zero');
  return Math.trunc(a / b);
}

/** Gathers `x` along `axis` with the given positions of that axis. */
function takeAxis(x: ETensor, axis: number, positions: readonly number[]): ETensor {
  const outer = elementCount(x.dims.slice(0, axis));
  const inner = elementCount(x.dims.slice(axis + 1));
  const n = x.dims[axis] as number;
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of positions) {
      const base = (o * n + p) * inner;
      for (let i = 0; i < inner; i++) out.push(x.data[base + i] as number);
    }
  }
  const dims = [...x.dims];
  dims[axis] = positions.length;
  return make(x.dtype, dims, out);
}

function sliceAxes(
  x: ETensor,
  starts: number[],
  ends: number[],
  axes: number[] | undefined,
  steps: number[] | undefined,
): ETensor {
  const rank = x.dims.length;
  const ax = axes ?? starts.map((_, i) => i);
  const begin = new Array<number>(rank).fill(0);
  const step = new Array<number>(rank).fill(1);
  const count = [...x.dims];
  ax.forEach((a0, i) => {
    const a = normAxis(a0, rank);
    const dim = x.dims[a] as number;
    const st = steps?.[i] ?? 1;
    if (st === 0) throw new EvaluatorError('Slice: step 0');
    let s = starts[i] as number;
    let e = ends[i] as number;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (st > 0) {
      s = Math.min(Math.max(s, 0), dim);
      e = Math.min(Math.max(e, 0), dim);
      count[a] = Math.max(0, Math.ceil((e - s) / st));
    } else {
      s = Math.min(Math.max(s, -1), dim - 1);
      e = Math.min(Math.max(e, -1), dim - 1);
      count[a] = Math.max(0, Math.ceil((s - e) / -st));
    }
    begin[a] = s;
    step[a] = st;
  });
  const strides = stridesOf(x.dims);
  const n = elementCount(count);
  const out = new Array<number>(n);
  const ctr = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let a = 0; a < rank; a++)
      off += ((begin[a] as number) + (ctr[a] as number) * (step[a] as number)) * (strides[a] as number);
    out[k] = x.data[off] as number;
    for (let a = rank - 1; a >= 0; a--) {
      ctr[a] = (ctr[a] as number) + 1;
      if ((ctr[a] as number) < (count[a] as number)) break;
      ctr[a] = 0;
    }
  }
  return make(x.dtype, count, out);
}

function transpose(x: ETensor, perm: readonly number[]): ETensor {
  const rank = x.dims.length;
  const dims = perm.map((p) => x.dims[p] as number);
  const inStrides = stridesOf(x.dims);
  const n = x.data.length;
  const out = new Array<number>(n);
  const ctr = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    for (let a = 0; a < rank; a++) off += (ctr[a] as number) * (inStrides[perm[a] as number] as number);
    out[k] = x.data[off] as number;
    for (let a = rank - 1; a >= 0; a--) {
      ctr[a] = (ctr[a] as number) + 1;
      if ((ctr[a] as number) < (dims[a] as number)) break;
      ctr[a] = 0;
    }
  }
  return make(x.dtype, dims, out);
}

/** The output dims of Reshape with ONNX's 0 (copy) and -1 (infer) rules, over concrete input dims. */
export function reshapeDims(
  inDims: readonly number[],
  shape: readonly number[],
  allowzero: boolean,
): number[] {
  const out = shape.map((s, i) => (s === 0 && !allowzero ? (inDims[i] as number) : s));
  const neg = out.indexOf(-1);
  if (neg >= 0) {
    const known = out.reduce((p, d, i) => (i === neg ? p : p * d), 1);
    const total = elementCount(inDims);
    if (known === 0 || total % known !== 0) {
      throw new EvaluatorError(`Reshape: cannot reshape [${inDims.join(',')}] to [${shape.join(',')}]`);
    }
    out[neg] = total / known;
  }
  if (elementCount(out) !== elementCount(inDims)) {
    throw new EvaluatorError(`Reshape: cannot reshape [${inDims.join(',')}] to [${shape.join(',')}]`);
  }
  return out;
}

function axesFrom(inputs: readonly (ETensor | undefined)[], attrs: Attrs, opset: number, inputSince: number) {
  if (opset >= inputSince) return inputs[1] ? ints(inputs[1]) : undefined;
  return attrs.ints('axes');
}

export function reduce(init: number, fn: (acc: number, x: number) => number, inputSince: number): EvalFn {
  return (inputs, attrs, opset) => {
    const x = req(inputs, 0, 'Reduce');
    const rank = x.dims.length;
    const keep = attrs.int('keepdims', 1) !== 0;
    let axes = axesFrom(inputs, attrs, opset, inputSince);
    if (!axes || axes.length === 0) {
      if (attrs.int('noop_with_empty_axes', 0)) return [x];
      axes = x.dims.map((_, i) => i);
    }
    const set = new Set(axes.map((a) => normAxis(a, rank)));
    const outDimsKeep = x.dims.map((d, i) => (set.has(i) ? 1 : d));
    const out = new Array<number>(elementCount(outDimsKeep)).fill(init);
    const outStrides = stridesOf(outDimsKeep);
    const ctr = new Array<number>(rank).fill(0);
    for (let k = 0; k < x.data.length; k++) {
      let o = 0;
      for (let a = 0; a < rank; a++) if (!set.has(a)) o += (ctr[a] as number) * (outStrides[a] as number);
      out[o] = fn(out[o] as number, x.data[k] as number);
      for (let a = rank - 1; a >= 0; a--) {
        ctr[a] = (ctr[a] as number) + 1;
        if ((ctr[a] as number) < (x.dims[a] as number)) break;
        ctr[a] = 0;
      }
    }
    const dims = keep ? outDimsKeep : x.dims.filter((_, i) => !set.has(i));
    return [
      make(
        x.dtype,
        dims,
        out.map((v) => coerce(v, x.dtype)),
      ),
    ];
  };
}

function constantValue(attrs: Attrs): ETensor {
  const t = attrs.tensor('value');
  if (t) {
    const e = etensorFromProto(t);
    if (!e) throw new EvaluatorError('Constant: unsupported tensor type');
    return e;
  }
  if (attrs.has('value_int')) return make('int64', [], [attrs.int('value_int', 0)]);
  if (attrs.has('value_ints')) {
    const v = attrs.ints('value_ints') ?? [];
    return make('int64', [v.length], v);
  }
  if (attrs.has('value_float')) return make('float32', [], [Math.fround(attrs.float('value_float', 0))]);
  if (attrs.has('value_floats')) {
    const v = (attrs.floats('value_floats') ?? []).map(Math.fround);
    return make('float32', [v.length], v);
  }
  throw new EvaluatorError('Constant: no supported value attribute');
}

function castTo(x: ETensor, to: DType): ETensor {
  if (to === 'string' || to === 'float16' || to === 'bfloat16')
    throw new EvaluatorError(`Cast to ${to} not evaluated`);
  if (isFloat(x.dtype) && !isFloat(to) && to !== 'bool' && x.data.some((v) => !Number.isFinite(v))) {
    throw new EvaluatorError('Cast of a non-finite float to an integer is implementation-defined');
  }
  return make(
    to,
    x.dims,
    x.data.map((v) => coerce(v, to)),
  );
}

const cmp = (f: (a: number, b: number) => boolean) => (a: number, b: number) => (f(a, b) ? 1 : 0);

export const EVAL_OPS: Readonly<Record<string, EvalFn>> = {
  Identity: (i) => [req(i, 0, 'Identity')],
  Constant: (_i, attrs) => [constantValue(attrs)],
  Cast: (i, attrs) => {
    const to = dtypeFromOnnx(attrs.int('to', 0));
    if (!to) throw new EvaluatorError('Cast: unknown target type');
    return [castTo(req(i, 0, 'Cast'), to)];
  },
  CastLike: (i) => [castTo(req(i, 0, 'CastLike'), req(i, 1, 'CastLike').dtype)],
  Shape: (i, attrs) => {
    const x = req(i, 0, 'Shape');
    const r = x.dims.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
    const s = clamp(attrs.int('start', 0));
    const e = clamp(attrs.int('end', r));
    const d = x.dims.slice(s, Math.max(s, e));
    return [make('int64', [d.length], [...d])];
  },
  Size: (i) => [make('int64', [], [req(i, 0, 'Size').data.length])],
  Gather: (i, attrs) => {
    const x = req(i, 0, 'Gather');
    const idx = req(i, 1, 'Gather');
    const axis = normAxis(attrs.int('axis', 0), x.dims.length);
    const n = x.dims[axis] as number;
    const pos = ints(idx).map((p) => {
      if (p < -n || p >= n) throw new EvaluatorError(`Gather: index ${p} out of range for a dim of ${n}`);
      return p < 0 ? p + n : p;
    });
    const t = takeAxis(x, axis, pos);
    const dims = [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)];
    return [make(x.dtype, dims, t.data)];
  },
  Slice: (i, attrs, opset) => {
    const x = req(i, 0, 'Slice');
    if (opset < 10) {
      return [
        sliceAxes(x, attrs.ints('starts') ?? [], attrs.ints('ends') ?? [], attrs.ints('axes'), undefined),
      ];
    }
    return [
      sliceAxes(
        x,
        ints(req(i, 1, 'Slice')),
        ints(req(i, 2, 'Slice')),
        i[3] ? ints(i[3]) : undefined,
        i[4] ? ints(i[4]) : undefined,
      ),
    ];
  },
  Concat: (i, attrs) => {
    const xs = i.filter((x): x is ETensor => x !== undefined);
    const first = xs[0];
    if (!first) throw new EvaluatorError('Concat: no inputs');
    const axis = normAxis(attrs.int('axis', 0), first.dims.length);
    const outer = elementCount(first.dims.slice(0, axis));
    const out: number[] = [];
    let total = 0;
    for (const x of xs) {
      if (x.dims.length !== first.dims.length) throw new EvaluatorError('Concat: inputs differ in rank');
      total += x.dims[axis] as number;
    }
    for (let o = 0; o < outer; o++) {
      for (const x of xs) {
        const chunk = elementCount(x.dims.slice(axis));
        for (let k = 0; k < chunk; k++) out.push(x.data[o * chunk + k] as number);
      }
    }
    const dims = [...first.dims];
    dims[axis] = total;
    return [make(first.dtype, dims, out)];
  },
  Unsqueeze: (i, attrs, opset) => {
    const x = req(i, 0, 'Unsqueeze');
    const axes = axesFrom(i, attrs, opset, 13) ?? [];
    const r = x.dims.length + axes.length;
    const set = new Set(axes.map((a) => normAxis(a, r)));
    const dims: number[] = [];
    let k = 0;
    for (let a = 0; a < r; a++) dims.push(set.has(a) ? 1 : (x.dims[k++] as number));
    return [make(x.dtype, dims, x.data)];
  },
  Squeeze: (i, attrs, opset) => {
    const x = req(i, 0, 'Squeeze');
    const axes = axesFrom(i, attrs, opset, 13);
    const set = axes
      ? new Set(axes.map((a) => normAxis(a, x.dims.length)))
      : new Set(x.dims.flatMap((d, k) => (d === 1 ? [k] : [])));
    for (const a of set) if (x.dims[a] !== 1) throw new EvaluatorError(`Squeeze: dim ${a} is not 1`);
    return [
      make(
        x.dtype,
        x.dims.filter((_, k) => !set.has(k)),
        x.data,
      ),
    ];
  },
  Reshape: (i, attrs) => {
    const x = req(i, 0, 'Reshape');
    const dims = reshapeDims(x.dims, ints(req(i, 1, 'Reshape')), attrs.int('allowzero', 0) !== 0);
    return [make(x.dtype, dims, x.data)];
  },
  Flatten: (i, attrs) => {
    const x = req(i, 0, 'Flatten');
    const r = x.dims.length;
    let axis = attrs.int('axis', 1);
    if (axis < 0) axis += r;
    return [make(x.dtype, [elementCount(x.dims.slice(0, axis)), elementCount(x.dims.slice(axis))], x.data)];
  },
  Transpose: (i, attrs) => {
    const x = req(i, 0, 'Transpose');
    const perm = attrs.ints('perm') ?? x.dims.map((_, k) => x.dims.length - 1 - k);
    return [transpose(x, perm)];
  },
  Expand: (i) => {
    const x = req(i, 0, 'Expand');
    const dims = broadcastDims([x.dims, ints(req(i, 1, 'Expand'))]);
    const idx = broadcastIndex(x.dims, dims);
    return [
      make(
        x.dtype,
        dims,
        Array.from(idx, (k) => x.data[k] as number),
      ),
    ];
  },
  Tile: (i) => {
    const x = req(i, 0, 'Tile');
    const reps = ints(req(i, 1, 'Tile'));
    let cur = x;
    for (let a = 0; a < reps.length; a++) {
      const n = cur.dims[a] as number;
      const pos: number[] = [];
      for (let r = 0; r < (reps[a] as number); r++) for (let p = 0; p < n; p++) pos.push(p);
      cur = takeAxis(cur, a, pos);
    }
    return [cur];
  },
  Range: (i) => {
    const s = req(i, 0, 'Range');
    const start = s.data[0] as number;
    const limit = req(i, 1, 'Range').data[0] as number;
    const delta = req(i, 2, 'Range').data[0] as number;
    if (delta === 0) throw new EvaluatorError('Range: delta is 0');
    const n = Math.max(Math.ceil((limit - start) / delta), 0);
    const out = new Array<number>(n);
    for (let k = 0; k < n; k++) out[k] = coerce(start + k * delta, s.dtype);
    return [make(s.dtype, [n], out)];
  },
  ConstantOfShape: (i, attrs) => {
    const dims = ints(req(i, 0, 'ConstantOfShape'));
    const t = attrs.tensor('value');
    const v = t ? etensorFromProto(t) : make('float32', [1], [0]);
    if (!v) throw new EvaluatorError('ConstantOfShape: unsupported value type');
    return [make(v.dtype, dims, new Array<number>(elementCount(dims)).fill(v.data[0] ?? 0))];
  },
  Where: (i) => {
    const c = req(i, 0, 'Where');
    const x = req(i, 1, 'Where');
    const y = req(i, 2, 'Where');
    const dims = broadcastDims([c.dims, x.dims, y.dims]);
    const ic = broadcastIndex(c.dims, dims);
    const ix = broadcastIndex(x.dims, dims);
    const iy = broadcastIndex(y.dims, dims);
    const out = new Array<number>(ic.length);
    for (let k = 0; k < ic.length; k++) {
      out[k] = c.data[ic[k] as number]
        ? (x.data[ix[k] as number] as number)
        : (y.data[iy[k] as number] as number);
    }
    return [make(x.dtype, dims, out)];
  },
  Add: elementwise('Add', (a, b) => a + b),
  Sub: elementwise('Sub', (a, b) => a - b),
  Mul: elementwise('Mul', (a, b) => a * b),
  Div: (i, attrs, opset) => {
    const dt = req(i, 0, 'Div').dtype;
    return elementwise('Div', (a, b) => divide(a, b, dt))(i, attrs, opset, 1);
  },
  Mod: (i, attrs, opset) => {
    const fmod = attrs.int('fmod', 0) !== 0;
    const dt = req(i, 0, 'Mod').dtype;
    return elementwise('Mod', (a, b) => {
      if (b === 0 && !isFloat(dt)) throw new EvaluatorError('Mod: integer modulo by zero');
      if (fmod) return a % b;
      const r = a % b;
      return r !== 0 && r < 0 !== b < 0 ? r + b : r;
    })(i, attrs, opset, 1);
  },
  Pow: (i, attrs, opset) => {
    const dt = req(i, 0, 'Pow').dtype;
    return elementwise('Pow', (a, b) => a ** b, dt)(i, attrs, opset, 1);
  },
  Min: elementwise('Min', Math.min),
  Max: elementwise('Max', Math.max),
  Sum: elementwise('Sum', (a, b) => a + b),
  Equal: elementwise(
    'Equal',
    cmp((a, b) => a === b),
    'bool',
  ),
  Less: elementwise(
    'Less',
    cmp((a, b) => a < b),
    'bool',
  ),
  Greater: elementwise(
    'Greater',
    cmp((a, b) => a > b),
    'bool',
  ),
  LessOrEqual: elementwise(
    'LessOrEqual',
    cmp((a, b) => a <= b),
    'bool',
  ),
  GreaterOrEqual: elementwise(
    'GreaterOrEqual',
    cmp((a, b) => a >= b),
    'bool',
  ),
  And: elementwise(
    'And',
    cmp((a, b) => a !== 0 && b !== 0),
    'bool',
  ),
  Or: elementwise(
    'Or',
    cmp((a, b) => a !== 0 || b !== 0),
    'bool',
  ),
  Xor: elementwise(
    'Xor',
    cmp((a, b) => (a !== 0) !== (b !== 0)),
    'bool',
  ),
  Not: unary((x) => (x ? 0 : 1), 'bool'),
  Neg: unary((x) => -x),
  Abs: unary(Math.abs),
  Floor: unary(Math.floor),
  Ceil: unary(Math.ceil),
  Sign: unary(Math.sign),
  Sqrt: unary(Math.sqrt),
  Reciprocal: unary((x) => 1 / x),
  Relu: unary((x) => Math.max(x, 0)),
  IsNaN: unary((x) => (Number.isNaN(x) ? 1 : 0), 'bool'),
  ReduceProd: reduce(1, (a, x) => a * x, 18),
  ReduceSum: reduce(0, (a, x) => a + x, 13),
  ReduceMin: reduce(Number.POSITIVE_INFINITY, Math.min, 18),
  ReduceMax: reduce(Number.NEGATIVE_INFINITY, Math.max, 18),
  NonZero: (i) => {
    const x = req(i, 0, 'NonZero');
    const strides = stridesOf(x.dims);
    const hits: number[] = [];
    x.data.forEach((v, k) => {
      if (v !== 0) hits.push(k);
    });
    const r = x.dims.length;
    const out = new Array<number>(r * hits.length);
    for (let a = 0; a < r; a++) {
      hits.forEach((k, j) => {
        out[a * hits.length + j] = Math.floor(k / (strides[a] as number)) % (x.dims[a] as number);
      });
    }
    return [make('int64', [r, hits.length], out)];
  },
  Split: (i, attrs, opset, nOutputs) => {
    const x = req(i, 0, 'Split');
    const axis = normAxis(attrs.int('axis', 0), x.dims.length);
    const dim = x.dims[axis] as number;
    let sizes = opset >= 13 ? (i[1] ? ints(i[1]) : undefined) : attrs.ints('split');
    if (!sizes) {
      const parts = attrs.int('num_outputs') ?? nOutputs;
      if (!parts) throw new EvaluatorError('Split: output count unknown to the evaluator');
      const chunk = Math.ceil(dim / parts);
      sizes = Array.from({ length: parts }, (_, k) => Math.max(0, Math.min(chunk, dim - k * chunk)));
    }
    let at = 0;
    return sizes.map((s) => {
      const pos = Array.from({ length: s }, (_, k) => at + k);
      at += s;
      return takeAxis(x, axis, pos);
    });
  },
};
