// The verification's judgement: tensor bounds, task-level checks, and task-only judging for ranked outputs.
import { tensor } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import { judge } from '../../../src/passes/to-mixed-precision/compare.js';

// Two queries' boxes, and the same boxes with the queries swapped (what a top-k selection does on a near-tie).
const boxes = tensor('float32', [1, 2, 4], Float32Array.from([0.2, 0.2, 0.1, 0.1, 0.7, 0.6, 0.2, 0.3]));
const swapped = tensor('float32', [1, 2, 4], Float32Array.from([0.7, 0.6, 0.2, 0.3, 0.2, 0.2, 0.1, 0.1]));
const withNaN = tensor(
  'float32',
  [1, 2, 4],
  Float32Array.from([0.7, 0.6, 0.2, 0.3, 0.2, Number.NaN, 0.1, 0.1]),
);
// A set comparison: every reference box appears somewhere in the candidate.
const sameSet = (a: Record<string, { data: unknown }>, b: Record<string, { data: unknown }>) => {
  const rows = (t: { data: unknown }) => {
    const d = Array.from(t.data as Float32Array);
    return [d.slice(0, 4).join(), d.slice(4).join()];
  };
  const got = new Set(rows(b.pred_boxes as { data: unknown }));
  return rows(a.pred_boxes as { data: unknown }).every((r) => got.has(r)) || 'a box is missing';
};

describe('judge', () => {
  it('fails permuted outputs on tensor bounds, even when the task-level check passes', () => {
    const j = judge({ pred_boxes: boxes }, { pred_boxes: swapped }, { check: sameSet });
    expect(j.failure).toMatch(/pred_boxes.*cosine/);
  });

  it('with taskOnly, judges by the check alone', () => {
    expect(
      judge({ pred_boxes: boxes }, { pred_boxes: swapped }, { check: sameSet, taskOnly: true }).failure,
    ).toBe(undefined);
    const moved = tensor('float32', [1, 2, 4], Float32Array.from([0.2, 0.2, 0.1, 0.1, 0.7, 0.6, 0.2, 0.5]));
    expect(
      judge({ pred_boxes: boxes }, { pred_boxes: moved }, { check: sameSet, taskOnly: true }).failure,
    ).toMatch(/missing/);
  });

  it('with taskOnly, NaN/Inf still fail', () => {
    const j = judge({ pred_boxes: boxes }, { pred_boxes: withNaN }, { check: () => true, taskOnly: true });
    expect(j.failure).toMatch(/NaN\/Inf/);
  });
});
