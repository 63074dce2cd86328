export { loadTensorRtAddon, type TensorRtAddon } from './addon.js';
export { fromNativeError, TensorRtBackend } from './backend.js';
export {
  type InputProfile,
  resolveBuildRequest,
  type TensorRtBuildOptions,
  validateProfiles,
} from './build-options.js';
export { type ParserIssue, PlanMismatchError, TensorRtError, TensorRtUnavailableError } from './errors.js';
export { loadPlan, type PlanManifest, planCacheKey, savePlan, sha256 } from './plan-file.js';
export {
  checkHalfPrecision,
  type InspectedLayer,
  InspectorFormatError,
  inspectLayers,
  type LayerPrecision,
  PrecisionNotRealizedError,
  type PrecisionSummary,
  precisionOf,
  summarisePrecision,
} from './precision-check.js';
