import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloneProto, decodeModel, encodeModel, ModelProtoSchema, readTensors } from '@trtkit/core';
import { getRecipe, prepareInputs } from '@trtkit/models';
import { OrtBackend } from '@trtkit/ort';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/index.js';

const trained = join(__dirname, '..', '..', '..', '..', 'fixtures', 'trained');

function capture() {
  const out: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => out.push(t) }, out };
}

describe('trtkit compare', () => {
  it('passes a fixture against its saved PyTorch outputs', async () => {
    const c = capture();
    const code = await runCli(
      [
        'compare',
        join(trained, 'segformer.onnx'),
        '--expect',
        join(trained, 'segformer.npz'),
        '--atol',
        '1e-4',
        '--json',
      ],
      c.io,
    );
    const r = JSON.parse(c.out.join('\n'));
    expect(code).toBe(0);
    expect(r.pass).toBe(true);
    expect(r.outputs[0].name).toBe('logits');
  });

  it('fails (exit 1) on a broken copy, names the node with --bisect, and saves outputs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trtkit-compare-'));
    const model = decodeModel(new Uint8Array(readFileSync(join(trained, 'detr_original.onnx'))));
    const broken = cloneProto(ModelProtoSchema, model);
    const w = broken.graph!.initializer.find((t) => t.dataType === 1 && t.rawData.length >= 256)!;
    w.rawData = new Uint8Array(w.rawData.length);
    writeFileSync(join(dir, 'broken.onnx'), encodeModel(broken));
    const c = capture();
    const code = await runCli(
      [
        'compare',
        join(trained, 'detr_original.onnx'),
        join(dir, 'broken.onnx'),
        '--bisect',
        '--save-outputs',
        join(dir, 'out.npz'),
      ],
      c.io,
    );
    expect(code).toBe(1);
    const text = c.out.join('\n');
    expect(text).toMatch(/FAIL/);
    expect(text).toMatch(/first divergent node: '[^']+'/);
    expect(Object.keys(readTensors(join(dir, 'out.npz')))).toContain('pred_boxes');
  });

  it('feeds real images through a recipe (--images, --recipe) and fails a broken copy on them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trtkit-compare-'));
    const images = [join(trained, 'val', 'val_0.png'), join(trained, 'val', 'val_1.png')];
    const onnx = join(trained, 'detr_original.onnx');
    const c = capture();
    const args = [
      '--images',
      images.join(','),
      '--recipe',
      'synthetic-detr',
      '--save-outputs',
      join(dir, 'a.npz'),
    ];
    expect(await runCli(['compare', onnx, onnx, ...args], c.io)).toBe(0);
    // The outputs are the model's on those images as the recipe prepares them (an independent run here).
    const recipe = getRecipe('synthetic-detr');
    const prepared = await prepareInputs(images, recipe.resize, recipe.normalize);
    const engine = await new OrtBackend().build(new Uint8Array(readFileSync(onnx)));
    const direct = await engine.run({ pixel_values: prepared.pixelValues, pixel_mask: prepared.pixelMask });
    const saved = readTensors(join(dir, 'a.npz'));
    expect(saved.pred_logits!.dims).toEqual(direct.pred_logits!.dims);
    expect(Array.from(saved.pred_logits!.data as Float32Array)).toEqual(
      Array.from(direct.pred_logits!.data as Float32Array),
    );

    const model = decodeModel(new Uint8Array(readFileSync(onnx)));
    const broken = cloneProto(ModelProtoSchema, model);
    const w = broken.graph!.initializer.find((t) => t.dataType === 1 && t.rawData.length >= 256)!;
    w.rawData = new Uint8Array(w.rawData.length);
    writeFileSync(join(dir, 'broken.onnx'), encodeModel(broken));
    expect(
      await runCli(
        ['compare', onnx, join(dir, 'broken.onnx'), '--images', images[0]!, '--recipe', 'synthetic-detr'],
        c.io,
      ),
    ).toBe(1);
    const bad = capture();
    expect(await runCli(['compare', onnx, onnx, '--images', images[0]!], bad.io)).toBe(1);
    expect(bad.out.join('\n')).toMatch(/--images needs --recipe/);
  });

  it('refuses a missing second model with usage', async () => {
    const c = capture();
    expect(await runCli(['compare', 'a.onnx'], c.io)).toBe(1);
    expect(c.out.join('\n')).toMatch(/two models, or one model and --expect/);
  });
});
