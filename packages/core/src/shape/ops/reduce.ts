import { dimsData, normAxis } from '../dims.js';
import type { Dim, InferCtx, InferFn, TensorInfo } from '../types.js';

/** Opset from which each reduction takes `axes` as an input instead of an attribute. */
const AXES_INPUT_SINCE: Record<string, number> = {
  ReduceSum: 13,
  ReduceMean: 18,
  ReduceMax: 18,
  ReduceMin: 18,
  ReduceProd: 18,
  ReduceL1: 18,
  ReduceL2: 18,
  ReduceLogSum: 18,
  ReduceLogSumExp: 18,
  ReduceSumSquare: 18,
};

function reduceAxes(ctx: InferCtx): { axes: number[] | undefined; known: boolean } {
  const since = AXES_INPUT_SINCE[ctx.op] ?? 18;
  if (ctx.opset >= since) {
    const a = ctx.inputs[1];
    if (!a) return { axes: undefined, known: true };
    const d = dimsData(a);
    if (!d || d.some((x) => typeof x !== 'number')) return { axes: undefined, known: false };
    return { axes: d as number[], known: true };
  }
  return { axes: ctx.attrs.ints('axes'), known: true };
}

const reduceFn: InferFn = (ctx) => {
  const x = ctx.inputs[0];
  const keep = ctx.attrs.int('keepdims', 1) !== 0;
  const { axes, known } = reduceAxes(ctx);
  if (!x?.dims) return [{ dtype: x?.dtype }];
  const rank = x.dims.length;
  if (!known) return [{ dtype: x.dtype, ...(keep ? { dims: x.dims.map(() => null) } : {}) }];
  if (!axes || axes.length === 0) {
    if (ctx.attrs.int('noop_with_empty_axes', 0)) return [{ dtype: x.dtype, dims: x.dims }];
    return [{ dtype: x.dtype, dims: keep ? x.dims.map(() => 1) : [] }];
  }
  const set = new Set(axes.map((a) => normAxis(a, rank)));
  const dims: Dim[] = [];
  x.dims.forEach((d, i) => {
    if (!set.has(i)) dims.push(d);
    else if (keep) dims.push(1);
  });
  return [{ dtype: x.dtype, dims }];
};

const argFn: InferFn = ({ inputs, attrs }) => {
  const x = inputs[0];
  if (!x?.dims) return [{ dtype: 'int64' }];
  const axis = normAxis(attrs.int('axis', 0), x.dims.length);
  const keep = attrs.int('keepdims', 1) !== 0;
  const dims = x.dims.flatMap((d, i) => (i === axis ? (keep ? [1] : []) : [d]));
  return [{ dtype: 'int64', dims }];
};

export const reduceOps: Record<string, InferFn> = { ArgMax: argFn, ArgMin: argFn };
for (const op of Object.keys(AXES_INPUT_SINCE)) reduceOps[op] = reduceFn;

export type { TensorInfo };
