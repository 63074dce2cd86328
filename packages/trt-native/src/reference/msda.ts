import { type HostTensor, InvalidArgumentError, tensor } from '@trtkit/core';
import { expectRank, floatValues } from './values.js';

/**
 * Multi-scale deformable attention forward on the CPU, in float64 (the semantics of Deformable DETR's
 * kernel and of MultiscaleDeformableAttnPlugin_TRT). Returns [N, Lq, M, D] float32.
 *   value [N, S, M, D], spatialShapes [L, 2] (H, W), levelStartIndex [L],
 *   samplingLocations [N, Lq, M, L, P, 2] (x, y in 0..1), attentionWeights [N, Lq, M, L, P].
 */
export function msdaReference(
  value: HostTensor,
  spatialShapes: HostTensor<'int32'>,
  levelStartIndex: HostTensor<'int32'>,
  samplingLocations: HostTensor,
  attentionWeights: HostTensor,
): HostTensor<'float32'> {
  const [n, s, m, d] = expectRank('value', value, 4) as [number, number, number, number];
  const [, lq, , levels, points] = expectRank('samplingLocations', samplingLocations, 6) as number[];
  expectRank('attentionWeights', attentionWeights, 5);
  if (spatialShapes.dims[0] !== levels || levelStartIndex.dims[0] !== levels)
    throw new InvalidArgumentError('spatialShapes and levelStartIndex must have one row per level');
  const v = floatValues('value', value);
  const loc = floatValues('samplingLocations', samplingLocations);
  const aw = floatValues('attentionWeights', attentionWeights);
  const out = new Float32Array(n * lq! * m * d);
  const row = m * d;
  const acc = new Float64Array(d);
  // Reads value[b, pos(h, w), head, :] * weight into acc; zero outside the level.
  const add = (base: number, h: number, w: number, H: number, W: number, weight: number) => {
    if (h < 0 || w < 0 || h >= H || w >= W || weight === 0) return;
    const off = base + (h * W + w) * row;
    for (let c = 0; c < d; c++) acc[c]! += weight * v[off + c]!;
  };
  for (let b = 0; b < n; b++) {
    for (let q = 0; q < lq!; q++) {
      for (let head = 0; head < m; head++) {
        acc.fill(0);
        const pair = (b * lq! + q) * m + head;
        for (let l = 0; l < levels!; l++) {
          const H = spatialShapes.data[2 * l]!;
          const W = spatialShapes.data[2 * l + 1]!;
          const base = (b * s + levelStartIndex.data[l]!) * row + head * d;
          for (let p = 0; p < points!; p++) {
            const i = (pair * levels! + l) * points! + p;
            const hIm = loc[2 * i + 1]! * H - 0.5;
            const wIm = loc[2 * i]! * W - 0.5;
            const a = aw[i]!;
            if (!(hIm > -1 && wIm > -1 && hIm < H && wIm < W)) continue;
            const h0 = Math.floor(hIm);
            const w0 = Math.floor(wIm);
            const lh = hIm - h0;
            const lw = wIm - w0;
            add(base, h0, w0, H, W, a * (1 - lh) * (1 - lw));
            add(base, h0, w0 + 1, H, W, a * (1 - lh) * lw);
            add(base, h0 + 1, w0, H, W, a * lh * (1 - lw));
            add(base, h0 + 1, w0 + 1, H, W, a * lh * lw);
          }
        }
        out.set(acc, pair * d);
      }
    }
  }
  return tensor('float32', [n, lq!, m, d], out);
}
