import { type Backend, encodeModel, type HostTensor, type ModelProto } from '@trtkit/core';
import { withReferenceDefinitions } from '../passes/msda-reference/index.js';
import { type BisectResult, bisect } from './bisect.js';
import { type ComparisonResult, compareOutputs, DEFAULT_TOLERANCE, type Tolerance } from './compare.js';
import { type RandomInputOptions, randomInputs } from './inputs.js';

export interface CompareModelsOptions {
  /** Inputs to feed; seeded random inputs from the reference's input specs when absent. */
  readonly inputs?: Readonly<Record<string, HostTensor>>;
  readonly random?: RandomInputOptions;
  readonly tolerance?: Tolerance | Readonly<Record<string, Tolerance>>;
  /** On failure, find the first divergent node. */
  readonly bisect?: boolean;
}

export interface ModelComparison extends ComparisonResult {
  readonly inputs: Readonly<Record<string, HostTensor>>;
  readonly referenceOutputs: Readonly<Record<string, HostTensor>>;
  readonly candidateOutputs: Readonly<Record<string, HostTensor>>;
  readonly bisect?: BisectResult;
}

async function runOnce(
  backend: Backend,
  model: ModelProto,
  inputs?: Readonly<Record<string, HostTensor>>,
  random?: RandomInputOptions,
) {
  const engine = await backend.build(encodeModel(withReferenceDefinitions(model)));
  try {
    const feeds = inputs ?? randomInputs(engine.inputs, random);
    return {
      feeds,
      outputs: await engine.run(Object.fromEntries(engine.inputs.map((i) => [i.name, feeds[i.name]!]))),
    };
  } finally {
    await engine.dispose();
  }
}

/** Runs a reference and a candidate model on the same inputs through one backend and compares every output. */
export async function compareModels(
  backend: Backend,
  reference: ModelProto,
  candidate: ModelProto,
  options: CompareModelsOptions = {},
): Promise<ModelComparison> {
  const ref = await runOnce(backend, reference, options.inputs, options.random);
  const cand = await runOnce(backend, candidate, ref.feeds);
  const result = compareOutputs(ref.outputs, cand.outputs, options.tolerance ?? DEFAULT_TOLERANCE);
  const tol = options.tolerance && 'atol' in options.tolerance ? (options.tolerance as Tolerance) : undefined;
  const found =
    !result.pass && options.bisect
      ? await bisect(backend, reference, candidate, ref.feeds, tol ? { tolerance: tol } : {})
      : undefined;
  return {
    ...result,
    inputs: ref.feeds,
    referenceOutputs: ref.outputs,
    candidateOutputs: cand.outputs,
    ...(found ? { bisect: found } : {}),
  };
}

/** Runs a model and compares it with expected outputs (e.g. PyTorch's, saved with np.savez). */
export async function compareWithExpected(
  backend: Backend,
  model: ModelProto,
  inputs: Readonly<Record<string, HostTensor>>,
  expected: Readonly<Record<string, HostTensor>>,
  tolerance: Tolerance | Readonly<Record<string, Tolerance>> = DEFAULT_TOLERANCE,
): Promise<ComparisonResult> {
  const { outputs } = await runOnce(backend, model, inputs);
  return compareOutputs(expected, outputs, tolerance);
}
