import { tensor } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import { COCO_80, COCO_91, decodeDetections, RecipeOutputError, segmentationMaps } from '../src/index.js';

describe('detection decoding', () => {
  // 1 image, 2 queries, 3 classes + no-object.
  const logits = tensor('float32', [1, 2, 4], new Float32Array([5, 0, 0, 0, 0, 0, 0, 9]));
  const boxes = tensor('float32', [1, 2, 4], new Float32Array([0.5, 0.5, 0.2, 0.4, 0.1, 0.1, 0.1, 0.1]));

  it('softmax drops the no-object class and scales cxcywh to pixel corners', () => {
    const [dets] = decodeDetections(logits, boxes, [[100, 200]], {
      scores: 'softmax',
      threshold: 0.5,
      labelName: (i) => `c${i}`,
    });
    expect(dets).toHaveLength(1); // query 1 is no-object
    const d = dets![0]!;
    expect(d.label).toBe(0);
    expect(d.labelName).toBe('c0');
    expect(d.score).toBeCloseTo(Math.exp(5) / (Math.exp(5) + 3), 6);
    expect(d.box[0]).toBeCloseTo(80, 4); // (0.5 - 0.1) * 200
    expect(d.box[1]).toBeCloseTo(30, 4); // (0.5 - 0.2) * 100
    expect(d.box[2]).toBeCloseTo(120, 4);
    expect(d.box[3]).toBeCloseTo(70, 4);
  });

  it('sigmoid top-k ranks queries x classes and keeps every class a query scores on', () => {
    const [dets] = decodeDetections(logits, boxes, [[10, 10]], {
      scores: 'sigmoid-topk',
      threshold: 0.6,
      topK: 2,
      labelName: String,
    });
    expect(dets!.map((d) => [d.label, d.score > 0.99])).toEqual([
      [3, true], // query 1, class 3 (no background class in sigmoid heads)
      [0, true],
    ]);
  });

  it('rejects outputs of the wrong shape with a typed error', () => {
    expect(() =>
      decodeDetections(logits, tensor('float32', [1, 3, 4], new Float32Array(12)), [[1, 1]], {
        scores: 'softmax',
        threshold: 0,
        labelName: String,
      }),
    ).toThrow(RecipeOutputError);
  });
});

describe('segmentation maps', () => {
  it('matches a naive upsample-then-argmax reference', () => {
    const c = 3;
    const h = 4;
    const w = 5;
    const data = new Float32Array(c * h * w).map((_, i) => Math.sin(i * 1.7) * 3);
    const [map] = segmentationMaps(tensor('float32', [1, c, h, w], data), [[9, 13]]);
    // Naive: upsample each class plane (align_corners=False) then argmax.
    const up = (k: number, y: number, x: number) => {
      const fy = Math.max((y + 0.5) * (h / 9) - 0.5, 0);
      const fx = Math.max((x + 0.5) * (w / 13) - 0.5, 0);
      const y0 = Math.min(Math.floor(fy), h - 1);
      const x0 = Math.min(Math.floor(fx), w - 1);
      const y1 = Math.min(y0 + 1, h - 1);
      const x1 = Math.min(x0 + 1, w - 1);
      const g = (yy: number, xx: number) => data[k * h * w + yy * w + xx]!;
      const ly = fy - y0;
      const lx = fx - x0;
      return (
        (1 - ly) * ((1 - lx) * g(y0, x0) + lx * g(y0, x1)) + ly * ((1 - lx) * g(y1, x0) + lx * g(y1, x1))
      );
    };
    for (let y = 0; y < 9; y++) {
      for (let x = 0; x < 13; x++) {
        const vals = [0, 1, 2].map((k) => up(k, y, x));
        expect(map!.classes[y * 13 + x]).toBe(vals.indexOf(Math.max(...vals)));
      }
    }
  });
});

describe('labels', () => {
  it('maps COCO ids as DETR does', () => {
    expect(COCO_80).toHaveLength(80);
    expect(COCO_91).toHaveLength(91);
    expect(COCO_91[1]).toBe('person');
    expect(COCO_91[12]).toBe('N/A');
    expect(COCO_91[90]).toBe('toothbrush');
    expect(COCO_91.filter((n) => n !== 'N/A')).toHaveLength(80);
  });
});
