import {
  type Backend,
  BackendError,
  type BuildOptions,
  type DType,
  type Engine,
  type HostTensor,
  isDType,
  type RunOptions,
  type TensorSpec,
  tensor,
} from '@trtkit/core';
import * as ort from 'onnxruntime-node';

export interface OrtBackendOptions {
  /** ONNX Runtime graph optimisation; 'all' by default. Verification of passes may want 'disabled'. */
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Default intra-op threads for engines built by this backend. */
  readonly threads?: number;
}

function specOf(meta: ort.InferenceSession.ValueMetadata): TensorSpec {
  if (!meta.isTensor) return { name: meta.name, dtype: 'unknown', dims: [] };
  return {
    name: meta.name,
    dtype: isDType(meta.type) ? meta.type : 'unknown',
    dims: meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : typeof d === 'string' ? d : null)),
  };
}

function toOrt(name: string, t: HostTensor): ort.Tensor {
  const dims = [...t.dims];
  switch (t.dtype) {
    case 'float16':
      // Raw 16-bit patterns; ORT takes them as Uint16Array.
      return new ort.Tensor('float16', t.data as Uint16Array, dims);
    case 'bfloat16':
      throw new BackendError(
        'onnxruntime',
        'run',
        `input '${name}' is bfloat16, which onnxruntime-node cannot take`,
        {
          hint: 'cast the input to float32 (and the graph input with it)',
        },
      );
    case 'string':
      return new ort.Tensor('string', t.data as string[], dims);
    default:
      try {
        return new ort.Tensor(t.dtype, t.data as never, dims);
      } catch (cause) {
        throw new BackendError('onnxruntime', 'run', `input '${name}' cannot be passed as ${t.dtype}`, {
          cause,
        });
      }
  }
}

function fromOrt(name: string, value: ort.OnnxValue): HostTensor {
  const t = value as ort.Tensor;
  const dtype = t.type as DType;
  if (!isDType(dtype))
    throw new BackendError('onnxruntime', 'run', `output '${name}' has unsupported type ${t.type}`);
  return tensor(dtype, t.dims, t.data as never);
}

class OrtEngine implements Engine {
  readonly backend = 'onnxruntime';
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  #session: ort.InferenceSession | undefined;

  constructor(session: ort.InferenceSession) {
    this.#session = session;
    this.inputs = session.inputMetadata.map(specOf);
    this.outputs = session.outputMetadata.map(specOf);
  }

  async run(
    feeds: Readonly<Record<string, HostTensor>>,
    options?: RunOptions,
  ): Promise<Record<string, HostTensor>> {
    const session = this.#session;
    if (!session) throw new BackendError('onnxruntime', 'run', 'the engine was disposed');
    const missing = this.inputs.filter((i) => !(i.name in feeds)).map((i) => i.name);
    if (missing.length) {
      throw new BackendError('onnxruntime', 'run', `missing inputs: ${missing.join(', ')}`, {
        hint: `the model takes ${this.inputs.map((i) => `${i.name} ${i.dtype}[${i.dims.join(',')}]`).join('; ')}`,
      });
    }
    for (const spec of this.inputs) {
      const t = feeds[spec.name]!;
      const rankOk = spec.dims.length === 0 || spec.dims.length === t.dims.length;
      const dimsOk = rankOk && spec.dims.every((d, i) => typeof d !== 'number' || d === t.dims[i]);
      if ((spec.dtype !== 'unknown' && spec.dtype !== t.dtype) || !dimsOk) {
        const want = `${spec.dtype}[${spec.dims.map((d) => d ?? '?').join(',')}]`;
        throw new BackendError(
          'onnxruntime',
          'run',
          `input '${spec.name}' must be ${want}, got ${t.dtype}[${t.dims.join(',')}]`,
          {
            hint: 'check the recipe or the preprocessing that produced this input',
          },
        );
      }
    }
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrt(name, t);
    let result: ort.InferenceSession.ReturnType;
    try {
      result = options?.outputs
        ? await session.run(ortFeeds, [...options.outputs])
        : await session.run(ortFeeds);
    } catch (cause) {
      throw new BackendError('onnxruntime', 'run', cause instanceof Error ? cause.message : String(cause), {
        cause,
      });
    }
    const out: Record<string, HostTensor> = {};
    for (const [name, value] of Object.entries(result)) out[name] = fromOrt(name, value);
    return out;
  }

  async dispose(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    await session?.release();
  }
}

/** The embedded default backend: ONNX Runtime on the CPU. */
export class OrtBackend implements Backend {
  readonly name = 'onnxruntime';
  constructor(readonly options: OrtBackendOptions = {}) {}

  async build(onnx: Uint8Array, options?: BuildOptions): Promise<Engine> {
    const threads = options?.threads ?? this.options.threads;
    if (threads !== undefined && !(Number.isInteger(threads) && threads > 0)) {
      throw new BackendError('onnxruntime', 'build', `threads must be a positive integer, got ${threads}`);
    }
    try {
      const session = await ort.InferenceSession.create(onnx, {
        graphOptimizationLevel: this.options.graphOptimizationLevel ?? 'all',
        // Errors only: ONNX Runtime's warnings (unused initializers etc.) are noise for users of the SDK.
        logSeverityLevel: 3,
        ...(threads ? { intraOpNumThreads: threads } : {}),
      });
      return new OrtEngine(session);
    } catch (cause) {
      throw new BackendError('onnxruntime', 'build', cause instanceof Error ? cause.message : String(cause), {
        cause,
        hint: 'run `trtkit lint` or `trtkit inspect` on the model to see what ONNX Runtime refuses',
      });
    }
  }
}
