// Trained fixtures: models, their saved inputs, and small task-level decoders for agreement checks.
import { type HostTensor, tensor } from '@trtkit/core';
import { fixturePath } from '../support/fixtures.js';
import { readNpz } from './npz.js';

/** The first `n` saved images of a trained fixture as separate batch-1 feeds. */
export function savedFeeds(name: string, n: number): Record<string, HostTensor>[] {
  return npzFeeds(`trained/${name}.npz`, n);
}

/** The first `n` images of `input.pixel_values` in a fixture's .npz (path under fixtures/), as batch-1 feeds. */
export function npzFeeds(rel: string, n: number): Record<string, HostTensor>[] {
  const p = fixturePath(rel);
  if (!p) return [];
  const x = readNpz(p).get('input.pixel_values');
  if (!x) return [];
  const [, c, h, w] = x.shape as [number, number, number, number];
  const size = c * h * w;
  const out: Record<string, HostTensor>[] = [];
  for (let i = 0; i < Math.min(n, x.shape[0] as number); i++)
    out.push({
      pixel_values: tensor('float32', [1, c, h, w], (x.data as Float32Array).slice(i * size, (i + 1) * size)),
    });
  return out;
}

export interface Detection {
  readonly label: number;
  readonly score: number;
  readonly box: readonly [number, number, number, number]; // cx, cy, w, h
}

/**
 * Detections of one image: `softmax` (DETR: last class is "no object") or `sigmoid` (Deformable DETR) scores,
 * best label per query.
 */
export function decodeDetections(
  logits: HostTensor,
  boxes: HostTensor,
  kind: 'softmax' | 'sigmoid',
): Detection[] {
  const [, q, c] = logits.dims as [number, number, number];
  const l = logits.data as Float32Array;
  const b = boxes.data as Float32Array;
  const out: Detection[] = [];
  for (let i = 0; i < q; i++) {
    const row = l.subarray(i * c, (i + 1) * c);
    let best = -1;
    let score = -1;
    if (kind === 'softmax') {
      const m = Math.max(...row);
      const e = Array.from(row, (v) => Math.exp(v - m));
      const s = e.reduce((a, v) => a + v, 0);
      for (let k = 0; k < c - 1; k++)
        if ((e[k] as number) / s > score) [best, score] = [k, (e[k] as number) / s];
    } else {
      for (let k = 0; k < c; k++) {
        const p = 1 / (1 + Math.exp(-(row[k] as number)));
        if (p > score) [best, score] = [k, p];
      }
    }
    out.push({
      label: best,
      score,
      box: [b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]] as [number, number, number, number],
    });
  }
  return out;
}

export function iouCxcywh(a: readonly number[], b: readonly number[]): number {
  const [ax, ay, aw, ah] = a as [number, number, number, number];
  const [bx, by, bw, bh] = b as [number, number, number, number];
  const ix = Math.max(0, Math.min(ax + aw / 2, bx + bw / 2) - Math.max(ax - aw / 2, bx - bw / 2));
  const iy = Math.max(0, Math.min(ay + ah / 2, by + bh / 2) - Math.max(ay - ah / 2, by - bh / 2));
  const inter = ix * iy;
  const union = aw * ah + bw * bh - inter;
  return union <= 0 ? 0 : inter / union;
}

/** Reference detections kept by the candidate: some candidate query with the same label and IoU >= minIou. */
export function keptDetections(
  ref: Detection[],
  got: Detection[],
  minIou = 0.9,
): { kept: number; total: number } {
  let kept = 0;
  for (const r of ref) if (got.some((g) => g.label === r.label && iouCxcywh(r.box, g.box) >= minIou)) kept++;
  return { kept, total: ref.length };
}

/** Share of pixels whose argmax class agrees between two [1, C, H, W] logit maps. */
export function pixelAgreement(a: HostTensor, b: HostTensor): number {
  const [, c, h, w] = a.dims as [number, number, number, number];
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  const hw = h * w;
  let same = 0;
  for (let p = 0; p < hw; p++) {
    let ka = 0;
    let kb = 0;
    for (let k = 1; k < c; k++) {
      if ((x[k * hw + p] as number) > (x[ka * hw + p] as number)) ka = k;
      if ((y[k * hw + p] as number) > (y[kb * hw + p] as number)) kb = k;
    }
    if (ka === kb) same++;
  }
  return same / hw;
}
