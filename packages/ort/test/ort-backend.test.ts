import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendError, type HostTensor, readTensors, tensor } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import { OrtBackend } from '../src/index.js';

const trained = join(__dirname, '..', '..', '..', 'fixtures', 'trained');
const onnx = readFileSync(join(trained, 'segformer.onnx'));
const npz = readTensors(join(trained, 'segformer.npz'));
const pixels = npz['input.pixel_values']!;
const one = (i: number): HostTensor => {
  const [, c, h, w] = pixels.dims as [number, number, number, number];
  const n = c * h * w;
  return tensor('float32', [1, c, h, w], (pixels.data as Float32Array).slice(i * n, (i + 1) * n));
};

describe('OrtBackend', () => {
  it('describes its inputs and outputs with symbolic dims', async () => {
    const e = await new OrtBackend().build(onnx);
    expect(e.inputs).toEqual([{ name: 'pixel_values', dtype: 'float32', dims: ['batch', 3, 128, 128] }]);
    expect(e.outputs[0]?.name).toBe('logits');
    await e.dispose();
  });

  it('runs concurrent requests on one engine with the same results as one by one', async () => {
    const e = await new OrtBackend({ threads: 1 }).build(onnx);
    const inputs = [0, 1, 2, 3, 4, 5].map(one);
    const sequential: HostTensor[] = [];
    for (const x of inputs) sequential.push((await e.run({ pixel_values: x })).logits!);
    const parallel = await Promise.all(inputs.map((x) => e.run({ pixel_values: x })));
    parallel.forEach((r, i) => {
      expect(
        Buffer.from((r.logits!.data as Float32Array).buffer).equals(
          Buffer.from((sequential[i]!.data as Float32Array).buffer),
        ),
      ).toBe(true);
    });
    await e.dispose();
  });

  it('names what it expected when inputs are missing, mistyped or misshaped', async () => {
    const e = await new OrtBackend().build(onnx);
    await expect(e.run({})).rejects.toThrow(/missing inputs: pixel_values/);
    await expect(
      e.run({ pixel_values: tensor('uint8', [1, 3, 128, 128], new Uint8Array(3 * 128 * 128)) }),
    ).rejects.toThrow(/must be float32\[batch,3,128,128\], got uint8\[1,3,128,128\]/);
    await expect(
      e.run({ pixel_values: tensor('float32', [1, 128, 128, 3], new Float32Array(3 * 128 * 128)) }),
    ).rejects.toThrow(BackendError);
    await e.dispose();
    await e.dispose(); // twice is fine
    await expect(e.run({ pixel_values: one(0) })).rejects.toThrow(/disposed/);
  });

  it('refuses impossible settings and broken models with typed errors', async () => {
    await expect(new OrtBackend({ threads: 0 }).build(onnx)).rejects.toThrow(
      /threads must be a positive integer/,
    );
    await expect(new OrtBackend().build(new Uint8Array([8, 1, 2, 3]))).rejects.toBeInstanceOf(BackendError);
  });
});
