/**
 * Where each op keeps its axis or axes, and which tensor's rank they count against.
 * `since`: the opset from which the axes moved from an attribute to an input (ONNX history).
 */
export interface AxisSlot {
  /** Attribute name, or input index once `since` is reached. */
  readonly attribute: string;
  readonly input?: number;
  readonly since?: number;
  readonly many: boolean;
  /** Rank comes from input 0, or from output 0 (Unsqueeze axes index the output). */
  readonly rankOf: 'input' | 'output';
  /** The default when the attribute is absent at opset >= 13 (made explicit by the pass). */
  readonly default?: number;
}

const reduce = (since: number): AxisSlot => ({
  attribute: 'axes',
  input: 1,
  since,
  many: true,
  rankOf: 'input',
});

export const AXIS_SLOTS: Readonly<Record<string, AxisSlot>> = {
  Gather: { attribute: 'axis', many: false, rankOf: 'input', default: 0 },
  GatherElements: { attribute: 'axis', many: false, rankOf: 'input', default: 0 },
  Concat: { attribute: 'axis', many: false, rankOf: 'input' },
  Split: { attribute: 'axis', many: false, rankOf: 'input', default: 0 },
  Flatten: { attribute: 'axis', many: false, rankOf: 'input' },
  ArgMax: { attribute: 'axis', many: false, rankOf: 'input' },
  ArgMin: { attribute: 'axis', many: false, rankOf: 'input' },
  TopK: { attribute: 'axis', many: false, rankOf: 'input' },
  Softmax: { attribute: 'axis', many: false, rankOf: 'input', default: -1 },
  LogSoftmax: { attribute: 'axis', many: false, rankOf: 'input', default: -1 },
  Hardmax: { attribute: 'axis', many: false, rankOf: 'input', default: -1 },
  LayerNormalization: { attribute: 'axis', many: false, rankOf: 'input', default: -1 },
  CumSum: { attribute: 'axis', input: 1, since: 1, many: false, rankOf: 'input' },
  Squeeze: { attribute: 'axes', input: 1, since: 13, many: true, rankOf: 'input' },
  Unsqueeze: { attribute: 'axes', input: 1, since: 13, many: true, rankOf: 'output' },
  ReduceSum: reduce(13),
  ReduceMean: reduce(18),
  ReduceMax: reduce(18),
  ReduceMin: reduce(18),
  ReduceProd: reduce(18),
  ReduceL1: reduce(18),
  ReduceL2: reduce(18),
  ReduceLogSum: reduce(18),
  ReduceLogSumExp: reduce(18),
  ReduceSumSquare: reduce(18),
};
