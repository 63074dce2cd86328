// simplify: shape inference, constant folding and clean-up to a fixpoint (onnx-simplifier's job).
export { parseInputShapes, SIMPLIFY_STEPS, type SimplifyOptions, type SimplifyStep } from './options.js';
export { makeSimplifyPass, simplify } from './pass.js';
export { type SimplifyReport, simplifyModel } from './simplify.js';
