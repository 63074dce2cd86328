import type { DType } from '../../tensor/index.js';
import { broadcast } from '../dims.js';
import type { InferFn, TensorInfo } from '../types.js';

/** Output like input 0 (dtype and dims). */
export const sameAsInput: InferFn = ({ inputs, nOutputs }) => {
  const x = inputs[0];
  const out: TensorInfo = { dtype: x?.dtype, dims: x?.dims };
  return Array.from({ length: nOutputs }, () => out);
};

/** Broadcast of all inputs; dtype of input `typeFrom` or a fixed one. */
export function broadcasting(typeFrom: number | DType = 0): InferFn {
  return ({ inputs }) => {
    const present = inputs.filter((x): x is TensorInfo => x !== undefined);
    const dims = broadcast(present.map((x) => x.dims));
    const dtype = typeof typeFrom === 'number' ? inputs[typeFrom]?.dtype : typeFrom;
    return [{ dtype, dims }];
  };
}

const UNARY_SAME = [
  'Relu',
  'Sigmoid',
  'Tanh',
  'Erf',
  'Gelu',
  'Sqrt',
  'Exp',
  'Log',
  'Neg',
  'Abs',
  'Floor',
  'Ceil',
  'Round',
  'Reciprocal',
  'Sin',
  'Cos',
  'Tan',
  'Asin',
  'Acos',
  'Atan',
  'Sinh',
  'Cosh',
  'Asinh',
  'Acosh',
  'Atanh',
  'Softplus',
  'Softsign',
  'HardSigmoid',
  'HardSwish',
  'LeakyRelu',
  'Elu',
  'Selu',
  'Celu',
  'ThresholdedRelu',
  'Mish',
  'Sign',
  'Clip',
  'Identity',
  'BitwiseNot',
  'Softmax',
  'LogSoftmax',
  'Hardmax',
  'LRN',
  'InstanceNormalization',
  'LpNormalization',
  'MeanVarianceNormalization',
  'Shrink',
  'CumSum',
  'Trilu',
  'ReverseSequence',
  'Swish',
  'Binarizer',
  'CastMap',
];
const BINARY = [
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Mod',
  'Min',
  'Max',
  'Sum',
  'Mean',
  'BitShift',
  'BitwiseAnd',
  'BitwiseOr',
  'BitwiseXor',
  'PRelu',
];
const COMPARE = ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor'];

export const elementwiseOps: Record<string, InferFn> = {};
for (const op of UNARY_SAME) elementwiseOps[op] = sameAsInput;
for (const op of BINARY) elementwiseOps[op] = broadcasting(0);
for (const op of COMPARE) elementwiseOps[op] = broadcasting('bool');
elementwiseOps.Where = broadcasting(1);
elementwiseOps.IsNaN = ({ inputs }) => [{ dtype: 'bool', dims: inputs[0]?.dims }];
elementwiseOps.IsInf = elementwiseOps.IsNaN;
elementwiseOps.Not = elementwiseOps.IsNaN;
elementwiseOps.Dropout = ({ inputs, nOutputs }) => {
  const x = inputs[0];
  const out: TensorInfo[] = [{ dtype: x?.dtype, dims: x?.dims }];
  if (nOutputs > 1) out.push({ dtype: 'bool', dims: x?.dims });
  return out;
};
