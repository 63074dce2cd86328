import { float32ToFloat16Array, tensor } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import {
  detrDecodeSigmoidTopKReference,
  detrDecodeSoftmaxReference,
  upsampleArgmaxReference,
} from '../src/index.js';

const sizes = tensor('int32', [1, 2], Int32Array.from([100, 200])); // H = 100, W = 200

describe('detrDecodeSoftmaxReference', () => {
  it('drops the no-object class and scales cxcywh to pixel xyxy', () => {
    // Query 0: logits (0, ln 2, 0 | no-object 0) -> softmax (1, 2, 1, 1) / 5: class 1, score 0.4.
    // Query 1: no-object dominates (ln 8): best real class 0 with 1 / (1 + 1 + 1 + 8).
    const logits = tensor('float32', [1, 2, 4], Float32Array.from([0, Math.LN2, 0, 0, 0, 0, 0, Math.log(8)]));
    const boxes = tensor('float32', [1, 2, 4], Float32Array.from([0.5, 0.5, 0.2, 0.4, 0.1, 0.1, 0.2, 0.2]));
    const d = detrDecodeSoftmaxReference(logits, boxes, sizes);
    expect(Array.from(d.labels.data)).toEqual([1, 0]);
    expect(d.scores.data[0]).toBeCloseTo(0.4, 6);
    expect(d.scores.data[1]).toBeCloseTo(1 / 11, 6);
    expect(Array.from(d.boxes.data.slice(0, 4)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([
      80, 30, 120, 70,
    ]);
    expect(Array.from(d.boxes.data.slice(4)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([0, 0, 40, 20]);
  });
});

describe('detrDecodeSigmoidTopKReference', () => {
  it('takes the k best over queries x classes, ties by lower index', () => {
    // 2 queries x 3 classes: flat logits [1, 5, -1, 5, 3, 0] -> order 1, 3 (tie, lower first), 4.
    const logits = tensor('float32', [1, 2, 3], Float32Array.from([1, 5, -1, 5, 3, 0]));
    const boxes = tensor('float32', [1, 2, 4], Float32Array.from([0.5, 0.5, 1, 1, 0.25, 0.75, 0.5, 0.5]));
    const d = detrDecodeSigmoidTopKReference(logits, boxes, sizes, 3);
    expect(Array.from(d.labels.data)).toEqual([1, 0, 1]);
    expect(d.scores.data[0]).toBeCloseTo(1 / (1 + Math.exp(-5)), 6);
    expect(d.scores.data[2]).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
    // Ranks 1 and 2 come from query 1: cx 0.25, cy 0.75, w = h = 0.5 -> (0, 50, 100, 100).
    expect(Array.from(d.boxes.data.slice(0, 4))).toEqual([0, 0, 200, 100]);
    expect(Array.from(d.boxes.data.slice(4, 8))).toEqual([0, 50, 100, 100]);
  });
});

describe('upsampleArgmaxReference', () => {
  it('argmaxes the interpolated logits', () => {
    // 2 classes on a 1x2 map: class 0 = (1, 0), class 1 = (0, 1); at 1x4 the crossing falls in the middle.
    const logits = tensor('float32', [1, 2, 1, 2], Float32Array.from([1, 0, 0, 1]));
    expect(Array.from(upsampleArgmaxReference(logits, [1, 4]).data)).toEqual([0, 0, 1, 1]);
  });

  it('keeps the first class on exact ties and reads float16', () => {
    const logits = tensor('float16', [1, 3, 1, 1], float32ToFloat16Array([2, 2, 1]));
    expect(Array.from(upsampleArgmaxReference(logits, [2, 2]).data)).toEqual([0, 0, 0, 0]);
  });
});
