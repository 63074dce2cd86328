import {
  type Backend,
  type BuildOptions,
  type DType,
  type Engine,
  type HostTensor,
  isDType,
  type RunOptions,
  type TensorSpec,
  tensor,
} from '@trtkit/core';
import { loadTensorRtAddon, type NativeEngine, type TensorRtAddon } from './addon.js';
import { resolveBuildRequest, type TensorRtBuildOptions } from './build-options.js';
import { type ParserIssue, TensorRtError, type TensorRtLog } from './errors.js';
import { type PrecisionSummary, summarisePrecision } from './precision-check.js';

const ARRAYS: Partial<Record<DType, new (b: ArrayBuffer) => HostTensor['data']>> = {
  float32: Float32Array as never,
  float16: Uint16Array as never,
  bfloat16: Uint16Array as never,
  int32: Int32Array as never,
  int64: BigInt64Array as never,
  int8: Int8Array as never,
  uint8: Uint8Array as never,
  bool: Uint8Array as never,
};

/** Copies a Node Buffer (possibly pooled, unaligned) into a fresh typed array of the dtype. */
function toHost(dtype: string, dims: number[], data: Buffer): HostTensor {
  if (!isDType(dtype) || !ARRAYS[dtype]) {
    throw new TensorRtError('OUTPUT_DTYPE', `TensorRT returned an output of unsupported type ${dtype}`);
  }
  const copy = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return tensor(dtype, dims, new (ARRAYS[dtype] as new (b: ArrayBuffer) => never)(copy));
}

/** Maps the addon's coded errors to TensorRtError, keeping parser issues that name ONNX nodes. */
export function fromNativeError(e: unknown): TensorRtError {
  const err = e as { code?: string; message?: string; logs?: TensorRtLog[]; parserErrors?: ParserIssue[] };
  return new TensorRtError(
    err.code ?? 'UNKNOWN',
    err.message ?? String(e),
    { logs: err.logs ?? [], parserIssues: err.parserErrors ?? [] },
    {
      cause: e,
      hint:
        err.code === 'PARSE_FAILED'
          ? 'run `trtkit lint --tensorrt <version>` and the sanitize pass; the nodes above are named as in the ONNX file'
          : undefined,
    },
  );
}

class TensorRtEngine implements Engine {
  readonly backend = 'tensorrt';
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];

  constructor(
    private readonly native: NativeEngine,
    readonly plan: Uint8Array,
  ) {
    const io = native.io();
    const spec = (t: (typeof io)[number]): TensorSpec => ({
      name: t.name,
      dtype: isDType(t.dtype) ? t.dtype : 'unknown',
      dims: t.dims.map((d) => (d < 0 ? null : d)),
    });
    this.inputs = io.filter((t) => t.mode === 'input').map(spec);
    this.outputs = io.filter((t) => t.mode === 'output').map(spec);
  }

  async run(
    feeds: Readonly<Record<string, HostTensor>>,
    options?: RunOptions,
  ): Promise<Record<string, HostTensor>> {
    const inputs = this.inputs.map((spec) => {
      const t = feeds[spec.name];
      if (!t) throw new TensorRtError('INPUT_MISSING', `missing input '${spec.name}'`);
      if (spec.dtype !== 'unknown' && t.dtype !== spec.dtype) {
        throw new TensorRtError('INPUT_DTYPE', `input '${spec.name}' must be ${spec.dtype}, got ${t.dtype}`);
      }
      if (t.dtype === 'string') throw new TensorRtError('INPUT_DTYPE', 'TensorRT takes no string tensors');
      return { name: spec.name, dims: [...t.dims], data: t.data as ArrayBufferView };
    });
    let raw: Awaited<ReturnType<NativeEngine['run']>>;
    try {
      raw = await this.native.run(inputs);
    } catch (e) {
      throw fromNativeError(e);
    }
    const wanted = options?.outputs ? new Set(options.outputs) : undefined;
    const out: Record<string, HostTensor> = {};
    for (const o of raw) if (!wanted || wanted.has(o.name)) out[o.name] = toHost(o.dtype, o.dims, o.data);
    return out;
  }

  /** Per-layer information from TensorRT's engine inspector (layer types and precisions). */
  layers(): unknown {
    return JSON.parse(this.native.inspect());
  }

  /** Compute layers by precision, from the inspector (the plan must be built with detailed profiling). */
  precision(): PrecisionSummary {
    return summarisePrecision(this.layers());
  }

  async dispose(): Promise<void> {
    this.native.dispose();
  }
}

/** The TensorRT backend: ONNX bytes -> plan -> engine. Loads the addon on first build, not at import. */
export class TensorRtBackend implements Backend {
  readonly name = 'tensorrt';
  #addon: TensorRtAddon | undefined;

  constructor(readonly defaults: TensorRtBuildOptions = {}) {}

  private addon(): TensorRtAddon {
    this.#addon ??= loadTensorRtAddon();
    return this.#addon;
  }

  /** TensorRT version the addon was compiled against and the one loaded at run time. */
  version(): { compiled: string; runtime: number } {
    const v = this.addon().version();
    return { compiled: `${v.compiledMajor}.${v.compiledMinor}.${v.compiledPatch}`, runtime: v.runtime };
  }

  /** Builds a serialized plan; progress goes to `options.onProgress`. */
  async buildPlan(
    onnx: Uint8Array,
    options: BuildOptions & TensorRtBuildOptions = {},
  ): Promise<{ plan: Uint8Array; timingCache?: Uint8Array }> {
    const addon = this.addon();
    addon.initPlugins();
    const merged = { ...this.defaults, ...options };
    const request = resolveBuildRequest(onnx, merged, addon.version().compiledMajor);
    const onProgress = options.onProgress;
    if (onProgress) {
      request.onProgress = (e) =>
        onProgress({ phase: e.phase, ...(e.steps > 0 && e.step >= 0 ? { fraction: e.step / e.steps } : {}) });
    }
    try {
      const r = await addon.build(request);
      return {
        plan: new Uint8Array(r.plan),
        ...(r.timingCache ? { timingCache: new Uint8Array(r.timingCache) } : {}),
      };
    } catch (e) {
      throw fromNativeError(e);
    }
  }

  /** Deserializes a plan (from buildPlan or loadPlan) into an Engine. */
  load(plan: Uint8Array, pluginLibraries: readonly string[] = this.defaults.pluginLibraries ?? []): Engine {
    const addon = this.addon();
    addon.initPlugins();
    try {
      return new TensorRtEngine(new addon.Engine(plan, [...pluginLibraries]), plan);
    } catch (e) {
      throw fromNativeError(e);
    }
  }

  async build(onnx: Uint8Array, options: BuildOptions & TensorRtBuildOptions = {}): Promise<Engine> {
    const { plan } = await this.buildPlan(onnx, options);
    return this.load(plan, options.pluginLibraries ?? this.defaults.pluginLibraries);
  }
}
