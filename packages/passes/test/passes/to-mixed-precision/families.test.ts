// Every exported fixture family in FP16: runs clean on ONNX Runtime, keeps >= 90 % of MatMul/Conv/Gemm FP16, and
// agrees with FP32 at task level (issue 8, "Done when").
import { encodeModel, type HostTensor, tensor } from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../src/pass/graph/index.js';
import {
  agreement,
  convertMixedPrecision,
  type Fp16Tolerance,
} from '../../../src/passes/to-mixed-precision/index.js';
import { randn } from '../support/build-model.js';
import { fixturePath, loadFixture, ORT_REFUSES } from '../support/fixtures.js';
import {
  type Detection,
  decodeDetections,
  iouCxcywh,
  keptDetections,
  npzFeeds,
  pixelAgreement,
} from './fixtures.js';

const backend = new OrtBackend({ graphOptimizationLevel: 'disabled' });

type Kind = 'softmax' | 'sigmoid' | 'segmentation';

// One export per family: the TorchScript opset-17 static export, except Deformable DETR, whose static export
// ONNX Runtime refuses (GridSample(16) over float64 grids); its dynamic-batch export runs.
const FAMILIES: readonly (readonly [family: string, variant: string, kind: Kind])[] = [
  ['detr', 'ts_op17', 'softmax'],
  ['detr_original', 'ts_op17', 'softmax'],
  ['conditional_detr', 'ts_op17', 'sigmoid'],
  ['deformable_detr', 'ts_op17_dynbatch', 'sigmoid'],
  ['deformable_detr_refine_two_stage', 'ts_op17_dynbatch', 'sigmoid'],
  ['rt_detr', 'ts_op17', 'sigmoid'],
  ['segformer', 'ts_op17', 'segmentation'],
];

/**
 * Confident detections. These random-weight fixtures are never confident in the usual sense (no threshold holds
 * across families: best scores range from 0.25 to 0.84), so "confident" here is each image's TOP_K best queries by
 * score (softmax without the no-object class for DETR, sigmoid otherwise). A confident FP32 detection is kept when
 * some FP16 query has the same label and IoU >= 0.9 (the issue's criterion); the stricter same-query count is
 * printed too.
 */
const TOP_K = 3;

const logitsOf = (o: Record<string, HostTensor>) => (o.logits ?? o.pred_logits) as HostTensor;

function confident(o: Record<string, HostTensor>, kind: 'softmax' | 'sigmoid'): [Detection[], number[]] {
  const all = decodeDetections(logitsOf(o), o.pred_boxes as HostTensor, kind);
  const top = all
    .map((d, q) => [d.score, q] as const)
    .sort((x, y) => y[0] - x[0])
    .slice(0, TOP_K)
    .map((t) => t[1]);
  return [all, top];
}

/**
 * The pass's own verification at task level (the issue's rule for detection recipes): every confident FP32
 * detection of a calibration image kept. Models that pick their queries with TopK (two-stage query selection)
 * are judged by it alone: near-tied anchor scores may swap places, which reorders the output tensors while the
 * detections agree.
 */
function detectionTolerance(kind: 'softmax' | 'sigmoid', ranked: boolean): Fp16Tolerance {
  return {
    check: (a, b) => {
      const [ref, top] = confident(a, kind);
      const got = decodeDetections(logitsOf(b), b.pred_boxes as HostTensor, kind);
      const k = keptDetections(
        top.map((q) => ref[q] as Detection),
        got,
      );
      return k.kept === k.total || `${k.total - k.kept} of ${k.total} confident detections lost`;
    },
    taskOnly: ranked,
  };
}

/**
 * Inputs: the saved image of the fixture and seeded images around it (saved + noise of std ~0.3 in normalised
 * pixel units, so they stay image-like). Calibration and evaluation use different seeds.
 */
function feedsFor(npz: string, seeds: readonly number[]): Record<string, HostTensor>[] {
  const saved = npzFeeds(npz, 1)[0];
  if (!saved) return [];
  const x = saved.pixel_values as HostTensor;
  const base = x.data as Float32Array;
  const out: Record<string, HostTensor>[] = [];
  for (const s of seeds) {
    if (s === 0) {
      out.push(saved);
      continue;
    }
    const noise = randn(base.length, s);
    const d = Float32Array.from(base, (v, i) => v + 0.5 * (noise[i] as number));
    out.push({ pixel_values: tensor('float32', [...x.dims], d) });
  }
  return out;
}

async function runAll(m: Model, feeds: Record<string, HostTensor>[]): Promise<Record<string, HostTensor>[]> {
  const e = await backend.build(encodeModel(m.toProto()));
  try {
    const out: Record<string, HostTensor>[] = [];
    for (const f of feeds) out.push(await e.run(f));
    return out;
  } finally {
    await e.dispose();
  }
}

const allFinite = (outs: Record<string, HostTensor>[]) =>
  outs.every((o) => Object.values(o).every((t) => Array.from(t.data as Float32Array).every(Number.isFinite)));

/**
 * Per-query agreement (stricter than matching any candidate query): query i of the FP16 output must carry the same
 * label as query i of FP32 and a box with IoU >= 0.9.
 */
function sameQuery(ref: Detection[], got: Detection[], queries: readonly number[]): number {
  let kept = 0;
  for (const q of queries) {
    const a = ref[q] as Detection;
    const b = got[q];
    if (b && a.label === b.label && iouCxcywh(a.box, b.box) >= 0.9) kept++;
  }
  return kept;
}

const has = (family: string, variant: string) =>
  fixturePath(`${family}/${variant}.onnx`) !== undefined && !ORT_REFUSES.has(`${family}/${variant}.onnx`);

describe.each(FAMILIES)('%s/%s in FP16', (family, variant, kind) => {
  it.runIf(has(family, variant))(
    kind === 'segmentation'
      ? 'runs clean, >= 90% MatMul/Conv/Gemm FP16, >= 99.5% of pixel classes kept'
      : `runs clean, >= 90% MatMul/Conv/Gemm FP16, >= 99% of confident (top-${TOP_K}) detections kept`,
    async () => {
      const fp32 = loadFixture(`${family}/${variant}.onnx`);
      const ranked = fp32.graph.nodes.some((n) => n.opType === 'TopK');
      const npz = `${family}/${variant}.npz`;
      const t0 = performance.now();
      const r = await convertMixedPrecision(fp32, {
        fp16: true,
        calibration: {
          backend,
          feeds: feedsFor(npz, [0, 101]),
          ...(kind === 'segmentation' ? {} : { tolerance: detectionTolerance(kind, ranked) }),
        },
      });
      const ms = performance.now() - t0;
      const feeds = feedsFor(npz, [0, 201, 202, 203]);
      const [ref, half, emu] = [
        await runAll(fp32, feeds),
        await runAll(r.model, feeds),
        await runAll(r.emulated, feeds),
      ];
      const share = r.stats.heavyNodes === 0 ? 1 : r.stats.heavyFp16 / r.stats.heavyNodes;
      const lines = [
        `${family}/${variant}: convert ${ms.toFixed(0)} ms, rounds ${r.iterations}, heavy FP16 ${r.stats.heavyFp16}/${r.stats.heavyNodes}, float nodes FP16 ${r.stats.fp16Nodes}/${r.stats.floatNodes}`,
        `  islands: ${r.islands.map((i) => `${i.reason} (${i.nodes.length})`).join('; ')}`,
      ];
      expect(allFinite(half)).toBe(true);
      expect(allFinite(emu)).toBe(true);
      expect(share).toBeGreaterThanOrEqual(0.9);
      for (const [cand, tag] of [
        [half, 'fp16'],
        [emu, 'emulated'],
      ] as const) {
        const rel = Object.keys(ref[0] ?? {}).map((name) => {
          const worst = Math.max(
            ...ref.map(
              (o, i) => agreement(name, o[name] as HostTensor, cand[i]?.[name] as HostTensor).maxRel,
            ),
          );
          return `${name} ${worst.toExponential(2)}`;
        });
        if (kind === 'segmentation') {
          const agree = ref.map((o, i) =>
            pixelAgreement(o.logits as HostTensor, cand[i]?.logits as HostTensor),
          );
          lines.push(`  ${tag}: max rel ${rel.join(', ')}; pixels kept min ${Math.min(...agree)}`);
          expect(Math.min(...agree)).toBeGreaterThanOrEqual(0.995);
        } else {
          let kept = 0;
          let sameQ = 0;
          let total = 0;
          let minScore = 1;
          for (const [i, o] of ref.entries()) {
            const [a, top] = confident(o, kind);
            const b = decodeDetections(logitsOf(cand[i] ?? {}), cand[i]?.pred_boxes as HostTensor, kind);
            minScore = Math.min(minScore, ...top.map((q) => (a[q] as Detection).score));
            kept += keptDetections(
              top.map((q) => a[q] as Detection),
              b,
            ).kept;
            sameQ += sameQuery(a, b, top);
            total += top.length;
          }
          lines.push(
            `  ${tag}: max rel ${rel.join(', ')}; top-${TOP_K} detections kept ${kept}/${total}, same query ${sameQ}/${total} (lowest score ${minScore.toFixed(3)})`,
          );
          expect(total).toBeGreaterThan(0);
          expect(kept / total).toBeGreaterThanOrEqual(0.99);
          // Without a top-k query selection the query order is fixed by the weights: hold each query to itself.
          if (!ranked) expect(sameQ / total).toBeGreaterThanOrEqual(0.99);
        }
      }
      console.log(lines.join('\n'));
    },
    60_000,
  );
});
