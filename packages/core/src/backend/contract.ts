import { TrtkitError } from '../errors/index.js';
import type { DType, HostTensor } from '../tensor/index.js';
import type { EnginePrecision } from './precision.js';

/** A graph input or output as a backend sees it. Symbolic dims are strings; unknown dims are null. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: DType | 'unknown';
  readonly dims: readonly (number | string | null)[];
}

export interface BuildOptions {
  /** Threads inside one operator (ONNX Runtime intra-op); backend default when absent. */
  readonly threads?: number;
  /** Reports progress of long builds (TensorRT builds take minutes). */
  readonly onProgress?: (event: { phase: string; fraction?: number; message?: string }) => void;
}

export interface RunOptions {
  /** Only these outputs are fetched; all declared outputs when absent. */
  readonly outputs?: readonly string[];
}

/** A built model, ready to run. Runs may overlap; `dispose` releases native resources once. */
export interface Engine {
  readonly backend: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  run(feeds: Readonly<Record<string, HostTensor>>, options?: RunOptions): Promise<Record<string, HostTensor>>;
  dispose(): Promise<void>;
  /** The precision the engine really runs, where the backend can tell (TensorRT can; ONNX Runtime cannot). */
  precision?(): EnginePrecision;
}

/** Turns encoded ONNX bytes into an Engine: ONNX Runtime (reference) or TensorRT. */
export interface Backend {
  readonly name: string;
  build(onnx: Uint8Array, options?: BuildOptions): Promise<Engine>;
}

/** The backend refused or failed to build or run a model. */
export class BackendError extends TrtkitError {
  readonly _tag = 'BackendError';
  constructor(
    readonly backend: string,
    readonly phase: 'build' | 'run' | 'dispose' | 'load',
    message: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(`[${backend}] ${phase} failed: ${message}`, options);
  }
}
