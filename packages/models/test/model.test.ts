import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OrtBackend } from '@trtkit/ort';
import { definePass } from '@trtkit/passes';
import { describe, expect, it } from 'vitest';
import { getRecipe, model, runRecipe } from '../src/index.js';

const trained = join(__dirname, '..', '..', '..', 'fixtures', 'trained');
const val = (i: number) => join(trained, 'val', `val_${i}.png`);

describe('model(): the fluent pipeline', () => {
  it('removes aux heads, fixes gathers, simplifies, verifies each step, and infers like the original', async () => {
    const onnx = join(trained, 'detr_original.onnx');
    const deployed = model('synthetic-detr', { onnx })
      .removeAuxHeads()
      .fixGather()
      .simplify()
      .verify()
      .build();
    const { model: optimized, reports } = await deployed.ready();
    expect(reports.find((r) => r.pass === 'removeAuxHeads')?.changed).toBe(true);
    expect(optimized.graph!.node.length).toBeLessThan(916);
    const engine = await new OrtBackend().build(readFileSync(onnx));
    const images = [0, 1, 2].map(val);
    const want = await runRecipe(getRecipe('synthetic-detr'), engine, images, { threshold: 0.05 });
    const got = await deployed.infer(images, { threshold: 0.05 });
    got.forEach((g, i) => {
      const w = want[i]!;
      if (g.task !== 'detection' || w.task !== 'detection') throw new Error('expected detections');
      expect(g.detections.map((d) => d.label)).toEqual(w.detections.map((d) => d.label));
      g.detections.forEach((d, j) => {
        expect(d.score).toBeCloseTo(w.detections[j]!.score, 4);
      });
    });
    const one = await deployed.infer(val(0));
    expect(one.task).toBe('detection');
    await Promise.all([deployed.dispose(), engine.dispose()]);
  });

  it('builds FP16 and keeps the segmentation', async () => {
    const onnx = join(trained, 'segformer.onnx');
    const fp32 = model('synthetic-segformer', { onnx }).build();
    const fp16 = model('synthetic-segformer', { onnx }).build({ fp16: true });
    const { model: half } = await fp16.ready();
    expect(half.graph!.initializer.some((t) => t.dataType === 10)).toBe(true);
    const [a, b] = await Promise.all([fp32.infer(val(3)), fp16.infer(val(3))]);
    if (a.task !== 'segmentation' || b.task !== 'segmentation') throw new Error('expected maps');
    let same = 0;
    for (let i = 0; i < a.segmentation.classes.length; i++)
      same += a.segmentation.classes[i] === b.segmentation.classes[i] ? 1 : 0;
    expect(same / a.segmentation.classes.length).toBeGreaterThanOrEqual(0.995);
  });

  it('takes custom passes and reports unknown pass names with the known ones', async () => {
    let seen = 0;
    const countNodes = definePass({
      name: 'countNodes',
      apply: (m) => {
        seen = m.graph.nodes.length;
      },
    });
    const { reports } = await model('synthetic-segformer', { onnx: join(trained, 'segformer.onnx') })
      .pass(countNodes)
      .optimize();
    expect(seen).toBe(1263);
    expect(reports[0]?.pass).toBe('countNodes');
    await expect(
      model('synthetic-detr', { onnx: join(trained, 'detr_original.onnx') })
        .pass('nope')
        .optimize(),
    ).rejects.toThrow(/removeAuxHeads/);
  });
});
