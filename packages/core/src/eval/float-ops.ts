// Float ops of the evaluator: enough to fold what exporters leave input-independent around the network, such as
// the sine position embeddings of a constant padding mask (Resize -> Not -> CumSum -> Div -> Sin/Cos).
import type { Attrs } from '../shape/attrs.js';
import { type ETensor, EvaluatorError, isFloat, make, normAxis, stridesOf } from './etensor.js';
import { type EvalFn, reduce, unary } from './ops.js';

const req = (inputs: readonly (ETensor | undefined)[], i: number, op: string): ETensor => {
  const x = inputs[i];
  if (!x) throw new EvaluatorError(`${op}: input ${i} missing`);
  return x;
};

const floatOnly = (fn: (x: number) => number): EvalFn => {
  const u = unary(fn);
  return (inputs, attrs, opset, n) => {
    if (!isFloat(req(inputs, 0, 'float op').dtype))
      throw new EvaluatorError('float op on a non-float tensor');
    return u(inputs, attrs, opset, n);
  };
};

/** Walks every line of `x` along `axis`: calls `fn(offsets)` with the flat offsets of one line. */
function lines(dims: readonly number[], axis: number, fn: (offsets: number[]) => void): void {
  const strides = stridesOf(dims);
  const len = dims[axis] as number;
  const step = strides[axis] as number;
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = step;
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * len * step + i;
      fn(Array.from({ length: len }, (_, k) => base + k * step));
    }
}

function cumSum(inputs: readonly (ETensor | undefined)[], attrs: Attrs): ETensor[] {
  const x = req(inputs, 0, 'CumSum');
  const axis = normAxis(Math.trunc(req(inputs, 1, 'CumSum').data[0] ?? 0), x.dims.length);
  const exclusive = attrs.int('exclusive', 0) !== 0;
  const reverse = attrs.int('reverse', 0) !== 0;
  const out = new Array<number>(x.data.length).fill(0);
  lines(x.dims, axis, (offs) => {
    const order = reverse ? [...offs].reverse() : offs;
    let acc = 0;
    for (const o of order) {
      const v = x.data[o] as number;
      if (exclusive) {
        out[o] = acc;
        acc += v;
      } else {
        acc += v;
        out[o] = acc;
      }
    }
  });
  return [
    make(
      x.dtype,
      x.dims,
      out.map((v) => (x.dtype === 'float32' ? Math.fround(v) : v)),
    ),
  ];
}

function softmax(inputs: readonly (ETensor | undefined)[], attrs: Attrs, opset: number): ETensor[] {
  const x = req(inputs, 0, 'Softmax');
  // Before opset 13 Softmax flattens to 2-D at `axis`: a different op; leave it to the reference backend.
  if (opset < 13) throw new EvaluatorError('Softmax before opset 13 is not evaluated here');
  const axis = normAxis(attrs.int('axis', -1), x.dims.length);
  const out = new Array<number>(x.data.length);
  lines(x.dims, axis, (offs) => {
    const m = Math.max(...offs.map((o) => x.data[o] as number));
    const e = offs.map((o) => Math.exp((x.data[o] as number) - m));
    const s = e.reduce((a, b) => a + b, 0);
    offs.forEach((o, k) => {
      out[o] = Math.fround((e[k] as number) / s);
    });
  });
  return [make(x.dtype, x.dims, out)];
}

function clip(inputs: readonly (ETensor | undefined)[], attrs: Attrs, opset: number): ETensor[] {
  const x = req(inputs, 0, 'Clip');
  const lo =
    opset >= 11
      ? (inputs[1]?.data[0] ?? Number.NEGATIVE_INFINITY)
      : attrs.float('min', -3.4028234663852886e38);
  const hi =
    opset >= 11
      ? (inputs[2]?.data[0] ?? Number.POSITIVE_INFINITY)
      : attrs.float('max', 3.4028234663852886e38);
  return [
    make(
      x.dtype,
      x.dims,
      x.data.map((v) => Math.min(Math.max(v, lo), hi)),
    ),
  ];
}

/** Resize in `nearest` mode (masks, index maps); linear and cubic are left to the reference backend. */
function resizeNearest(inputs: readonly (ETensor | undefined)[], attrs: Attrs, opset: number): ETensor[] {
  const x = req(inputs, 0, 'Resize');
  if (opset < 11) throw new EvaluatorError('Resize before opset 11 is not evaluated here');
  if (attrs.string('mode', 'nearest') !== 'nearest')
    throw new EvaluatorError('only nearest Resize is evaluated');
  if (attrs.ints('axes')) throw new EvaluatorError('Resize with axes is not evaluated here');
  const rank = x.dims.length;
  const sizes = inputs[3]?.data.length ? inputs[3].data.map(Math.trunc) : undefined;
  const scalesIn = inputs[2]?.data.length ? inputs[2].data : undefined;
  if (!sizes && !scalesIn) throw new EvaluatorError('Resize needs scales or sizes');
  if ((sizes ?? scalesIn)?.length !== rank) throw new EvaluatorError('Resize: scales/sizes rank mismatch');
  const outDims = sizes ?? x.dims.map((d, i) => Math.floor(d * (scalesIn?.[i] as number)));
  const scales = sizes ? sizes.map((s, i) => s / (x.dims[i] as number)) : (scalesIn as number[]);
  const ctm = attrs.string('coordinate_transformation_mode', 'half_pixel');
  const nm = attrs.string('nearest_mode', 'round_prefer_floor');
  const source = (o: number, i: number): number => {
    const inLen = x.dims[i] as number;
    const outLen = outDims[i] as number;
    const s = scales[i] as number;
    switch (ctm) {
      case 'asymmetric':
        return o / s;
      case 'align_corners':
        return outLen === 1 ? 0 : (o * (inLen - 1)) / (outLen - 1);
      case 'pytorch_half_pixel':
        return outLen > 1 ? (o + 0.5) / s - 0.5 : 0;
      case 'half_pixel':
        return (o + 0.5) / s - 0.5;
      default:
        throw new EvaluatorError(`Resize coordinate mode ${ctm} is not evaluated here`);
    }
  };
  const round = (v: number): number => {
    switch (nm) {
      case 'floor':
        return Math.floor(v);
      case 'ceil':
        return Math.ceil(v);
      case 'round_prefer_ceil':
        return Math.round(v);
      default:
        return v - Math.floor(v) === 0.5 ? Math.floor(v) : Math.round(v);
    }
  };
  const index = outDims.map((len, i) =>
    Array.from({ length: len }, (_, o) =>
      Math.min(Math.max(round(source(o, i)), 0), (x.dims[i] as number) - 1),
    ),
  );
  const inStrides = stridesOf(x.dims);
  const total = outDims.reduce((a, b) => a * b, 1);
  const out = new Array<number>(total);
  const ctr = new Array<number>(rank).fill(0);
  for (let k = 0; k < total; k++) {
    let src = 0;
    for (let a = 0; a < rank; a++) src += (index[a]?.[ctr[a] as number] as number) * (inStrides[a] as number);
    out[k] = x.data[src] as number;
    for (let a = rank - 1; a >= 0; a--) {
      ctr[a] = (ctr[a] as number) + 1;
      if ((ctr[a] as number) < (outDims[a] as number)) break;
      ctr[a] = 0;
    }
  }
  return [make(x.dtype, outDims, out)];
}

const meanOf = reduce(0, (a, x) => a + x, 18);

export const FLOAT_OPS: Readonly<Record<string, EvalFn>> = {
  Sin: floatOnly(Math.sin),
  Cos: floatOnly(Math.cos),
  Tan: floatOnly(Math.tan),
  Exp: floatOnly(Math.exp),
  Log: floatOnly(Math.log),
  Tanh: floatOnly(Math.tanh),
  Atan: floatOnly(Math.atan),
  Sigmoid: floatOnly((v) => 1 / (1 + Math.exp(-v))),
  Clip: clip,
  CumSum: cumSum,
  Softmax: softmax,
  ReduceMean: (inputs, attrs, opset, n) => {
    const x = req(inputs, 0, 'ReduceMean');
    const [sum] = meanOf(inputs, attrs, opset, n) as [ETensor];
    const count = x.data.length / Math.max(1, sum.data.length);
    return [
      make(
        sum.dtype,
        sum.dims,
        sum.data.map((v) => (x.dtype === 'float32' ? Math.fround(v / count) : v / count)),
      ),
    ];
  },
  Resize: resizeNearest,
};
