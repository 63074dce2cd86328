import { join } from 'node:path';
import { type HostTensor, readTensors } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import { decodeDetections, segmentationMaps } from '../src/index.js';

// transformers' post-processing run on seeded logits (fixtures/processors, settings.json has the exact arguments).
const dir = join(__dirname, '..', '..', '..', 'fixtures', 'processors');
const sizesOf = (t: HostTensor) => {
  const d = t.data as BigInt64Array;
  return [0, 1].map((i) => [Number(d[i * 2]), Number(d[i * 2 + 1])] as const);
};

describe('postprocessing parity with transformers', () => {
  for (const [file, scores, threshold, topK] of [
    ['post_detr.npz', 'softmax', 0.5, undefined],
    ['post_deformable_detr.npz', 'sigmoid-topk', 0.5, 10],
    ['post_rt_detr.npz', 'sigmoid-topk', 0.5, 10],
  ] as const) {
    it(`${file}: same labels, scores and boxes from the same logits`, () => {
      const z = readTensors(join(dir, file));
      const sizes = sizesOf(z.target_sizes!);
      const ours = decodeDetections(z.logits!, z.pred_boxes!, sizes, {
        scores,
        threshold,
        ...(topK ? { topK } : {}),
        labelName: String,
      });
      for (const i of [0, 1]) {
        const want = z[`result${i}.scores`]!.data as Float32Array;
        const labels = [...(z[`result${i}.labels`]!.data as BigInt64Array)].map(Number);
        const boxes = z[`result${i}.boxes`]!.data as Float32Array;
        // transformers keeps top-k then thresholds nothing away for sigmoid heads when all pass; compare as sets sorted by score.
        const theirs = labels
          .map((label, k) => ({ label, score: want[k]!, box: [...boxes.subarray(k * 4, k * 4 + 4)] }))
          .filter((d) => d.score > threshold)
          .sort((a, b) => b.score - a.score);
        const mine = ours[i]!;
        expect(mine.map((d) => d.label)).toEqual(theirs.map((d) => d.label));
        mine.forEach((d, k) => {
          expect(d.score).toBeCloseTo(theirs[k]!.score, 5);
          d.box.forEach((v, j) => {
            expect(Math.abs(v - theirs[k]!.box[j]!)).toBeLessThan(1e-3);
          });
        });
      }
    });
  }

  it('post_segformer.npz: identical class maps at each target size', () => {
    const z = readTensors(join(dir, 'post_segformer.npz'));
    const sizes = sizesOf(z.target_sizes!);
    const maps = segmentationMaps(z.logits!, sizes);
    for (const i of [0, 1]) {
      const want = z[`result${i}.map`]!;
      expect([maps[i]!.height, maps[i]!.width]).toEqual(want.dims);
      const w = want.data as Int32Array;
      const [, c, h, wd] = z.logits!.dims as [number, number, number, number];
      const [oh, ow] = sizes[i]!;
      const logits = z.logits!.data as Float32Array;
      // Bilinear value of class k at output pixel (y, x), align_corners=False, in float64.
      const at = (k: number, y: number, x: number) => {
        const fy = Math.max((y + 0.5) * (h / oh) - 0.5, 0);
        const fx = Math.max((x + 0.5) * (wd / ow) - 0.5, 0);
        const y0 = Math.min(Math.floor(fy), h - 1);
        const x0 = Math.min(Math.floor(fx), wd - 1);
        const y1 = Math.min(y0 + 1, h - 1);
        const x1 = Math.min(x0 + 1, wd - 1);
        const g = (yy: number, xx: number) => logits[((i * c + k) * h + yy) * wd + xx]!;
        const ly = fy - y0;
        const lx = fx - x0;
        return (
          (1 - ly) * ((1 - lx) * g(y0, x0) + lx * g(y0, x1)) + ly * ((1 - lx) * g(y1, x0) + lx * g(y1, x1))
        );
      };
      let diff = 0;
      for (let k = 0; k < w.length; k++) {
        const mine = maps[i]!.classes[k]!;
        if (mine === w[k]) continue;
        diff++;
        // A disagreement is only allowed where the two classes tie to float32 rounding (PyTorch upsamples in float32).
        const y = Math.floor(k / ow);
        const x = k % ow;
        expect(Math.abs(at(mine, y, x) - at(w[k]!, y, x))).toBeLessThan(1e-5);
      }
      expect(diff).toBeLessThanOrEqual(Math.ceil(w.length * 1e-4));
    }
  });
});
