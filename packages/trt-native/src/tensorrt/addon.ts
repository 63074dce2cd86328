import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRootFrom } from '../package-root.js';
import { TensorRtUnavailableError } from './errors.js';

export interface NativeProfile {
  min: number[];
  opt: number[];
  max: number[];
}

export interface NativeBuildRequest {
  onnx: Uint8Array;
  modelPath?: string;
  stronglyTyped?: boolean;
  fp16?: boolean;
  tf32?: boolean;
  workspaceBytes?: number;
  optimizationLevel?: number;
  profiles?: Record<string, NativeProfile>[];
  pluginLibraries?: string[];
  timingCache?: Uint8Array;
  onProgress?: (e: { phase: string; parent?: string; step: number; steps: number }) => void;
}

export interface NativeIoTensor {
  name: string;
  mode: 'input' | 'output';
  dtype: string;
  dims: number[];
  profile?: NativeProfile;
}

export interface NativeEngine {
  io(): NativeIoTensor[];
  run(
    inputs: { name: string; dims: number[]; data: ArrayBufferView }[],
  ): Promise<{ name: string; dtype: string; dims: number[]; data: Buffer }[]>;
  inspect(): string;
  dispose(): void;
  readonly disposed: boolean;
}

/** The functions of trtkit_tensorrt.node (native/tensorrt). */
export interface TensorRtAddon {
  version(): { compiledMajor: number; compiledMinor: number; compiledPatch: number; runtime: number };
  initPlugins(): boolean;
  build(request: NativeBuildRequest): Promise<{ plan: Buffer; timingCache?: Buffer; logs: unknown[] }>;
  Engine: new (plan: Uint8Array, pluginLibraries?: string[]) => NativeEngine;
}

function packageRoot(): string {
  return packageRootFrom(dirname(fileURLToPath(import.meta.url)));
}

let cached: TensorRtAddon | undefined;

/** Loads the TensorRT addon on first use; its absence is a typed error, never a crash at import. */
export function loadTensorRtAddon(): TensorRtAddon {
  if (cached) return cached;
  const path =
    process.env.TRTKIT_TENSORRT_ADDON ??
    join(packageRoot(), 'build', 'tensorrt', 'Release', 'trtkit_tensorrt.node');
  if (!existsSync(path)) {
    throw new TensorRtUnavailableError(`the TensorRT addon is not built (${path} is missing)`, {
      hint:
        'install TensorRT 10.x or 11.x, then `TENSORRT_ROOT=/path/to/TensorRT npm run build:tensorrt -w @trtkit/trt-native`;' +
        ' meanwhile the ONNX Runtime backend runs every model',
    });
  }
  try {
    cached = createRequire(import.meta.url)(path) as TensorRtAddon;
  } catch (cause) {
    throw new TensorRtUnavailableError(
      `the TensorRT addon at ${path} failed to load (are TensorRT's libraries on the loader path?)`,
      {
        cause,
        hint: 'add TensorRT lib/ to LD_LIBRARY_PATH',
      },
    );
  }
  return cached;
}
