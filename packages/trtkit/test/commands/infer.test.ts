import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '@trtkit/models';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/index.js';

const trained = join(__dirname, '..', '..', '..', '..', 'fixtures', 'trained');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('trtkit infer', () => {
  it('segments images, prints JSON and writes one PNG per image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trtkit-infer-'));
    const c = capture();
    const images = [join(trained, 'val', 'val_0.png'), join(trained, 'val', 'val_1.png')];
    const code = await runCli(
      [
        'infer',
        ...images,
        '--recipe',
        'synthetic-segformer',
        '--model',
        join(trained, 'segformer.onnx'),
        '--json',
        '--out',
        dir,
      ],
      c.io,
    );
    expect(code).toBe(0);
    const results = JSON.parse(c.out.join('\n'));
    expect(results).toHaveLength(2);
    expect(results[0].pixels.background).toBeGreaterThan(0);
    expect((await loadImage(join(dir, 'val_1.png'))).width).toBe(128);
  });

  it('runs passes (--passes, --verify) and --fp16 before building, with the same detections as the plain model', async () => {
    const images = [join(trained, 'val', 'val_0.png'), join(trained, 'val', 'val_2.png')];
    const base = [
      'infer',
      ...images,
      '--recipe',
      'synthetic-detr',
      '--model',
      join(trained, 'detr_original.onnx'),
      '--json',
    ];
    const plain = capture();
    expect(await runCli(base, plain.io)).toBe(0);
    const optimized = capture();
    expect(
      await runCli([...base, '--passes', 'removeAuxHeads,fixGather,simplify', '--verify'], optimized.io),
    ).toBe(0);
    const half = capture();
    expect(await runCli([...base, '--defaults', '--fp16'], half.io)).toBe(0);
    const labels = (c: ReturnType<typeof capture>) =>
      JSON.parse(c.out.join('\n')).map((r: { detections: { labelName: string }[] }) =>
        r.detections.map((d) => d.labelName),
      );
    expect(labels(plain)[0].length).toBeGreaterThan(0);
    expect(labels(optimized)).toEqual(labels(plain));
    expect(labels(half)).toEqual(labels(plain));
    const bad = capture();
    expect(await runCli([...base, '--passes', 'nope'], bad.io)).toBe(1);
    expect(bad.err.join('\n')).toMatch(/nope/);
  });

  it('fails with a typed message for a bad recipe, a missing model or a bad number', async () => {
    const c = capture();
    expect(await runCli(['infer', 'x.png', '--recipe', 'nope', '--model', 'm.onnx'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/no recipe named 'nope'/);
    expect(
      await runCli(['infer', 'x.png', '--recipe', 'synthetic-detr', '--model', '/nonexistent.onnx'], c.io),
    ).toBe(1);
    expect(
      await runCli(
        ['infer', 'x.png', '--recipe', 'synthetic-detr', '--model', 'm.onnx', '--batch', '0'],
        c.io,
      ),
    ).toBe(1);
    expect(c.err.join('\n')).toMatch(/--batch must be a positive integer/);
  });
});
