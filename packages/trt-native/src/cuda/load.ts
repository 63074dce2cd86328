import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRootFrom } from '../package-root.js';
import { NativeUnavailableError } from './errors.js';

/** A CUDA status as the addon reports it without throwing. */
export interface NativeStatusCode {
  error: number;
  errorName: string;
  errorString: string;
}

export interface NativeDeviceBuffer {
  readonly byteLength: number;
  readonly disposed: boolean;
  dispose(): void;
  copyFromHost(view: ArrayBufferView, byteOffset?: number, stream?: NativeStream | null): void;
  copyToHost(view: ArrayBufferView, byteOffset?: number, stream?: NativeStream | null): void;
  copyFromDevice(
    src: NativeDeviceBuffer,
    bytes: number,
    dstOffset?: number,
    srcOffset?: number,
    stream?: NativeStream | null,
  ): void;
  fill(byte: number, stream?: NativeStream | null): void;
}

export interface NativeStream {
  readonly disposed: boolean;
  synchronize(): void;
  dispose(): void;
}

export interface NativeEvent {
  readonly disposed: boolean;
  record(stream?: NativeStream | null): void;
  synchronize(): void;
  elapsedMs(start: NativeEvent): number;
  dispose(): void;
}

/** Options objects of the kernel entries; see native/addon/kernels.cc for the fields. */
export type NativeKernelArgs = Record<string, unknown>;

/** The functions the CUDA addon exports (see native/addon). */
export interface CudaAddon {
  runtimeVersion(): number;
  deviceCount(): NativeStatusCode & { count: number };
  memInfo(): NativeStatusCode & { free: number; total: number };
  DeviceBuffer: new (byteLength: number) => NativeDeviceBuffer;
  Stream: new () => NativeStream;
  Event: new () => NativeEvent;
  msdaForward(args: NativeKernelArgs): void;
  layerNorm(args: NativeKernelArgs): void;
  preprocessImage(args: NativeKernelArgs): void;
  detrDecodeSoftmax(args: NativeKernelArgs): void;
  detrDecodeSigmoidTopK(args: NativeKernelArgs): void;
  upsampleArgmax(args: NativeKernelArgs): void;
}

export interface NativeStatus {
  readonly cuda: { built: boolean; path?: string; reason?: string };
  /** The CPU image addon (absent in status files written before it existed). */
  readonly image?: { built: boolean; path?: string; reason?: string };
}

// src/cuda or dist/ both sit below the package root.
function packageRoot(): string {
  return packageRootFrom(dirname(fileURLToPath(import.meta.url)));
}

const root = packageRoot();
let cached: CudaAddon | undefined;

/** What the install-time build recorded: whether the addon was built, and why not. */
export function nativeStatus(): NativeStatus {
  const file = join(root, 'build', 'native-status.json');
  if (!existsSync(file))
    return { cuda: { built: false, reason: 'the native build has not run (npm install runs it)' } };
  return JSON.parse(readFileSync(file, 'utf8')) as NativeStatus;
}

/** Loads the CUDA addon on first use. Loading needs no GPU; CUDA calls report a missing one. */
export function loadCudaAddon(): CudaAddon {
  if (cached) return cached;
  const path = process.env.TRTKIT_CUDA_ADDON ?? join(root, 'build', 'Release', 'trtkit_cuda.node');
  if (!existsSync(path)) {
    const status = nativeStatus();
    throw new NativeUnavailableError(`the CUDA addon is not built: ${status.cuda.reason ?? path}`, {
      hint: 'install the CUDA toolkit (nvcc) and cmake, then run `npm run build:native -w @trtkit/trt-native`',
    });
  }
  try {
    cached = createRequire(import.meta.url)(path) as CudaAddon;
  } catch (cause) {
    throw new NativeUnavailableError(`the CUDA addon at ${path} failed to load`, { cause });
  }
  return cached;
}
