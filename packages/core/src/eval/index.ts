// The TypeScript evaluator for shape-computation ops, used by shape inference and constant folding.
export { EVAL_DTYPES, EvaluatorError } from './etensor.js';
export { canEvaluate, evaluateNode } from './evaluate.js';
export { reshapeDims } from './ops.js';
