import { encodeModel, type HostTensor } from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import { it } from 'vitest';
import type { Model } from '../../../src/pass/graph/index.js';
import { agreement, convertMixedPrecision } from '../../../src/passes/to-mixed-precision/index.js';
import { loadFixture } from '../support/fixtures.js';
import { decodeDetections, keptDetections, pixelAgreement, savedFeeds } from './fixtures.js';

const backend = new OrtBackend({ graphOptimizationLevel: 'disabled' });
async function runAll(m: Model, feeds: Record<string, HostTensor>[]) {
  const e = await backend.build(encodeModel(m.toProto()));
  const out: Record<string, HostTensor>[] = [];
  for (const f of feeds) out.push(await e.run(f));
  await e.dispose();
  return out;
}
// Measurement for docs/benchmarks/fp16.md, not a test: runs only when asked.
//   TRTKIT_FP16_MEASURE=calibrated npx vitest run packages/passes/test/passes/to-mixed-precision/measure.test.ts
//   TRTKIT_FP16_MEASURE=all-fp16   ... (every float node FP16: the ablation)
const MODE = process.env.TRTKIT_FP16_MEASURE;
it.runIf(MODE !== undefined)(
  'measure FP16 agreement on the trained fixtures',
  async () => {
    for (const [name, ln, kind] of [
      ['detr_original', 'pred_logits', 'softmax'],
      ['deformable_detr', 'logits', 'sigmoid'],
      ['segformer', 'logits', ''],
    ] as const) {
      const fp32 = loadFixture(`trained/${name}.onnx`);
      const t0 = performance.now();
      const r = await convertMixedPrecision(
        fp32,
        MODE === 'all-fp16'
          ? { fp16: true, forceFp16: [() => true] }
          : { fp16: true, calibration: { backend, feeds: savedFeeds(name, 2) } },
      );
      const ms = performance.now() - t0;
      const feeds = savedFeeds(name, 8);
      const [ref, half, emu] = [
        await runAll(fp32, feeds),
        await runAll(r.model, feeds),
        await runAll(r.emulated, feeds),
      ];
      const lines: string[] = [
        `## ${name}`,
        `convert ${ms.toFixed(0)} ms, iterations ${r.iterations}`,
        JSON.stringify(r.stats),
        `bytes fp32 ${encodeModel(fp32.toProto()).length} fp16 ${encodeModel(r.model.toProto()).length}`,
      ];
      for (const [tag, c] of [
        ['fp16', half],
        ['emu', emu],
      ] as const) {
        for (const out of Object.keys(ref[0] ?? {})) {
          let maxAbs = 0,
            maxRel = 0,
            cos = 1,
            nf = 0;
          for (const [i, o] of ref.entries()) {
            const a = agreement(out, o[out] as HostTensor, c[i]?.[out] as HostTensor);
            maxAbs = Math.max(maxAbs, a.maxAbs);
            maxRel = Math.max(maxRel, a.maxRel);
            cos = Math.min(cos, a.cosine);
            nf += a.nonFinite;
          }
          lines.push(
            `${tag} ${out}: maxAbs ${maxAbs.toExponential(2)} maxRel ${maxRel.toExponential(2)} minCos ${cos.toFixed(7)} nonFinite ${nf}`,
          );
        }
        if (kind) {
          let conf = [0, 0],
            top = [0, 0],
            maxScore = 0,
            c3 = [0, 0];
          for (const [i, o] of ref.entries()) {
            const a = decodeDetections(o[ln] as HostTensor, o.pred_boxes as HostTensor, kind);
            const b = decodeDetections(c[i]?.[ln] as HostTensor, c[i]?.pred_boxes as HostTensor, kind);
            maxScore = Math.max(maxScore, ...a.map((d) => d.score));
            const x = keptDetections(
              a.filter((d) => d.score > 0.5),
              b,
            );
            conf = [conf[0]! + x.kept, conf[1]! + x.total];
            const z = keptDetections(
              a.filter((d) => d.score > 0.3),
              b,
            );
            c3 = [c3[0]! + z.kept, c3[1]! + z.total];
            const y = keptDetections([...a].sort((p, q) => q.score - p.score).slice(0, 3), b);
            top = [top[0]! + y.kept, top[1]! + y.total];
          }
          lines.push(
            `${tag} det: conf>0.5 ${conf[0]}/${conf[1]} conf>0.3 ${c3[0]}/${c3[1]} top3 ${top[0]}/${top[1]} max ref score ${maxScore.toFixed(3)}`,
          );
        } else {
          const ag = ref.map((o, i) => pixelAgreement(o.logits as HostTensor, c[i]?.logits as HostTensor));
          lines.push(
            `${tag} pixels: min ${Math.min(...ag)} mean ${ag.reduce((p, q) => p + q, 0) / ag.length}`,
          );
        }
      }
      for (const i of r.islands) lines.push(`  island ${i.nodes.length}: ${i.reason}`);
      console.log(lines.join('\n'));
    }
  },
  600000,
);
