import { type HostTensor, InvalidArgumentError, tensor } from '@trtkit/core';
import { bilinearSource } from './bilinear.js';
import { expectRank, floatValues } from './values.js';

export interface Detections {
  /** [N, K] */
  readonly scores: HostTensor<'float32'>;
  /** [N, K] */
  readonly labels: HostTensor<'int32'>;
  /** [N, K, 4] (x0, y0, x1, y1) in pixels */
  readonly boxes: HostTensor<'float32'>;
}

/** cxcywh (0..1) -> xyxy in pixels of an H x W image. */
export function boxToPixels(b: ArrayLike<number>, at: number, height: number, width: number): number[] {
  const cx = b[at]!;
  const cy = b[at + 1]!;
  const w = b[at + 2]!;
  const h = b[at + 3]!;
  return [(cx - 0.5 * w) * width, (cy - 0.5 * h) * height, (cx + 0.5 * w) * width, (cy + 0.5 * h) * height];
}

function sizesOf(imageSizes: HostTensor<'int32'>, n: number): Int32Array {
  if (imageSizes.dims.length !== 2 || imageSizes.dims[0] !== n || imageSizes.dims[1] !== 2)
    throw new InvalidArgumentError(`imageSizes must be [${n}, 2] (H, W)`);
  return imageSizes.data;
}

/** DETR: softmax over C+1 classes, last dropped, best class per query (first maximum wins). */
export function detrDecodeSoftmaxReference(
  logits: HostTensor,
  boxes: HostTensor,
  imageSizes: HostTensor<'int32'>,
): Detections {
  const [n, q, cp1] = expectRank('logits', logits, 3) as [number, number, number];
  const l = floatValues('logits', logits);
  const bx = floatValues('boxes', boxes);
  const sz = sizesOf(imageSizes, n);
  const scores = new Float32Array(n * q);
  const labels = new Int32Array(n * q);
  const out = new Float32Array(n * q * 4);
  for (let i = 0; i < n * q; i++) {
    const o = i * cp1;
    let mx = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < cp1; c++) mx = Math.max(mx, l[o + c]!);
    let sum = 0;
    for (let c = 0; c < cp1; c++) sum += Math.exp(l[o + c]! - mx);
    let best = 0;
    for (let c = 1; c < cp1 - 1; c++) if (l[o + c]! > l[o + best]!) best = c;
    scores[i] = Math.exp(l[o + best]! - mx) / sum;
    labels[i] = best;
    const img = Math.floor(i / q);
    out.set(boxToPixels(bx, i * 4, sz[2 * img]!, sz[2 * img + 1]!), i * 4);
  }
  return {
    scores: tensor('float32', [n, q], scores),
    labels: tensor('int32', [n, q], labels),
    boxes: tensor('float32', [n, q, 4], out),
  };
}

/** Sigmoid + top k over queries x classes; ordered by score, ties by lower flat index. */
export function detrDecodeSigmoidTopKReference(
  logits: HostTensor,
  boxes: HostTensor,
  imageSizes: HostTensor<'int32'>,
  k: number,
): Detections {
  const [n, q, c] = expectRank('logits', logits, 3) as [number, number, number];
  if (!Number.isInteger(k) || k < 1 || k > q * c) throw new InvalidArgumentError(`k must be in 1..${q * c}`);
  const l = floatValues('logits', logits);
  const bx = floatValues('boxes', boxes);
  const sz = sizesOf(imageSizes, n);
  const scores = new Float32Array(n * k);
  const labels = new Int32Array(n * k);
  const out = new Float32Array(n * k * 4);
  for (let b = 0; b < n; b++) {
    const base = b * q * c;
    const order = Array.from({ length: q * c }, (_, i) => i);
    order.sort((i, j) => l[base + j]! - l[base + i]! || i - j);
    for (let r = 0; r < k; r++) {
      const idx = order[r]!;
      const query = Math.floor(idx / c);
      scores[b * k + r] = 1 / (1 + Math.exp(-l[base + idx]!));
      labels[b * k + r] = idx % c;
      out.set(boxToPixels(bx, (b * q + query) * 4, sz[2 * b]!, sz[2 * b + 1]!), (b * k + r) * 4);
    }
  }
  return {
    scores: tensor('float32', [n, k], scores),
    labels: tensor('int32', [n, k], labels),
    boxes: tensor('float32', [n, k, 4], out),
  };
}

/** SegFormer: bilinear upsample (align_corners=False) of [N, C, h, w] to [H, W], argmax over C -> int32. */
export function upsampleArgmaxReference(
  logits: HostTensor,
  size: readonly [number, number],
): HostTensor<'int32'> {
  const [n, c, h, w] = expectRank('logits', logits, 4) as [number, number, number, number];
  const [outH, outW] = size;
  const l = floatValues('logits', logits);
  const out = new Int32Array(n * outH * outW);
  const plane = h * w;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < outH; y++) {
      const sy = bilinearSource(y, h, outH);
      for (let x = 0; x < outW; x++) {
        const sx = bilinearSource(x, w, outW);
        let best = Number.NEGATIVE_INFINITY;
        let bestC = 0;
        for (let k = 0; k < c; k++) {
          const p = (b * c + k) * plane;
          const v =
            (1 - sy.lambda) *
              ((1 - sx.lambda) * l[p + sy.i0 * w + sx.i0]! + sx.lambda * l[p + sy.i0 * w + sx.i1]!) +
            sy.lambda * ((1 - sx.lambda) * l[p + sy.i1 * w + sx.i0]! + sx.lambda * l[p + sy.i1 * w + sx.i1]!);
          if (v > best) {
            best = v;
            bestC = k;
          }
        }
        out[(b * outH + y) * outW + x] = bestC;
      }
    }
  }
  return tensor('int32', [n, outH, outW], out);
}
