export { condition, firstFailing } from './condition.js';
export { definePass, type PassDefinition } from './define-pass.js';
export {
  FixpointNotReached,
  PassCrashed,
  type PassError,
  PatternNotFound,
  PostconditionFailed,
  PreconditionFailed,
  UnknownPass,
  VerificationFailed,
} from './errors.js';
/** Graph helpers for pass bodies: `graph.constInts(g, v)`, `graph.replaceValue(g, old, by)`, `graph.prune(g)`, ... */
export * as graph from './graph/index.js';
export { modelFromProto } from './graph/index.js';
export {
  PassManager,
  type PipelineError,
  type PipelineOptions,
  type PipelineResult,
  runPipeline,
  type Step,
  type Verifier,
  verifierFromPromise,
} from './manager.js';
export { cloneModel, type PassModel } from './model.js';
export { type Condition, emptyReport, type Pass, type PassReport, type PassResult } from './pass.js';
export { PassRegistry } from './registry.js';
export { type Reportable, ReportBuilder } from './report-builder.js';
export { runPass } from './run-pass.js';
