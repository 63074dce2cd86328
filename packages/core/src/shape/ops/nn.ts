import {
  broadcast,
  dimProduct,
  dimsData,
  floatValues,
  intValues,
  isNum,
  mergeDim,
  normAxis,
} from '../dims.js';
import type { Dim, InferCtx, InferFn, TensorInfo } from '../types.js';

const nulls = (n: number): Dim[] => Array.from({ length: n }, () => null);

/** Output length of a sliding window (conv and pooling). */
function windowOut(
  inp: Dim,
  k: number,
  s: number,
  d: number,
  padTotal: number,
  autoPad: string,
  ceil: boolean,
  padBegin: number,
): Dim {
  if (!isNum(inp)) return null;
  const eff = (k - 1) * d + 1;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(inp / s);
  if (autoPad === 'VALID') return Math.floor((inp - eff) / s) + 1;
  const span = inp + padTotal - eff;
  if (!ceil) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  // The last window must start inside the input or its left padding (PyTorch's rule, adopted by ONNX).
  if ((out - 1) * s >= inp + padBegin) out -= 1;
  return out;
}

function spatial(ctx: InferCtx, x: readonly Dim[], kernel: readonly number[], channels: Dim): Dim[] {
  const { attrs } = ctx;
  const n = kernel.length;
  const strides = attrs.ints('strides') ?? nulls(n).map(() => 1);
  const dil = attrs.ints('dilations') ?? nulls(n).map(() => 1);
  const pads = attrs.ints('pads') ?? nulls(2 * n).map(() => 0);
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  const ceil = attrs.int('ceil_mode', 0) !== 0;
  const out: Dim[] = [x[0] ?? null, channels];
  for (let i = 0; i < n; i++) {
    out.push(
      windowOut(
        x[i + 2] ?? null,
        kernel[i] as number,
        strides[i] ?? 1,
        dil[i] ?? 1,
        (pads[i] ?? 0) + (pads[i + n] ?? 0),
        autoPad,
        ceil,
        pads[i] ?? 0,
      ),
    );
  }
  return out;
}

const conv: InferFn = (ctx) => {
  const x = ctx.inputs[0];
  const w = ctx.inputs[1];
  const dtype = x?.dtype;
  const rank = x?.dims?.length ?? w?.dims?.length;
  if (rank === undefined) return [{ dtype }];
  const kernel = ctx.attrs.ints('kernel_shape') ?? (w?.dims ? w.dims.slice(2) : undefined);
  if (!x?.dims || !kernel?.every(isNum))
    return [{ dtype, dims: [x?.dims?.[0] ?? null, w?.dims?.[0] ?? null, ...nulls(rank - 2)] }];
  return [{ dtype, dims: spatial(ctx, x.dims, kernel as number[], w?.dims?.[0] ?? null) }];
};

const convTranspose: InferFn = (ctx) => {
  const { attrs } = ctx;
  const x = ctx.inputs[0];
  const w = ctx.inputs[1];
  const dtype = x?.dtype;
  if (!x?.dims) return [{ dtype }];
  const n = x.dims.length - 2;
  const group = attrs.int('group', 1);
  const m = w?.dims?.[1];
  const channels = isNum(m) ? m * group : null;
  const outShape = attrs.ints('output_shape');
  if (outShape) return [{ dtype, dims: [x.dims[0] ?? null, channels, ...outShape.slice(-n)] }];
  const kernel = attrs.ints('kernel_shape') ?? (w?.dims ? w.dims.slice(2) : undefined);
  const strides = attrs.ints('strides') ?? nulls(n).map(() => 1);
  const dil = attrs.ints('dilations') ?? nulls(n).map(() => 1);
  const pads = attrs.ints('pads') ?? nulls(2 * n).map(() => 0);
  const opad = attrs.ints('output_padding') ?? nulls(n).map(() => 0);
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  const dims: Dim[] = [x.dims[0] ?? null, channels];
  for (let i = 0; i < n; i++) {
    const inp = x.dims[i + 2];
    const k = kernel?.[i];
    const s = strides[i] ?? 1;
    if (!isNum(inp) || !isNum(k)) {
      dims.push(null);
      continue;
    }
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') dims.push(inp * s);
    else
      dims.push(
        s * (inp - 1) + (opad[i] ?? 0) + ((k - 1) * (dil[i] ?? 1) + 1) - (pads[i] ?? 0) - (pads[i + n] ?? 0),
      );
  }
  return [{ dtype, dims }];
};

const pool: InferFn = (ctx) => {
  const x = ctx.inputs[0];
  const kernel = ctx.attrs.ints('kernel_shape');
  if (!x?.dims || !kernel)
    return ctx.nOutputs > 1 ? [{ dtype: x?.dtype }, { dtype: 'int64' }] : [{ dtype: x?.dtype }];
  const dims = spatial(ctx, x.dims, kernel, x.dims[1] ?? null);
  const out: TensorInfo[] = [{ dtype: x.dtype, dims }];
  if (ctx.nOutputs > 1) out.push({ dtype: 'int64', dims });
  return out;
};

const globalPool: InferFn = ({ inputs }) => {
  const x = inputs[0];
  if (!x?.dims) return [{ dtype: x?.dtype }];
  return [{ dtype: x.dtype, dims: x.dims.map((d, i) => (i < 2 ? d : 1)) }];
};

const batchNorm: InferFn = ({ inputs, nOutputs }) => {
  const x = inputs[0];
  const out: TensorInfo[] = [{ dtype: x?.dtype, dims: x?.dims }];
  for (let k = 1; k < nOutputs; k++) out.push({ dtype: inputs[3]?.dtype ?? x?.dtype, dims: inputs[1]?.dims });
  return out;
};

const layerNorm: InferFn = ({ inputs, attrs, nOutputs }) => {
  const x = inputs[0];
  const out: TensorInfo[] = [{ dtype: x?.dtype, dims: x?.dims }];
  if (nOutputs > 1) {
    const stash = attrs.int('stash_type', 1) === 1 ? 'float32' : x?.dtype;
    let dims: Dim[] | undefined;
    if (x?.dims) {
      const axis = normAxis(attrs.int('axis', -1), x.dims.length) ?? 0;
      dims = x.dims.map((d, i) => (i < axis ? d : 1));
    }
    for (let k = 1; k < nOutputs; k++) out.push({ dtype: stash, dims });
  }
  return out;
};

/** numpy matmul over symbolic dims, including 1-D promotion. */
export function matmulDims(a: readonly Dim[] | undefined, b: readonly Dim[] | undefined): Dim[] | undefined {
  if (!a || !b || a.length === 0 || b.length === 0) return undefined;
  const aa = a.length === 1 ? [1, a[0] ?? null] : [...a];
  const bb = b.length === 1 ? [b[0] ?? null, 1] : [...b];
  const batch = broadcast([aa.slice(0, -2), bb.slice(0, -2)]);
  if (!batch) return undefined;
  const out: Dim[] = [...batch];
  if (a.length !== 1) out.push(aa[aa.length - 2] ?? null);
  if (b.length !== 1) out.push(bb[bb.length - 1] ?? null);
  return out;
}

const matmul: InferFn = ({ inputs }) => [
  { dtype: inputs[0]?.dtype, dims: matmulDims(inputs[0]?.dims, inputs[1]?.dims) },
];

const gemm: InferFn = ({ inputs, attrs }) => {
  const a = inputs[0]?.dims;
  const b = inputs[1]?.dims;
  const ta = attrs.int('transA', 0) !== 0;
  const tb = attrs.int('transB', 0) !== 0;
  const m = a ? (a[ta ? 1 : 0] ?? null) : null;
  const n = b ? (b[tb ? 0 : 1] ?? null) : null;
  return [{ dtype: inputs[0]?.dtype, dims: [m, n] }];
};

const einsum: InferFn = ({ inputs, attrs }) => {
  const dtype = inputs[0]?.dtype;
  const eq = attrs.string('equation', '').replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->') as [string, string | undefined];
  const terms = lhs.split(',');
  const sizes = new Map<string, Dim>();
  let ellipsis: Dim[] | undefined = [];
  const counts = new Map<string, number>();
  for (let t = 0; t < terms.length; t++) {
    const term = terms[t] as string;
    const dims = inputs[t]?.dims;
    if (!dims) return [{ dtype }];
    const hasEll = term.includes('...');
    const letters = term.replace('...', '');
    const nEll = hasEll ? dims.length - letters.length : 0;
    let k = 0;
    for (let c = 0; c < term.length; c++) {
      if (term.startsWith('...', c)) {
        const e = dims.slice(k, k + nEll);
        ellipsis = broadcast([ellipsis, e]);
        k += nEll;
        c += 2;
        continue;
      }
      const ch = term[c] as string;
      const d = dims[k++] ?? null;
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
      const prev = sizes.get(ch);
      sizes.set(ch, prev === undefined ? d : prev === 1 ? d : d === 1 ? prev : mergeDim(prev, d));
    }
  }
  const outTerm =
    rhs ??
    (lhs.includes('...') ? '...' : '') +
      [...counts.entries()]
        .filter(([, n]) => n === 1)
        .map(([c]) => c)
        .sort()
        .join('');
  const dims: Dim[] = [];
  for (let c = 0; c < outTerm.length; c++) {
    if (outTerm.startsWith('...', c)) {
      dims.push(...(ellipsis ?? []));
      c += 2;
    } else dims.push(sizes.get(outTerm[c] as string) ?? null);
  }
  return [{ dtype, dims }];
};

const resize: InferFn = ({ inputs, attrs, opset, op }) => {
  const x = inputs[0];
  if (!x?.dims) return [{ dtype: x?.dtype }];
  const r = x.dims.length;
  let scales: number[] | undefined;
  let sizes: Dim[] | undefined;
  if (op === 'Upsample') scales = opset >= 9 ? floatValues(inputs[1]?.value) : attrs.floats('scales');
  else if (opset < 11) scales = floatValues(inputs[1]?.value);
  else {
    sizes = inputs[3] ? dimsData(inputs[3]) : undefined;
    const sc = inputs[2] ? floatValues(inputs[2].value) : undefined;
    scales = sc && sc.length > 0 ? sc : undefined;
    if (inputs[3] && !sizes && !scales) return [{ dtype: x.dtype, dims: nulls(r) }];
  }
  const axes =
    (opset >= 18 ? attrs.ints('axes') : undefined)?.map((a) => normAxis(a, r) ?? 0) ??
    x.dims.map((_, i) => i);
  const dims = [...x.dims];
  if (sizes && sizes.length > 0) {
    const policy = attrs.string('keep_aspect_ratio_policy', 'stretch');
    if (policy !== 'stretch') {
      const ratios = axes.map((a, i) => {
        const s = sizes?.[i];
        const d = x.dims?.[a];
        return isNum(s) && isNum(d) ? s / d : Number.NaN;
      });
      if (ratios.some(Number.isNaN)) return [{ dtype: x.dtype, dims: nulls(r) }];
      const scale = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
      axes.forEach((a) => {
        const d = x.dims?.[a];
        dims[a] = isNum(d) ? Math.round(d * scale) : null;
      });
    } else
      axes.forEach((a, i) => {
        dims[a] = sizes?.[i] ?? null;
      });
    return [{ dtype: x.dtype, dims }];
  }
  if (!scales) return [{ dtype: x.dtype, dims: nulls(r) }];
  axes.forEach((a, i) => {
    const d = dims[a] ?? null;
    const s = scales?.[i] ?? 1;
    dims[a] = s === 1 ? d : isNum(d) ? Math.floor(d * s + 1e-9 * 0) : null;
  });
  return [{ dtype: x.dtype, dims }];
};

const gridSample: InferFn = ({ inputs }) => {
  const x = inputs[0];
  const g = inputs[1];
  if (!x?.dims && !g?.dims) return [{ dtype: x?.dtype }];
  const n = mergeDim(x?.dims?.[0], g?.dims?.[0]);
  const c = x?.dims?.[1] ?? null;
  const sp = g?.dims ? g.dims.slice(1, -1) : nulls((x?.dims?.length ?? 4) - 2);
  return [{ dtype: x?.dtype, dims: [n, c, ...sp] }];
};

const roiAlign: InferFn = ({ inputs, attrs }) => {
  const x = inputs[0];
  const rois = inputs[1];
  return [
    {
      dtype: x?.dtype,
      dims: [
        rois?.dims?.[0] ?? null,
        x?.dims?.[1] ?? null,
        attrs.int('output_height', 1),
        attrs.int('output_width', 1),
      ],
    },
  ];
};

export const nnOps: Record<string, InferFn> = {
  Conv: conv,
  ConvInteger: (ctx) => [{ ...conv(ctx)[0], dtype: 'int32' }],
  ConvTranspose: convTranspose,
  QLinearConv: (ctx) => {
    // Inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, bias.
    const i = ctx.inputs;
    const out = conv({ ...ctx, inputs: [i[0], i[3]] })[0] ?? {};
    return [{ ...out, dtype: i[7]?.dtype ?? i[0]?.dtype }];
  },
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  GroupNormalization: ({ inputs }) => [{ dtype: inputs[0]?.dtype, dims: inputs[0]?.dims }],
  RMSNormalization: ({ inputs }) => [{ dtype: inputs[0]?.dtype, dims: inputs[0]?.dims }],
  MatMul: matmul,
  MatMulInteger: ({ inputs }) => [{ dtype: 'int32', dims: matmulDims(inputs[0]?.dims, inputs[1]?.dims) }],
  Gemm: gemm,
  Einsum: einsum,
  Resize: resize,
  Upsample: resize,
  GridSample: gridSample,
  RoiAlign: roiAlign,
};

export { dimProduct, intValues };
