import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileError } from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  drawDetections,
  getRecipe,
  ImageDecodeError,
  ImageLayoutError,
  loadImage,
  overlayMask,
  type RecipeResult,
  runRecipe,
  UnknownRecipeError,
  writePng,
} from '../src/index.js';

const trained = join(__dirname, '..', '..', '..', 'fixtures', 'trained');
const val = (i: number) => join(trained, 'val', `val_${i}.png`);
const backend = new OrtBackend();

describe('images', () => {
  it('decodes files and raw pixels, and refuses broken ones with typed errors', async () => {
    const im = await loadImage(val(0));
    expect([im.width, im.height, im.data.length]).toEqual([128, 128, 128 * 128 * 3]);
    const chw = await loadImage({
      data: new Float32Array(2 * 2 * 3).fill(1),
      width: 2,
      height: 2,
      layout: 'CHW',
      dtype: 'float32',
    });
    expect([...chw.data]).toEqual(new Array(12).fill(255));
    await expect(loadImage(Buffer.from('not an image at all'))).rejects.toBeInstanceOf(ImageDecodeError);
    const png = readFileSync(val(0));
    await expect(loadImage(png.subarray(0, png.length / 2))).rejects.toBeInstanceOf(ImageDecodeError);
    await expect(loadImage('/nonexistent.png')).rejects.toThrow(/no such file/);
    await expect(
      loadImage({ data: new Uint8Array(10), width: 2, height: 2, layout: 'HWC', dtype: 'uint8' }),
    ).rejects.toBeInstanceOf(ImageLayoutError);
    await expect(
      loadImage({ data: new Uint8Array(12), width: 2, height: 2, layout: 'HWC', dtype: 'float32' }),
    ).rejects.toThrow(/declared as float32/);
  });

  it('applies EXIF orientation', async () => {
    // A 4x2 image stored with orientation 6 (rotate 90 clockwise) must come out 2x4.
    const raw = Buffer.alloc(4 * 2 * 3, 200);
    const jpeg = await sharp(raw, { raw: { width: 4, height: 2, channels: 3 } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const im = await loadImage(jpeg);
    expect([im.width, im.height]).toEqual([2, 4]);
  });
});

describe('recipes on the bundled trained fixtures (ONNX Runtime)', () => {
  let seg: Awaited<ReturnType<OrtBackend['build']>>;
  let det: Awaited<ReturnType<OrtBackend['build']>>;
  beforeAll(async () => {
    seg = await backend.build(readFileSync(join(trained, 'segformer.onnx')));
    det = await backend.build(readFileSync(join(trained, 'detr_original.onnx')));
  });
  afterAll(async () => {
    await seg.dispose();
    await det.dispose();
  });

  it('segments the validation images with high mIoU against their ground-truth masks', async () => {
    const ids = [0, 1, 2, 3, 4, 5, 6, 7];
    const results = await runRecipe(getRecipe('synthetic-segformer'), seg, ids.map(val));
    const inter = new Float64Array(4);
    const union = new Float64Array(4);
    for (const [k, r] of results.entries()) {
      if (r.task !== 'segmentation') throw new Error('expected segmentation');
      const gt = await sharp(join(trained, 'val', `val_${ids[k]}_mask.png`))
        .extractChannel(0)
        .raw()
        .toBuffer();
      for (let i = 0; i < gt.length; i++) {
        const p = r.segmentation.classes[i]!;
        const g = gt[i]!;
        for (let c = 0; c < 4; c++) {
          if (p === c && g === c) inter[c]! += 1;
          if (p === c || g === c) union[c]! += 1;
        }
      }
    }
    const ious = [...inter].map((v, c) => v / union[c]!).filter((x) => Number.isFinite(x));
    const miou = ious.reduce((a, b) => a + b, 0) / ious.length;
    expect(miou).toBeGreaterThan(0.8);
  });

  it('gives the same detections batched as one by one', async () => {
    const recipe = getRecipe('synthetic-detr');
    const files = [0, 1, 2, 3].map(val);
    const batched = await runRecipe(recipe, det, files, { threshold: 0.05 });
    const single = (
      await Promise.all(files.map((f) => runRecipe(recipe, det, [f], { threshold: 0.05 })))
    ).flat();
    const strip = (r: RecipeResult) => (r.task === 'detection' ? r.detections : []);
    expect(batched.flatMap(strip).length).toBeGreaterThan(0);
    batched.forEach((b, i) => {
      const s = strip(single[i]!);
      expect(strip(b).map((d) => d.label)).toEqual(s.map((d) => d.label));
      strip(b).forEach((d, j) => {
        expect(d.score).toBeCloseTo(s[j]!.score, 4);
        d.box.forEach((v, k) => {
          expect(v).toBeCloseTo(s[j]!.box[k]!, 3);
        });
      });
    });
  });

  it('draws detections and masks into PNGs, atomically, never overwriting unasked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trtkit-viz-'));
    const [r] = await runRecipe(getRecipe('synthetic-segformer'), seg, [val(0)]);
    if (r?.task !== 'segmentation') throw new Error('expected segmentation');
    const overlay = overlayMask(r.image, r.segmentation);
    const drawn = drawDetections(overlay, [
      { label: 1, labelName: 'square', score: 0.9, box: [10, 20, 60, 70] },
    ]);
    expect(Buffer.compare(Buffer.from(drawn.data), Buffer.from(r.image.data))).not.toBe(0);
    const out = join(dir, 'a.png');
    await writePng(out, drawn);
    const back = await loadImage(out);
    expect(Buffer.compare(Buffer.from(back.data), Buffer.from(drawn.data))).toBe(0);
    writeFileSync(join(dir, 'b.png'), 'mine');
    await expect(writePng(join(dir, 'b.png'), drawn)).rejects.toBeInstanceOf(FileError);
    expect(readFileSync(join(dir, 'b.png'), 'utf8')).toBe('mine');
  });

  it('names valid recipes when asked for an unknown one', () => {
    expect(() => getRecipe('yolo')).toThrow(UnknownRecipeError);
    expect(() => getRecipe('yolo')).toThrow(/synthetic-segformer/);
  });
});
