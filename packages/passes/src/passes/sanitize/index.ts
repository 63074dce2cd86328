export { type LintFinding, lintTensorRT } from './lint.js';
export { type SanitizeOptions, sanitize, sanitizeFor } from './sanitize.js';
export { SUPPORTED_OPSETS, type TensorRTVersion } from './tensorrt-ops.js';
