import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeUnavailableError } from './errors.js';

/** The functions the CUDA addon exports (see native/addon). */
export interface CudaAddon {
  runtimeVersion(): number;
  deviceCount(): { count: number; error: number; errorName: string; errorString: string };
}

export interface NativeStatus {
  readonly cuda: { built: boolean; path?: string; reason?: string };
}

// src/cuda or dist/ both sit below the package root.
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
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
