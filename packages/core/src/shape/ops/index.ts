import type { InferFn } from '../types.js';
import { elementwiseOps } from './elementwise.js';
import { nnOps } from './nn.js';
import { reduceOps } from './reduce.js';
import { sequenceModelOps } from './sequence-models.js';
import { tensorOps } from './tensor-ops.js';

/** Shape and dtype rules of the standard ONNX domain, by op type. */
export const INFER_OPS: Readonly<Record<string, InferFn>> = {
  ...elementwiseOps,
  ...reduceOps,
  ...tensorOps,
  ...nnOps,
  ...sequenceModelOps,
};

export { matmulDims } from './nn.js';
export { sliceLength } from './tensor-ops.js';
