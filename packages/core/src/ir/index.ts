// The typed graph IR: models, graphs, nodes and values with producer/use links, edits, patterns, extraction.
export { type AttrReading, type AttrWrite, subgraphsOf } from './attributes.js';
export { constantNumbers, constantOf } from './constants.js';
export { GraphCycleError, GraphEditError, UndefinedTensorError } from './errors.js';
export { extractModel } from './extract.js';
export { Graph, type NodeSpec, sameDomain, toposorted } from './graph.js';
export { Model } from './model.js';
export { Node } from './node.js';
export {
  type AnyPattern,
  type ConstPattern,
  findMatches,
  isSelfContained,
  type Match,
  matchAt,
  matchValue,
  type OneOfPattern,
  type OpOptions,
  type OpPattern,
  type OptionalPattern,
  P,
  type Pattern,
  type VarPattern,
} from './pattern.js';
export { inferShapes } from './shapes.js';
export { IrTensor } from './tensor.js';
export { type Use, Value } from './value.js';
