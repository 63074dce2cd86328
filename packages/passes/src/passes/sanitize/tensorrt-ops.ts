/**
 * What TensorRT's ONNX parser can build, per major version. Source: the ONNX-TensorRT operator support matrix
 * (docs/operators.md of onnx/onnx-tensorrt, 10.x) and the TensorRT 11 parser release notes. Only facts the lint
 * uses are kept: unsupported ops, and restrictions that can be checked on the graph alone.
 */
export type TensorRTVersion = 10 | 11;

/** Standard-domain ops the parser rejects (`N` in the matrix), both versions. */
const UNSUPPORTED_COMMON = [
  'AffineGrid',
  'Bernoulli',
  'BitShift',
  'BitwiseAnd',
  'BitwiseNot',
  'BitwiseOr',
  'BitwiseXor',
  'BlackmanWindow',
  'CenterCropPad',
  'Col2Im',
  'Compress',
  'ConcatFromSequence',
  'ConvInteger',
  'DFT',
  'Det',
  'DynamicQuantizeLinear',
  'HammingWindow',
  'HannWindow',
  'ImageDecoder',
  'MatMulInteger',
  'MaxRoiPool',
  'MaxUnpool',
  'MelWeightMatrix',
  'Multinomial',
  'NegativeLogLikelihoodLoss',
  'Optional',
  'OptionalGetElement',
  'OptionalHasElement',
  'QLinearConv',
  'QLinearMatMul',
  'RegexFullMatch',
  'STFT',
  'SequenceAt',
  'SequenceConstruct',
  'SequenceEmpty',
  'SequenceErase',
  'SequenceInsert',
  'SequenceLength',
  'SequenceMap',
  'SoftmaxCrossEntropyLoss',
  'SplitToSequence',
  'StringConcat',
  'StringNormalizer',
  'StringSplit',
  'TfIdfVectorizer',
  'Unique',
] as const;

/** Ops TensorRT 11's parser added over 10.x (release notes: Swish and its own attention/MoE/KV-cache ops). */
const ADDED_IN_11 = ['Swish'] as const;

export interface OpsetRange {
  readonly min: number;
  readonly max: number;
}

/** Default-domain opsets the parser accepts (10.x: 9..20 per the 10.x matrix; 11.x: 9..25 per the opset guide). */
export const SUPPORTED_OPSETS: Readonly<Record<TensorRTVersion, OpsetRange>> = {
  10: { min: 9, max: 20 },
  11: { min: 9, max: 25 },
};

export function isUnsupportedOp(opType: string, version: TensorRTVersion): boolean {
  if (version === 10 && (ADDED_IN_11 as readonly string[]).includes(opType)) return true;
  return (UNSUPPORTED_COMMON as readonly string[]).includes(opType);
}

/**
 * Inputs that must be build-time constants (an initializer or a Constant output) for the parser.
 * Index = input position. From the matrix's "must be an initializer" restrictions.
 */
export const CONSTANT_INPUTS: Readonly<Record<string, readonly { index: number; name: string }[]>> = {
  CumSum: [{ index: 1, name: 'axis' }],
  Pad: [{ index: 3, name: 'axes' }],
  ReduceL1: [{ index: 1, name: 'axes' }],
  ReduceL2: [{ index: 1, name: 'axes' }],
  ReduceLogSum: [{ index: 1, name: 'axes' }],
  ReduceLogSumExp: [{ index: 1, name: 'axes' }],
  ReduceMax: [{ index: 1, name: 'axes' }],
  ReduceMean: [{ index: 1, name: 'axes' }],
  ReduceMin: [{ index: 1, name: 'axes' }],
  ReduceProd: [{ index: 1, name: 'axes' }],
  ReduceSum: [{ index: 1, name: 'axes' }],
  ReduceSumSquare: [{ index: 1, name: 'axes' }],
  Slice: [{ index: 3, name: 'axes' }],
  Squeeze: [{ index: 1, name: 'axes' }],
  Unsqueeze: [{ index: 1, name: 'axes' }],
  OneHot: [{ index: 1, name: 'depth' }],
  Dropout: [{ index: 2, name: 'training_mode' }],
};

/** Attribute values the parser rejects: [op, attribute, predicate on the value, why]. */
export interface AttributeRule {
  readonly op: string;
  readonly attribute: string;
  readonly rejects: (value: unknown) => boolean;
  readonly why: string;
}

const RESIZE_MODES = new Set(['nearest', 'linear']);
const RESIZE_COORDS = new Set([
  'half_pixel',
  'pytorch_half_pixel',
  'tf_half_pixel_for_nn',
  'asymmetric',
  'align_corners',
]);
const notAllOnes = (v: unknown) => Array.isArray(v) && v.some((x) => Number(x) !== 1);

export const ATTRIBUTE_RULES: readonly AttributeRule[] = [
  {
    op: 'Resize',
    attribute: 'mode',
    rejects: (v) => typeof v === 'string' && !RESIZE_MODES.has(v),
    why: 'only nearest and linear resize',
  },
  {
    op: 'Resize',
    attribute: 'coordinate_transformation_mode',
    rejects: (v) => typeof v === 'string' && !RESIZE_COORDS.has(v),
    why: 'unsupported coordinate transformation mode',
  },
  {
    op: 'Resize',
    attribute: 'antialias',
    rejects: (v) => Number(v) !== 0,
    why: 'antialiasing is not supported',
  },
  {
    op: 'Resize',
    attribute: 'keep_aspect_ratio_policy',
    rejects: (v) => typeof v === 'string' && v !== 'stretch',
    why: "only the 'stretch' aspect policy",
  },
  { op: 'TopK', attribute: 'sorted', rejects: (v) => Number(v) !== 1, why: 'sorted must be 1' },
  {
    op: 'ScatterND',
    attribute: 'reduction',
    rejects: (v) => typeof v === 'string' && v !== 'none',
    why: 'reduction is not supported',
  },
  { op: 'LSTM', attribute: 'input_forget', rejects: (v) => Number(v) !== 0, why: 'input_forget must be 0' },
  { op: 'LSTM', attribute: 'layout', rejects: (v) => Number(v) !== 0, why: 'layout must be 0' },
  { op: 'MaxPool', attribute: 'dilations', rejects: notAllOnes, why: 'dilations must be all ones' },
  { op: 'AveragePool', attribute: 'dilations', rejects: notAllOnes, why: 'dilations must be all ones' },
  { op: 'LpPool', attribute: 'dilations', rejects: notAllOnes, why: 'dilations must be all ones' },
];

/** Ops whose extra outputs the parser cannot produce: op -> number of outputs supported. */
export const MAX_OUTPUTS: Readonly<Record<string, number>> = {
  LayerNormalization: 1,
  MaxPool: 1,
};

/**
 * Custom-domain ops that map to TensorRT plugins shipped with TensorRT (looked up by name in the plugin registry).
 * Anything else outside the default domain needs a user plugin library.
 */
export const KNOWN_PLUGIN_OPS: ReadonlySet<string> = new Set([
  'MultiscaleDeformableAttnPlugin_TRT',
  'EfficientNMS_TRT',
  'BatchedNMSDynamic_TRT',
  'ROIAlign_TRT',
  'GridAnchor_TRT',
  'InstanceNormalization_TRT',
  'ScatterND',
]);
