export {
  type Backend,
  BackendError,
  type BuildOptions,
  type Engine,
  type RunOptions,
  type TensorSpec,
} from './contract.js';
export { type EnginePrecision, PrecisionNotRealizedError } from './precision.js';
