import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/index.js';

const trained = join(__dirname, '..', '..', '..', '..', 'fixtures', 'trained');

describe('trtkit eval', () => {
  it('scores the bundled SegFormer on the bundled validation masks', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const code = await runCli(
      [
        'eval',
        '--recipe',
        'synthetic-segformer',
        '--model',
        join(trained, 'segformer.onnx'),
        '--dataset',
        join(trained, 'val', 'annotations.json'),
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    const r = JSON.parse(out.join('\n'));
    expect(r.images).toBe(8);
    expect(r.miou).toBeGreaterThan(0.8);
  });

  it('runs detection mAP end to end and reports numbers in range', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
    const code = await runCli(
      [
        'eval',
        '--recipe',
        'synthetic-detr',
        '--model',
        join(trained, 'detr_original.onnx'),
        '--dataset',
        join(trained, 'val', 'annotations.json'),
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    const r = JSON.parse(out.join('\n'));
    expect(r.predictions).toBeGreaterThan(0);
    expect(r.ap50).toBeGreaterThanOrEqual(0);
    expect(r.ap50).toBeLessThanOrEqual(1);
  });
});
