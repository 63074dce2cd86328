// Shape and dtype inference with symbolic dims: a rule per op over small types, and a walker over ModelProto.
export { Attrs } from './attrs.js';
export { allKnown, broadcast, dimProduct, formatDims, mergeDim } from './dims.js';
export { hostFromProto, type InferOptions, type InferResult, inferModel } from './infer-graph.js';
export { INFER_OPS, matmulDims } from './ops/index.js';
export { infoFromType, infoFromValueInfo, typeFromInfo } from './proto-types.js';
export type { Dim, InferCtx, InferFn, TensorInfo } from './types.js';
