import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  CudaError,
  CudaEvent,
  CudaStream,
  cudaInfo,
  DeviceBuffer,
  DeviceTensor,
  deviceMemory,
  loadCudaAddon,
  nativeStatus,
} from '../src/index.js';

const hasNvcc = spawnSync('sh', ['-c', 'command -v nvcc || test -x /usr/local/cuda/bin/nvcc']).status === 0;
const hasGpu = spawnSync('sh', ['-c', 'command -v nvidia-smi && nvidia-smi -L']).status === 0;

function expectNoDriver(call: () => unknown): void {
  let caught: unknown;
  try {
    call();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(CudaError);
  const e = caught as CudaError;
  expect(e._tag).toBe('CudaError');
  expect(e.code === 35 || e.code === 100).toBe(true);
  expect(e.hint).toMatch(/ONNX Runtime/);
}

describe('CUDA addon', () => {
  it('is built wherever nvcc exists, and says why not elsewhere', () => {
    const status = nativeStatus();
    if (hasNvcc) expect(status.cuda).toMatchObject({ built: true });
    else expect(status.cuda.reason).toMatch(/nvcc|cmake|skip/);
  });

  it.runIf(hasNvcc)('loads without a GPU and exports the device API and kernels', () => {
    const addon = loadCudaAddon();
    expect(addon.runtimeVersion()).toBeGreaterThanOrEqual(12000);
    for (const name of ['msdaForward', 'layerNorm', 'preprocessImage', 'detrDecodeSoftmax', 'upsampleArgmax'])
      expect(typeof (addon as unknown as Record<string, unknown>)[name]).toBe('function');
  });

  it.runIf(hasNvcc && !hasGpu)('turns a missing driver into a typed CudaError', () => {
    expectNoDriver(() => cudaInfo());
    expectNoDriver(() => deviceMemory());
  });

  it.runIf(hasNvcc && !hasGpu)('fails the first GPU call of the device API with a typed CudaError', () => {
    expectNoDriver(() => DeviceBuffer.alloc(1024));
    expectNoDriver(() => DeviceBuffer.from(new Float32Array(4)));
    expectNoDriver(() => DeviceTensor.alloc('float16', [2, 3]));
    expectNoDriver(() => CudaStream.create());
    expectNoDriver(() => CudaEvent.create());
  });
});
