import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CudaError, cudaInfo, loadCudaAddon, nativeStatus } from '../src/index.js';

const hasNvcc = spawnSync('sh', ['-c', 'command -v nvcc || test -x /usr/local/cuda/bin/nvcc']).status === 0;
const hasGpu = spawnSync('sh', ['-c', 'command -v nvidia-smi && nvidia-smi -L']).status === 0;

describe('CUDA addon', () => {
  it('is built wherever nvcc exists, and says why not elsewhere', () => {
    const status = nativeStatus();
    if (hasNvcc) expect(status.cuda).toMatchObject({ built: true });
    else expect(status.cuda.reason).toMatch(/nvcc|cmake|skip/);
  });

  it.runIf(hasNvcc)('loads without a GPU and reports the CUDA runtime it was built with', () => {
    const addon = loadCudaAddon();
    expect(addon.runtimeVersion()).toBeGreaterThanOrEqual(12000);
  });

  it.runIf(hasNvcc && !hasGpu)('turns a missing driver into a typed CudaError', () => {
    expect(() => cudaInfo()).toThrow(CudaError);
    try {
      cudaInfo();
    } catch (e) {
      expect((e as CudaError).code === 35 || (e as CudaError).code === 100).toBe(true);
      expect((e as CudaError).hint).toMatch(/ONNX Runtime/);
    }
  });
});
