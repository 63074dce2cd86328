import {
  type Backend,
  decodeModel,
  type Engine,
  encodeModel,
  InvalidArgumentError,
  type ModelProto,
  PrecisionNotRealizedError,
  readModel,
} from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import {
  builtinPasses,
  compareModels,
  modelFromProto,
  type Pass,
  type PassReport,
  runPipeline,
  type Tolerance,
  verifierFromPromise,
  withoutReferenceDefinitions,
  withReferenceDefinitions,
} from '@trtkit/passes';
import { Effect } from 'effect';
import type { ImageInput } from '../image/load-image.js';
import type { Recipe } from '../recipes/recipe.js';
import { getRecipe } from '../recipes/registry.js';
import { type RecipeResult, type RunRecipeOptions, runRecipe } from '../run-recipe.js';

export interface ModelSource {
  /** Path of the .onnx file (external data is read from beside it), or its bytes. */
  readonly onnx: string | Uint8Array;
}

export interface DeployOptions {
  /** Convert to a strongly typed mixed-precision graph (FP16 with verified FP32 islands) before building. */
  readonly fp16?: boolean;
  /** Where the engine runs: the embedded ONNX Runtime by default, or e.g. `new TensorRtBackend()`. */
  readonly backend?: Backend;
  /** Threads for the ONNX Runtime backend. */
  readonly threads?: number;
  /**
   * With `fp16`, the least share of compute layers the built engine must really run in half precision, checked where
   * the backend can tell (TensorRT's engine inspector); below it the build fails with PrecisionNotRealizedError.
   * Default 0.5.
   */
  readonly minHalfShare?: number;
}

// Passes by name or value; a name is looked up in the built-in registry when the pipeline runs.
type StepSpec = string | Pass;

/**
 * The fluent entry point: `model('detr', { onnx: 'detr.onnx' }).removeAuxHeads().fixGather().build({ fp16: true })`.
 * Each call returns a new pipeline (nothing runs until `optimize()` or `build()`), so pipelines can be shared and
 * extended.
 */
export class ModelPipeline {
  constructor(
    readonly recipe: Recipe,
    readonly source: ModelSource,
    readonly steps: readonly StepSpec[] = [],
    readonly verification: Tolerance | undefined = undefined,
  ) {}

  /** Adds a pass: a built-in by name, or your own `Pass` (see `definePass`). */
  pass(step: StepSpec): ModelPipeline {
    return new ModelPipeline(this.recipe, this.source, [...this.steps, step], this.verification);
  }

  /** The recipe's default passes for this family. */
  defaults(): ModelPipeline {
    return this.recipe.passes.reduce<ModelPipeline>((p, name) => p.pass(name), this);
  }

  removeAuxHeads(): ModelPipeline {
    return this.pass('removeAuxHeads');
  }
  fixGather(): ModelPipeline {
    return this.pass('fixGather');
  }
  fuseLayerNorm(): ModelPipeline {
    return this.pass('fuseLayerNorm');
  }
  simplify(): ModelPipeline {
    return this.pass('simplify');
  }
  sanitize(): ModelPipeline {
    return this.pass('sanitize');
  }
  dynamicShapes(): ModelPipeline {
    return this.pass('dynamicShapes');
  }
  fuseDeformableAttention(): ModelPipeline {
    return this.pass('fuseDeformableAttention');
  }

  /** Checks every pass that changes the graph against the one before it on ONNX Runtime. */
  verify(tolerance: Tolerance = { atol: 1e-4, rtol: 1e-3 }): ModelPipeline {
    return new ModelPipeline(this.recipe, this.source, this.steps, tolerance);
  }

  /** Loads the model and runs the passes; returns the optimised ONNX and one report per pass run. */
  async optimize(
    extra: readonly StepSpec[] = [],
  ): Promise<{ model: ModelProto; reports: readonly PassReport[] }> {
    const proto =
      typeof this.source.onnx === 'string'
        ? (await readModel(this.source.onnx)).model
        : decodeModel(this.source.onnx);
    const passes: Pass[] = [];
    for (const step of [...this.steps, ...extra]) {
      if (typeof step !== 'string') passes.push(step);
      else {
        const p = builtinPasses.get(step);
        if (!p) {
          throw new InvalidArgumentError(`no pass named '${step}'`, {
            hint: `built-in passes: ${builtinPasses.names.join(', ')}`,
          });
        }
        passes.push(p as Pass);
      }
    }
    const reference = new OrtBackend();
    const tolerance = this.verification;
    const verify = tolerance
      ? verifierFromPromise(async (before, after, pass) => {
          const r = await compareModels(reference, before.toProto(), after.toProto(), {
            tolerance,
            bisect: true,
          });
          if (r.pass) return true;
          const bad = r.outputs.filter((o) => !o.pass).map((o) => `${o.name}: ${o.reason}`);
          const node = r.bisect?.firstDivergent;
          return `${pass} changed the outputs (${bad.join('; ')})${node ? `; first divergent node '${node.nodeName}' (${node.opType})` : ''}`;
        })
      : undefined;
    const result = await Effect.runPromise(
      runPipeline(passes, modelFromProto(proto), verify ? { verify } : {}),
    );
    return { model: result.model.toProto(), reports: result.reports };
  }

  /** Optimises, converts to FP16 if asked, and builds an engine; `infer` waits for it. */
  build(options: DeployOptions = {}): Deployment {
    return new Deployment(this, options);
  }
}

/** A built model: run it on images with the recipe's pre- and post-processing. */
export class Deployment {
  readonly #ready: Promise<{ engine: Engine; model: ModelProto; reports: readonly PassReport[] }>;

  constructor(
    readonly pipeline: ModelPipeline,
    readonly options: DeployOptions,
  ) {
    this.#ready = (async () => {
      const { model, reports } = await pipeline.optimize(options.fp16 ? ['toMixedPrecision'] : []);
      const backend = options.backend ?? new OrtBackend(options.threads ? { threads: options.threads } : {});
      // ONNX Runtime runs our custom ops through their reference bodies; TensorRT binds its plugins instead.
      const forBackend =
        backend.name === 'onnxruntime' ? withReferenceDefinitions(model) : withoutReferenceDefinitions(model);
      const engine = await backend.build(encodeModel(forBackend));
      // An FP16 build that silently fell back to FP32 is the failure this option exists to catch.
      if (options.fp16 && engine.precision) {
        const summary = engine.precision();
        const min = options.minHalfShare ?? 0.5;
        if (summary.halfShare < min) {
          await engine.dispose();
          throw new PrecisionNotRealizedError(summary, min);
        }
      }
      return { engine, model, reports };
    })();
    // Failures surface from ready()/infer(); this keeps an unobserved build from crashing the process.
    this.#ready.catch(() => undefined);
  }

  /** Resolves once the engine is built; rejects with the build's typed error. */
  async ready(): Promise<{ engine: Engine; model: ModelProto; reports: readonly PassReport[] }> {
    return this.#ready;
  }

  infer(image: ImageInput, options?: RunRecipeOptions): Promise<RecipeResult>;
  infer(images: readonly ImageInput[], options?: RunRecipeOptions): Promise<RecipeResult[]>;
  async infer(
    input: ImageInput | readonly ImageInput[],
    options?: RunRecipeOptions,
  ): Promise<RecipeResult | RecipeResult[]> {
    const { engine } = await this.#ready;
    const many = Array.isArray(input);
    const results = await runRecipe(
      this.pipeline.recipe,
      engine,
      many ? (input as ImageInput[]) : [input as ImageInput],
      options,
    );
    return many ? results : results[0]!;
  }

  async dispose(): Promise<void> {
    const { engine } = await this.#ready;
    await engine.dispose();
  }
}

/** Starts a pipeline for a recipe (`'detr'`, `'segformer'`, ... or your own `Recipe`) and an ONNX export. */
export function model(recipe: string | Recipe, source: ModelSource): ModelPipeline {
  return new ModelPipeline(typeof recipe === 'string' ? getRecipe(recipe) : recipe, source);
}
