import { dtypeFromOnnx } from '../../tensor/index.js';
import { dimProduct, dimsData, floatValues, isNum, normAxis } from '../dims.js';
import type { Dim, InferFn, TensorInfo } from '../types.js';
import { matmulDims } from './nn.js';

/** RNN / GRU / LSTM: Y, Y_h (and Y_c) from X's sequence and batch dims, direction and hidden_size. */
const recurrent: InferFn = ({ inputs, attrs, nOutputs }) => {
  const x = inputs[0];
  const dtype = x?.dtype;
  const layout = attrs.int('layout', 0);
  const dirs = attrs.string('direction', 'forward') === 'bidirectional' ? 2 : 1;
  const hidden: Dim = attrs.int('hidden_size') ?? null;
  const seq: Dim = x?.dims?.[layout === 0 ? 0 : 1] ?? null;
  const batch: Dim = x?.dims?.[layout === 0 ? 1 : 0] ?? null;
  const y: Dim[] = layout === 0 ? [seq, dirs, batch, hidden] : [batch, seq, dirs, hidden];
  const h: Dim[] = layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
  const out: TensorInfo[] = [{ dtype, dims: y }];
  for (let k = 1; k < nOutputs; k++) out.push({ dtype, dims: h });
  return out;
};

/** Losses: a scalar with reduction mean/sum, the per-element loss with reduction none. */
function loss(targetIndex: number): InferFn {
  return ({ inputs, attrs, nOutputs }) => {
    const scores = inputs[0];
    const target = inputs[targetIndex];
    const none = attrs.string('reduction', 'mean') === 'none';
    const out: TensorInfo[] = [{ dtype: scores?.dtype, dims: none ? target?.dims : [] }];
    if (nOutputs > 1) out.push({ dtype: scores?.dtype, dims: scores?.dims });
    return out;
  };
}

const window: InferFn = ({ inputs, attrs }) => {
  const size = floatValues(inputs[0]?.value)?.[0];
  return [
    {
      dtype: dtypeFromOnnx(attrs.int('output_datatype', 1)),
      dims: [size === undefined ? null : Math.trunc(size)],
    },
  ];
};

export const sequenceModelOps: Record<string, InferFn> = {
  RNN: recurrent,
  GRU: recurrent,
  LSTM: recurrent,
  NegativeLogLikelihoodLoss: loss(1),
  SoftmaxCrossEntropyLoss: loss(1),
  HannWindow: window,
  HammingWindow: window,
  BlackmanWindow: window,
  MelWeightMatrix: ({ inputs, attrs }) => {
    const bins = floatValues(inputs[0]?.value)?.[0];
    const dft = floatValues(inputs[1]?.value)?.[0];
    return [
      {
        dtype: dtypeFromOnnx(attrs.int('output_datatype', 1)),
        dims: [
          dft === undefined ? null : Math.floor(dft / 2) + 1,
          bins === undefined ? null : Math.trunc(bins),
        ],
      },
    ];
  },
  Det: ({ inputs }) => [{ dtype: inputs[0]?.dtype, dims: inputs[0]?.dims?.slice(0, -2) }],
  DynamicQuantizeLinear: ({ inputs }) => [
    { dtype: 'uint8', dims: inputs[0]?.dims },
    { dtype: 'float32', dims: [] },
    { dtype: 'uint8', dims: [] },
  ],
  QLinearMatMul: ({ inputs }) => [
    { dtype: inputs[7]?.dtype, dims: matmulDims(inputs[0]?.dims, inputs[3]?.dims) },
  ],
  // Unique's sizes depend on the data: only ranks are known.
  Unique: ({ inputs, attrs }) => {
    const x = inputs[0];
    const r = x?.dims?.length;
    const axis = attrs.has('axis') && r !== undefined ? normAxis(attrs.int('axis', 0), r) : undefined;
    const y: Dim[] | undefined =
      axis === undefined ? [null] : x?.dims?.map((d, i) => (i === axis ? null : d));
    const inverse: Dim =
      axis === undefined ? (x?.dims ? dimProduct(x.dims) : null) : (x?.dims?.[axis] ?? null);
    return [
      { dtype: x?.dtype, dims: y },
      { dtype: 'int64', dims: [null] },
      { dtype: 'int64', dims: [inverse] },
      { dtype: 'int64', dims: [null] },
    ];
  },
  MaxUnpool: ({ inputs, attrs }) => {
    const x = inputs[0];
    const shape = inputs[2] ? dimsData(inputs[2]) : undefined;
    if (shape) return [{ dtype: x?.dtype, dims: shape }];
    const kernel = attrs.ints('kernel_shape');
    if (!x?.dims || !kernel) return [{ dtype: x?.dtype }];
    const n = kernel.length;
    const strides = attrs.ints('strides') ?? kernel.map(() => 1);
    const pads = attrs.ints('pads') ?? new Array<number>(2 * n).fill(0);
    const dims: Dim[] = [x.dims[0] ?? null, x.dims[1] ?? null];
    for (let i = 0; i < n; i++) {
      const d = x.dims[i + 2];
      dims.push(
        isNum(d)
          ? (d - 1) * (strides[i] ?? 1) + (kernel[i] as number) - (pads[i] ?? 0) - (pads[i + n] ?? 0)
          : null,
      );
    }
    return [{ dtype: x.dtype, dims }];
  },
};
