import { describe, expect, it } from 'vitest';
import { cocoMap, type EvalBox, MiouAccumulator } from '../src/index.js';

const gt = (
  imageId: number,
  categoryId: number,
  bbox: [number, number, number, number],
  iscrowd = false,
): EvalBox => ({
  imageId,
  categoryId,
  bbox,
  iscrowd,
});
const pr = (
  imageId: number,
  categoryId: number,
  bbox: [number, number, number, number],
  score: number,
): EvalBox => ({
  imageId,
  categoryId,
  bbox,
  score,
});

describe('COCO mAP', () => {
  it('is 1 for perfect predictions and 0 for none', () => {
    const g = [gt(1, 1, [0, 0, 10, 10]), gt(2, 2, [5, 5, 20, 20])];
    expect(cocoMap(g, [pr(1, 1, [0, 0, 10, 10], 0.9), pr(2, 2, [5, 5, 20, 20], 0.8)]).ap).toBeCloseTo(1, 10);
    expect(cocoMap(g, []).ap).toBe(0);
  });

  it('counts a box by IoU threshold: IoU 0.6 counts at .50, .55 and .60 (>=, as COCO)', () => {
    // Same height, widths overlapping so that IoU = 60/100 = 0.6.
    const g = [gt(1, 1, [0, 0, 10, 10])];
    const r = cocoMap(g, [pr(1, 1, [0, 0, 10, 6], 0.9)]);
    expect(r.ap50).toBeCloseTo(1, 10);
    expect(r.ap75).toBe(0);
    expect(r.ap).toBeCloseTo(3 / 10, 10);
  });

  it('follows the 101-point interpolation for a half-right ranking', () => {
    // Two ground truths; predictions ranked: hit, miss, hit -> precision [1, .5, .667], recall [.5, .5, 1].
    // Monotone precision: [1, .667, .667]; recall points 0..0.5 (51 points) -> 1, 0.51..1 (50 points) -> 2/3.
    const g = [gt(1, 1, [0, 0, 10, 10]), gt(1, 1, [50, 50, 10, 10])];
    const p = [
      pr(1, 1, [0, 0, 10, 10], 0.9),
      pr(1, 1, [100, 100, 5, 5], 0.8),
      pr(1, 1, [50, 50, 10, 10], 0.7),
    ];
    expect(cocoMap(g, p).ap50).toBeCloseTo((51 * 1 + 50 * (2 / 3)) / 101, 10);
  });

  it('ignores crowd regions and matches each ground truth once', () => {
    const g = [gt(1, 1, [0, 0, 10, 10]), gt(1, 1, [100, 100, 50, 50], true)];
    const p = [
      pr(1, 1, [0, 0, 10, 10], 0.9),
      pr(1, 1, [0, 0, 10, 10], 0.85),
      pr(1, 1, [110, 110, 20, 20], 0.8),
    ];
    // Second identical box is a false positive (ground truth already used); the crowd match is ignored.
    // precision [1, .5], recall [1, 1] -> monotone [1, .5] -> AP = 1.
    expect(cocoMap(g, p).ap50).toBeCloseTo(1, 10);
  });
});

describe('mIoU', () => {
  it('computes per-class IoU over accumulated maps, skipping ignored pixels', () => {
    const acc = new MiouAccumulator(255);
    acc.add([0, 0, 1, 1], [0, 1, 1, 255]);
    acc.add([2, 2], [2, 0]);
    const r = acc.result();
    // class 0: inter 1 (px0), union px0, px1(gt0 pred0? no) -> see below
    // pixels: (p0,g0) (p0,g1) (p1,g1) (p2,g2) (p2,g0); ignored: one.
    // class0: inter 1, union {(0,0),(0,1),(2,0)} = 3 -> 1/3; class1: inter 1, union {(0,1),(1,1)} = 2 -> 1/2;
    // class2: inter 1, union {(2,2),(2,0)} = 2 -> 1/2.
    expect(r.perClass[0]).toBeCloseTo(1 / 3, 10);
    expect(r.perClass[1]).toBeCloseTo(1 / 2, 10);
    expect(r.perClass[2]).toBeCloseTo(1 / 2, 10);
    expect(r.miou).toBeCloseTo((1 / 3 + 1 / 2 + 1 / 2) / 3, 10);
    expect(r.pixelAccuracy).toBeCloseTo(3 / 5, 10);
  });
});
