import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/index.js';

const trained = join(__dirname, '..', '..', '..', '..', 'fixtures', 'trained');

describe('trtkit inspect', () => {
  it('reports opsets, I/O with symbolic dims, op histogram and weights of a real export', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    expect(await runCli(['inspect', join(trained, 'detr_original.onnx'), '--json'], io)).toBe(0);
    const r = JSON.parse(out.join('\n'));
    expect(r.irVersion).toBe(8);
    expect(r.opsets['ai.onnx']).toBe(17);
    expect(r.inputs).toEqual([{ name: 'pixel_values', dtype: 'float32', shape: ['batch', 3, 128, 128] }]);
    expect(r.outputs.map((o: { name: string }) => o.name)).toEqual(['pred_logits', 'pred_boxes']);
    expect(r.nodes).toBe(916);
    expect(Object.values(r.ops as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(916);
    expect(r.ops.MatMul).toBeGreaterThan(0);
    expect(r.weightBytes).toBeGreaterThan(4_000_000);
  });
  it('prints a readable summary and fails cleanly on a missing file', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    expect(await runCli(['inspect', join(trained, 'segformer.onnx')], io)).toBe(0);
    expect(out.join('\n')).toMatch(/input {4}pixel_values float32\[batch, 3, 128, 128\]/);
    expect(await runCli(['inspect', '/nonexistent.onnx'], io)).toBe(1);
  });
});
