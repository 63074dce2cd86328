import { dtypeFromOnnx, elementCount } from '../../tensor/index.js';
import {
  allKnown,
  broadcast,
  dimAdd,
  dimDiv,
  dimProduct,
  dimsData,
  floatValues,
  intValues,
  isNum,
  mergeDim,
  normAxis,
} from '../dims.js';
import type { Dim, InferCtx, InferFn, TensorInfo } from '../types.js';

const unknownRank = (dtype: TensorInfo['dtype']): TensorInfo => ({ dtype });
const nulls = (n: number): Dim[] => Array.from({ length: n }, () => null);

/** Axes given as an attribute before `since` and as input `index` from `since` on. */
function axesArg(ctx: InferCtx, since: number, index = 1): { axes: number[] | undefined; known: boolean } {
  if (ctx.opset >= since) {
    const a = ctx.inputs[index];
    if (!a) return { axes: undefined, known: true };
    const d = dimsData(a);
    return d?.every(isNum) ? { axes: d as number[], known: true } : { axes: undefined, known: false };
  }
  return { axes: ctx.attrs.ints('axes'), known: true };
}

/** Length of `x[s:e:st]` along a dim of size `dim`. */
export function sliceLength(dim: Dim, s: number, e: number, st: number): Dim {
  if (!isNum(dim)) {
    // Whole-axis slices keep a symbolic dim; anything else depends on its value.
    if (st === 1 && s === 0 && e >= 2 ** 31 - 1) return dim;
    if (st === -1 && s >= 2 ** 31 - 1 && e <= -(2 ** 31)) return dim;
    if (st > 0 && s >= 0 && e >= 0 && e < 2 ** 31 - 1) return null; // min(e, dim) - s
    return null;
  }
  if (s < 0) s += dim;
  if (e < 0) e += dim;
  if (st > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
    return Math.max(0, Math.ceil((e - s) / st));
  }
  s = Math.min(Math.max(s, -1), dim - 1);
  e = Math.min(Math.max(e, -1), dim - 1);
  return Math.max(0, Math.ceil((s - e) / -st));
}

function constantInfo(ctx: InferCtx): TensorInfo {
  const { attrs } = ctx;
  const t = attrs.tensor('value');
  if (t) return { dtype: dtypeFromOnnx(t.dataType), dims: t.dims.map(Number) };
  if (attrs.has('value_int')) return { dtype: 'int64', dims: [] };
  if (attrs.has('value_ints')) return { dtype: 'int64', dims: [attrs.ints('value_ints')?.length ?? 0] };
  if (attrs.has('value_float')) return { dtype: 'float32', dims: [] };
  if (attrs.has('value_floats'))
    return { dtype: 'float32', dims: [attrs.floats('value_floats')?.length ?? 0] };
  if (attrs.has('value_string')) return { dtype: 'string', dims: [] };
  if (attrs.has('value_strings'))
    return { dtype: 'string', dims: [attrs.get('value_strings')?.strings.length ?? 0] };
  if (attrs.has('sparse_value')) {
    const sp = attrs.get('sparse_value')?.sparseTensor;
    return { dtype: dtypeFromOnnx(sp?.values?.dataType ?? 0), dims: sp?.dims.map(Number) };
  }
  return {};
}

const reshape: InferFn = ({ inputs, attrs }) => {
  const x = inputs[0];
  const shapeIn = inputs[1];
  const shape = dimsData(shapeIn);
  if (!shape) {
    const n = shapeIn?.dims?.[0];
    return [isNum(n) ? { dtype: x?.dtype, dims: nulls(n) } : unknownRank(x?.dtype)];
  }
  const allowzero = attrs.int('allowzero', 0) !== 0;
  const out: Dim[] = shape.map((s, i) => (s === 0 && !allowzero ? (x?.dims?.[i] ?? null) : s));
  const neg = out.indexOf(-1);
  if (neg >= 0) {
    const others = out.filter((_, i) => i !== neg);
    out[neg] = x?.dims ? dimDiv(dimProduct(x.dims), dimProduct(others)) : null;
  }
  return [{ dtype: x?.dtype, dims: out.map((d) => (isNum(d) && d < 0 ? null : d)) }];
};

const transpose: InferFn = ({ inputs, attrs }) => {
  const x = inputs[0];
  if (!x?.dims) return [unknownRank(x?.dtype)];
  const dims = x.dims;
  const perm = attrs.ints('perm') ?? dims.map((_, i) => dims.length - 1 - i);
  return [{ dtype: x.dtype, dims: perm.map((p) => dims[p] ?? null) }];
};

const squeeze: InferFn = (ctx) => {
  const x = ctx.inputs[0];
  const { axes, known } = axesArg(ctx, 13);
  if (!x?.dims || !known) return [unknownRank(x?.dtype)];
  const r = x.dims.length;
  if (!axes) {
    if (x.dims.some((d) => !isNum(d))) return [unknownRank(x.dtype)];
    return [{ dtype: x.dtype, dims: x.dims.filter((d) => d !== 1) }];
  }
  const set = new Set(axes.map((a) => normAxis(a, r)));
  return [{ dtype: x.dtype, dims: x.dims.filter((_, i) => !set.has(i)) }];
};

const unsqueeze: InferFn = (ctx) => {
  const x = ctx.inputs[0];
  const { axes, known } = axesArg(ctx, 13);
  if (!x?.dims || !known || !axes) return [unknownRank(x?.dtype)];
  const r = x.dims.length + axes.length;
  const set = new Set(axes.map((a) => normAxis(a, r)));
  const dims: Dim[] = [];
  let k = 0;
  for (let i = 0; i < r; i++) dims.push(set.has(i) ? 1 : (x.dims[k++] ?? null));
  return [{ dtype: x.dtype, dims }];
};

const concat: InferFn = ({ inputs, attrs }) => {
  const xs = inputs.filter((x): x is TensorInfo => x !== undefined);
  const dtype = xs.find((x) => x.dtype)?.dtype;
  const ranked = xs.find((x) => x.dims);
  if (!ranked?.dims) return [unknownRank(dtype)];
  const r = ranked.dims.length;
  const axis = normAxis(attrs.int('axis', 0), r);
  if (axis === undefined) return [unknownRank(dtype)];
  const dims: Dim[] = [];
  for (let i = 0; i < r; i++) {
    if (i === axis) {
      let sum: Dim = 0;
      for (const x of xs) sum = x.dims ? dimAdd(sum, x.dims[i] ?? null) : null;
      dims.push(sum);
    } else {
      let d: Dim = null;
      for (const x of xs) d = mergeDim(d, x.dims?.[i]);
      dims.push(d);
    }
  }
  return [{ dtype, dims }];
};

const split: InferFn = (ctx) => {
  const { inputs, attrs, opset, nOutputs } = ctx;
  const x = inputs[0];
  const out = (dims: Dim[] | undefined): TensorInfo => ({ dtype: x?.dtype, dims });
  if (!x?.dims) return Array.from({ length: nOutputs }, () => out(undefined));
  const r = x.dims.length;
  const axis = normAxis(attrs.int('axis', 0), r);
  if (axis === undefined) return Array.from({ length: nOutputs }, () => out(undefined));
  let sizes: Dim[] | undefined;
  if (opset >= 13 && inputs[1]) sizes = dimsData(inputs[1]);
  else if (opset < 13) sizes = attrs.ints('split');
  if (!sizes && !(opset >= 13 && inputs[1])) {
    const dim = x.dims[axis] ?? null;
    const parts = attrs.int('num_outputs') ?? nOutputs;
    if (isNum(dim)) {
      const chunk = Math.ceil(dim / parts);
      sizes = Array.from({ length: parts }, (_, k) => Math.max(0, Math.min(chunk, dim - k * chunk)));
    } else sizes = Array.from({ length: parts }, () => dimDiv(dim, parts));
  }
  return Array.from({ length: nOutputs }, (_, k) => {
    const dims = [...(x.dims as Dim[])];
    dims[axis] = sizes?.[k] ?? null;
    return out(dims);
  });
};

const slice: InferFn = ({ inputs, attrs, opset }) => {
  const x = inputs[0];
  if (!x?.dims) return [unknownRank(x?.dtype)];
  const r = x.dims.length;
  let starts: number[] | undefined;
  let ends: number[] | undefined;
  let axes: number[] | undefined;
  let steps: number[] | undefined;
  if (opset < 10) {
    starts = attrs.ints('starts');
    ends = attrs.ints('ends');
    axes = attrs.ints('axes');
  } else {
    starts = intValues(inputs[1]?.value);
    ends = intValues(inputs[2]?.value);
    axes = inputs[3] ? intValues(inputs[3].value) : undefined;
    steps = inputs[4] ? intValues(inputs[4].value) : undefined;
    if ((inputs[3] && !axes) || (inputs[4] && !steps)) return [{ dtype: x.dtype, dims: nulls(r) }];
  }
  if (!starts || !ends) {
    // Unknown bounds: the sliced axes are unknown; when axes are known, the others keep their dims.
    if (!axes) return [{ dtype: x.dtype, dims: nulls(r) }];
    const set = new Set(axes.map((a) => normAxis(a, r)));
    return [{ dtype: x.dtype, dims: x.dims.map((d, i) => (set.has(i) ? null : d)) }];
  }
  const dims = [...x.dims];
  const ax = axes ?? starts.map((_, i) => i);
  ax.forEach((a0, i) => {
    const a = normAxis(a0, r);
    if (a === undefined) return;
    dims[a] = sliceLength(dims[a] ?? null, starts[i] as number, ends[i] as number, steps?.[i] ?? 1);
  });
  return [{ dtype: x.dtype, dims }];
};

const gather: InferFn = ({ inputs, attrs }) => {
  const x = inputs[0];
  const idx = inputs[1];
  if (!x?.dims || !idx?.dims) return [unknownRank(x?.dtype)];
  const axis = normAxis(attrs.int('axis', 0), x.dims.length);
  if (axis === undefined) return [unknownRank(x.dtype)];
  return [{ dtype: x.dtype, dims: [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)] }];
};

const gatherND: InferFn = ({ inputs, attrs }) => {
  const x = inputs[0];
  const idx = inputs[1];
  const b = attrs.int('batch_dims', 0);
  if (!x?.dims || !idx?.dims) return [unknownRank(x?.dtype)];
  const last = idx.dims[idx.dims.length - 1];
  if (!isNum(last)) return [unknownRank(x.dtype)];
  return [{ dtype: x.dtype, dims: [...idx.dims.slice(0, -1), ...x.dims.slice(b + last)] }];
};

const expand: InferFn = ({ inputs }) => {
  const x = inputs[0];
  const shape = dimsData(inputs[1]);
  if (!shape) {
    const n = inputs[1]?.dims?.[0];
    if (!isNum(n) || !x?.dims) return [unknownRank(x?.dtype)];
    return [{ dtype: x.dtype, dims: nulls(Math.max(n, x.dims.length)) }];
  }
  // A 1 in the target shape keeps the input's dim; otherwise ordinary broadcasting.
  return [{ dtype: x?.dtype, dims: broadcast([x?.dims, shape]) }];
};

const tile: InferFn = ({ inputs }) => {
  const x = inputs[0];
  const reps = dimsData(inputs[1]);
  if (!x?.dims) return [unknownRank(x?.dtype)];
  if (!reps) return [{ dtype: x.dtype, dims: nulls(x.dims.length) }];
  return [{ dtype: x.dtype, dims: x.dims.map((d, i) => dimProduct([d, reps[i] ?? null])) }];
};

const range: InferFn = ({ inputs }) => {
  const dtype = inputs[0]?.dtype;
  const [s, l, d] = [0, 1, 2].map((i) => floatValues(inputs[i]?.value)?.[0]);
  if (s === 0 && d === 1 && l === undefined) {
    // Range(0, n, 1) over a symbolic n has n elements.
    const n = dimsData(inputs[1])?.[0];
    if (typeof n === 'string') return [{ dtype, dims: [n] }];
  }
  if (s === undefined || l === undefined || d === undefined || d === 0) return [{ dtype, dims: [null] }];
  return [{ dtype, dims: [Math.max(Math.ceil((l - s) / d), 0)] }];
};

const pad: InferFn = ({ inputs, attrs, opset }) => {
  const x = inputs[0];
  if (!x?.dims) return [unknownRank(x?.dtype)];
  const r = x.dims.length;
  const pads = opset < 11 ? attrs.ints('pads') : intValues(inputs[1]?.value);
  if (!pads) return [{ dtype: x.dtype, dims: nulls(r) }];
  let axes = x.dims.map((_, i) => i);
  if (opset >= 18 && inputs[3]) {
    const a = intValues(inputs[3].value);
    if (!a) return [{ dtype: x.dtype, dims: nulls(r) }];
    axes = a.map((v) => normAxis(v, r) ?? 0);
  }
  const dims = [...x.dims];
  const k = axes.length;
  axes.forEach((a, i) => {
    const p = (pads[i] as number) + (pads[i + k] as number);
    dims[a] = dimAdd(dims[a] ?? null, p);
  });
  return [{ dtype: x.dtype, dims }];
};

const shapeOp: InferFn = ({ inputs, attrs }) => {
  const x = inputs[0];
  if (!x?.dims) return [{ dtype: 'int64', dims: [null] }];
  const r = x.dims.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const s = clamp(attrs.int('start', 0));
  const e = clamp(attrs.int('end', r));
  const dv = x.dims.slice(s, Math.max(s, e));
  return [{ dtype: 'int64', dims: [dv.length], dimValues: dv }];
};

const topK: InferFn = ({ inputs, attrs, opset }) => {
  const x = inputs[0];
  if (!x?.dims) return [unknownRank(x?.dtype), unknownRank('int64')];
  const axis = normAxis(attrs.int('axis', -1), x.dims.length);
  const k = opset >= 10 ? (dimsData(inputs[1])?.[0] ?? null) : attrs.int('k', 0);
  const dims = x.dims.map((d, i) => (i === axis ? k : d));
  return [
    { dtype: x.dtype, dims },
    { dtype: 'int64', dims },
  ];
};

const oneHot: InferFn = ({ inputs, attrs }) => {
  const idx = inputs[0];
  const depth = floatValues(inputs[1]?.value)?.[0];
  const dtype = inputs[2]?.dtype;
  if (!idx?.dims) return [unknownRank(dtype)];
  const r = idx.dims.length + 1;
  const axis = normAxis(attrs.int('axis', -1), r) ?? r - 1;
  const dims = [...idx.dims];
  dims.splice(axis, 0, depth === undefined ? null : Math.trunc(depth));
  return [{ dtype, dims }];
};

const depthToSpace: InferFn = ({ inputs, attrs }) => {
  const x = inputs[0];
  const b = attrs.int('blocksize', 1);
  if (!x) return [{}];
  if (x.dims?.length !== 4) return [unknownRank(x.dtype)];
  const [n, c, h, w] = x.dims as Dim[];
  return [
    {
      dtype: x.dtype,
      dims: [n ?? null, dimDiv(c ?? null, b * b), dimProduct([h ?? null, b]), dimProduct([w ?? null, b])],
    },
  ];
};

const spaceToDepth: InferFn = ({ inputs, attrs }) => {
  const x = inputs[0];
  const b = attrs.int('blocksize', 1);
  if (!x) return [{}];
  if (x.dims?.length !== 4) return [unknownRank(x.dtype)];
  const [n, c, h, w] = x.dims as Dim[];
  return [
    {
      dtype: x.dtype,
      dims: [n ?? null, dimProduct([c ?? null, b * b]), dimDiv(h ?? null, b), dimDiv(w ?? null, b)],
    },
  ];
};

export const tensorOps: Record<string, InferFn> = {
  Constant: (ctx) => [constantInfo(ctx)],
  Cast: ({ inputs, attrs }) => [{ dtype: dtypeFromOnnx(attrs.int('to', 0)), dims: inputs[0]?.dims }],
  CastLike: ({ inputs }) => [{ dtype: inputs[1]?.dtype, dims: inputs[0]?.dims }],
  Shape: shapeOp,
  Size: ({ inputs }) => [
    { dtype: 'int64', dims: [], ...(inputs[0]?.dims ? { dimValues: [dimProduct(inputs[0].dims)] } : {}) },
  ],
  ConstantOfShape: ({ inputs, attrs }) => {
    const t = attrs.tensor('value');
    const dtype = t ? dtypeFromOnnx(t.dataType) : 'float32';
    const shape = dimsData(inputs[0]);
    if (shape) return [{ dtype, dims: shape }];
    const n = inputs[0]?.dims?.[0];
    return [isNum(n) ? { dtype, dims: nulls(n) } : { dtype }];
  },
  Reshape: reshape,
  Flatten: ({ inputs, attrs }) => {
    const x = inputs[0];
    if (!x?.dims) return [{ dtype: x?.dtype, dims: [null, null] }];
    let axis = attrs.int('axis', 1);
    if (axis < 0) axis += x.dims.length;
    return [{ dtype: x.dtype, dims: [dimProduct(x.dims.slice(0, axis)), dimProduct(x.dims.slice(axis))] }];
  },
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  GatherElements: ({ inputs }) => [{ dtype: inputs[0]?.dtype, dims: inputs[1]?.dims }],
  GatherND: gatherND,
  ScatterND: ({ inputs }) => [{ dtype: inputs[0]?.dtype, dims: inputs[0]?.dims }],
  ScatterElements: ({ inputs }) => [{ dtype: inputs[0]?.dtype, dims: inputs[0]?.dims }],
  Scatter: ({ inputs }) => [{ dtype: inputs[0]?.dtype, dims: inputs[0]?.dims }],
  Expand: expand,
  Tile: tile,
  Range: range,
  Pad: pad,
  NonZero: ({ inputs }) => {
    const r = inputs[0]?.dims?.length;
    return [{ dtype: 'int64', dims: [r ?? null, null] }];
  },
  TopK: topK,
  OneHot: oneHot,
  EyeLike: ({ inputs, attrs }) => [
    {
      dtype: attrs.has('dtype') ? dtypeFromOnnx(attrs.int('dtype', 1)) : inputs[0]?.dtype,
      dims: inputs[0]?.dims,
    },
  ],
  DepthToSpace: depthToSpace,
  SpaceToDepth: spaceToDepth,
  Compress: ({ inputs, attrs }) => {
    const x = inputs[0];
    if (!attrs.has('axis')) return [{ dtype: x?.dtype, dims: [null] }];
    if (!x?.dims) return [unknownRank(x?.dtype)];
    const a = normAxis(attrs.int('axis', 0), x.dims.length);
    return [{ dtype: x.dtype, dims: x.dims.map((d, i) => (i === a ? null : d)) }];
  },
  NonMaxSuppression: () => [{ dtype: 'int64', dims: [null, 3] }],
  RandomNormal: ({ attrs }) => [{ dtype: dtypeFromOnnx(attrs.int('dtype', 1)), dims: attrs.ints('shape') }],
  RandomUniform: ({ attrs }) => [{ dtype: dtypeFromOnnx(attrs.int('dtype', 1)), dims: attrs.ints('shape') }],
  RandomNormalLike: ({ inputs, attrs }) => [
    {
      dtype: attrs.has('dtype') ? dtypeFromOnnx(attrs.int('dtype', 1)) : inputs[0]?.dtype,
      dims: inputs[0]?.dims,
    },
  ],
  RandomUniformLike: ({ inputs, attrs }) => [
    {
      dtype: attrs.has('dtype') ? dtypeFromOnnx(attrs.int('dtype', 1)) : inputs[0]?.dtype,
      dims: inputs[0]?.dims,
    },
  ],
  Bernoulli: ({ inputs, attrs }) => [
    {
      dtype: attrs.has('dtype') ? dtypeFromOnnx(attrs.int('dtype', 1)) : inputs[0]?.dtype,
      dims: inputs[0]?.dims,
    },
  ],
  QuantizeLinear: ({ inputs, attrs }) => [
    {
      dtype:
        inputs[2]?.dtype ??
        (attrs.has('output_dtype') ? dtypeFromOnnx(attrs.int('output_dtype', 2)) : 'uint8'),
      dims: inputs[0]?.dims,
    },
  ],
  DequantizeLinear: ({ inputs }) => [{ dtype: inputs[1]?.dtype ?? 'float32', dims: inputs[0]?.dims }],
};

export { allKnown, elementCount };
