// The trained fixtures in FP16: runs clean, keeps the heavy ops FP16, and agrees with FP32 at task level.
import { encodeModel, type HostTensor } from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../src/pass/graph/index.js';
import {
  convertMixedPrecision,
  type MixedPrecisionResult,
} from '../../../src/passes/to-mixed-precision/index.js';
import { fixturePath, loadFixture } from '../support/fixtures.js';
import { decodeDetections, keptDetections, pixelAgreement, savedFeeds } from './fixtures.js';

const backend = new OrtBackend({ graphOptimizationLevel: 'disabled' });

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

const finite = (outs: Record<string, HostTensor>[]) =>
  outs.every((o) => Object.values(o).every((t) => Array.from(t.data as Float32Array).every(Number.isFinite)));

async function convertFixture(
  name: string,
): Promise<{ fp32: Model; r: MixedPrecisionResult; eval: Record<string, HostTensor>[] }> {
  const fp32 = loadFixture(`trained/${name}.onnx`);
  const r = await convertMixedPrecision(fp32, {
    fp16: true,
    calibration: { backend, feeds: savedFeeds(name, 2) },
  });
  return { fp32, r, eval: savedFeeds(name, 8) };
}

function commonChecks(fp32: Model, r: MixedPrecisionResult): void {
  expect(r.stats.heavyFp16 / r.stats.heavyNodes).toBeGreaterThanOrEqual(0.9);
  // Strongly typed: I/O keep float32, most weights are float16, and every value has a recorded type.
  const io = (m: Model) => [...m.graph.inputs, ...m.graph.outputs].map((v) => `${v.name}:${v.dtype}`);
  expect(io(r.model)).toEqual(io(fp32));
  const weights = r.model.graph.nodes
    .flatMap((n) => n.inputs)
    .filter((v) => v?.initializer?.dtype === 'float16');
  expect(weights.length).toBeGreaterThan(20);
  expect(r.model.graph.nodes.some((n) => n.outputs.some((o) => o.dtype === 'float16'))).toBe(true);
}

const has = (f: string) => fixturePath(`trained/${f}.onnx`) !== undefined;

describe.each([
  ['detr_original', 'pred_logits', 'softmax'],
  ['deformable_detr', 'logits', 'sigmoid'],
] as const)('%s in FP16', (name, logitsName, kind) => {
  it.runIf(has(name))(
    'runs clean, keeps >= 90% MatMul/Conv/Gemm FP16 and >= 99% of confident detections',
    async () => {
      const { fp32, r, eval: feeds } = await convertFixture(name);
      commonChecks(fp32, r);
      const [ref, half, emu] = [
        await runAll(fp32, feeds),
        await runAll(r.model, feeds),
        await runAll(r.emulated, feeds),
      ];
      expect(finite(half)).toBe(true);
      expect(finite(emu)).toBe(true);
      for (const [cand, tag] of [
        [half, 'fp16'],
        [emu, 'emulated'],
      ] as const) {
        let confident = { kept: 0, total: 0 };
        let top = { kept: 0, total: 0 };
        for (const [i, o] of ref.entries()) {
          const a = decodeDetections(o[logitsName] as HostTensor, o.pred_boxes as HostTensor, kind);
          const b = decodeDetections(
            cand[i]?.[logitsName] as HostTensor,
            cand[i]?.pred_boxes as HostTensor,
            kind,
          );
          const c = keptDetections(
            a.filter((d) => d.score > 0.5),
            b,
          );
          const t = keptDetections([...a].sort((x, y) => y.score - x.score).slice(0, 3), b);
          confident = { kept: confident.kept + c.kept, total: confident.total + c.total };
          top = { kept: top.kept + t.kept, total: top.total + t.total };
        }
        console.log(
          `${name} ${tag}: confident ${confident.kept}/${confident.total}, top-3 ${top.kept}/${top.total}`,
        );
        if (confident.total > 0) expect(confident.kept / confident.total).toBeGreaterThanOrEqual(0.99);
        // These small trained models are rarely confident: the 3 best queries per image are checked too.
        expect(top.kept / top.total).toBeGreaterThanOrEqual(0.99);
      }
    },
    120_000,
  );
});

describe('segformer in FP16', () => {
  it.runIf(has('segformer'))(
    'runs clean, keeps >= 90% MatMul/Conv/Gemm FP16 and >= 99.5% of pixel classes',
    async () => {
      const { fp32, r, eval: feeds } = await convertFixture('segformer');
      commonChecks(fp32, r);
      const [ref, half, emu] = [
        await runAll(fp32, feeds),
        await runAll(r.model, feeds),
        await runAll(r.emulated, feeds),
      ];
      expect(finite(half)).toBe(true);
      expect(finite(emu)).toBe(true);
      for (const [cand, tag] of [
        [half, 'fp16'],
        [emu, 'emulated'],
      ] as const) {
        const agree = ref.map((o, i) =>
          pixelAgreement(o.logits as HostTensor, cand[i]?.logits as HostTensor),
        );
        const mean = agree.reduce((a, b) => a + b, 0) / agree.length;
        console.log(`segformer ${tag}: pixel agreement mean ${mean}, min ${Math.min(...agree)}`);
        expect(Math.min(...agree)).toBeGreaterThanOrEqual(0.995);
      }
    },
    120_000,
  );
});
