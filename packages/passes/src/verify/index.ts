export { type BisectOptions, type BisectResult, bisect } from './bisect.js';
export {
  type ComparisonResult,
  compareOutputs,
  compareTensor,
  DEFAULT_TOLERANCE,
  type OutputComparison,
  type Tolerance,
} from './compare.js';
export {
  type CompareModelsOptions,
  compareModels,
  compareWithExpected,
  type ModelComparison,
} from './compare-models.js';
export { type RandomInputOptions, randomInputs, seededRandom } from './inputs.js';
export { intermediateNames, topoNodes, withOutputs } from './mark-outputs.js';
export {
  bisectModels,
  ReferenceBackend,
  VerificationError,
  verifyModels,
} from './reference-backend.js';
