import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Backend, PrecisionNotRealizedError } from '@trtkit/core';
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

  it('fails an FP16 build whose engine reports it runs mostly FP32 (backends that can tell, like TensorRT)', async () => {
    const onnx = join(trained, 'segformer.onnx');
    // ONNX Runtime builds the engine; the backend adds what a TensorRT engine's inspector would report.
    const reporting = (halfShare: number): Backend => {
      const ort = new OrtBackend();
      return {
        name: 'reporting',
        async build(bytes, options) {
          const engine = await ort.build(bytes, options);
          return Object.assign(engine, {
            precision: () => ({
              compute: 10,
              byPrecision: { fp16: halfShare * 10, fp32: 10 - halfShare * 10 },
              halfShare,
            }),
          });
        },
      };
    };
    const low = model('synthetic-segformer', { onnx }).build({ fp16: true, backend: reporting(0.2) });
    await expect(low.ready()).rejects.toBeInstanceOf(PrecisionNotRealizedError);
    await expect(low.ready()).rejects.toThrow(
      /only 20\.0 % of 10 compute layers run in FP16 \(wanted 50 %\)/,
    );
    const ok = model('synthetic-segformer', { onnx }).build({ fp16: true, backend: reporting(0.9) });
    expect((await ok.ready()).engine.precision?.().halfShare).toBe(0.9);
    // Without fp16 nothing is asked of the engine's precision.
    const fp32 = model('synthetic-segformer', { onnx }).build({ backend: reporting(0) });
    await fp32.ready();
    await Promise.all([ok.dispose(), fp32.dispose()]);
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
