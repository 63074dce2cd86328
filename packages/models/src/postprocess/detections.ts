import type { HostTensor } from '@trtkit/core';
import { RecipeOutputError } from '../errors.js';

export interface Detection {
  readonly label: number;
  readonly labelName: string;
  readonly score: number;
  /** Pixels of the original image: x0, y0, x1, y1. */
  readonly box: readonly [number, number, number, number];
}

export interface DetectionDecode {
  /** 'softmax': last class is "no object" (DETR, Conditional DETR uses sigmoid); 'sigmoid-topk': focal-loss heads. */
  readonly scores: 'softmax' | 'sigmoid-topk';
  readonly threshold: number;
  /** Top-k over queries x classes for sigmoid heads (Deformable DETR: 100, RT-DETR: 300). */
  readonly topK?: number;
  readonly labelName: (id: number) => string;
}

function floatData(t: HostTensor, name: string, rank: number): Float32Array {
  if (t.dtype !== 'float32' || t.dims.length !== rank) {
    throw new RecipeOutputError(
      `output '${name}' must be float32 of rank ${rank}, got ${t.dtype}[${t.dims.join(',')}]`,
    );
  }
  return t.data as Float32Array;
}

/** cx, cy, w, h in 0..1 to pixel corners of an image of (height, width). */
export function cxcywhToCorners(
  cx: number,
  cy: number,
  w: number,
  h: number,
  height: number,
  width: number,
): [number, number, number, number] {
  return [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height];
}

/**
 * Decodes a batch of DETR-family outputs (logits [N,Q,C(+1)], boxes [N,Q,4] normalised cxcywh) into detections
 * per image, boxes scaled to each image's original size, sorted by score.
 */
export function decodeDetections(
  logits: HostTensor,
  boxes: HostTensor,
  sizes: readonly (readonly [number, number])[],
  opts: DetectionDecode,
): Detection[][] {
  const l = floatData(logits, 'logits', 3);
  const b = floatData(boxes, 'boxes', 3);
  const [n, q, c] = logits.dims as [number, number, number];
  if (boxes.dims[0] !== n || boxes.dims[1] !== q || boxes.dims[2] !== 4) {
    throw new RecipeOutputError(`boxes must be [${n},${q},4], got [${boxes.dims.join(',')}]`);
  }
  if (sizes.length !== n) throw new RecipeOutputError(`${sizes.length} image sizes for a batch of ${n}`);
  const out: Detection[][] = [];
  for (let i = 0; i < n; i++) {
    const [height, width] = sizes[i]!;
    const found: Detection[] = [];
    const push = (query: number, label: number, score: number) => {
      const o = (i * q + query) * 4;
      found.push({
        label,
        labelName: opts.labelName(label),
        score,
        box: cxcywhToCorners(b[o]!, b[o + 1]!, b[o + 2]!, b[o + 3]!, height, width),
      });
    };
    if (opts.scores === 'softmax') {
      for (let k = 0; k < q; k++) {
        const row = (i * q + k) * c;
        let max = -Infinity;
        for (let j = 0; j < c; j++) max = Math.max(max, l[row + j]!);
        let sum = 0;
        for (let j = 0; j < c; j++) sum += Math.exp(l[row + j]! - max);
        let best = 0;
        for (let j = 1; j < c - 1; j++) if (l[row + j]! > l[row + best]!) best = j;
        const score = Math.exp(l[row + best]! - max) / sum;
        if (score > opts.threshold) push(k, best, score);
      }
    } else {
      const k = Math.min(opts.topK ?? 100, q * c);
      const scored: { idx: number; score: number }[] = [];
      for (let j = 0; j < q * c; j++) scored.push({ idx: j, score: 1 / (1 + Math.exp(-l[i * q * c + j]!)) });
      scored.sort((a, z) => z.score - a.score || a.idx - z.idx);
      for (const { idx, score } of scored.slice(0, k)) {
        if (score > opts.threshold) push(Math.floor(idx / c), idx % c, score);
      }
    }
    out.push(found.sort((a, z) => z.score - a.score));
  }
  return out;
}
