import { type HostTensor, tensor } from '@trtkit/core';
import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import { PassManager } from '../../../src/pass/index.js';
import { dynamicShapes, fuseDeformableAttention, makeSimplifyPass } from '../../../src/passes/index.js';
import { randn } from '../support/build-model.js';
import { listFixtures, loadFixture } from '../support/fixtures.js';
import { runModel, worstRelativeError } from '../support/reference.js';

function rows(t: HostTensor, from: number, to: number): HostTensor {
  const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
  return tensor(
    'float32',
    [to - from, ...t.dims.slice(1)],
    (t.data as Float32Array).slice(from * per, to * per),
  );
}

// SegFormer (the field report's failure) and DETR: freeze them at batch 1 the way a static export is (shapes
// inferred, shape arithmetic folded into constant Reshape/Resize sizes), then ask dynamicShapes for the batch back.
const models = listFixtures(/^trained\/(segformer|detr_original)/);

describe.skipIf(models.length === 0)('dynamicShapes on static exports', () => {
  it.each(models)('%s: batch 2 equals two batch-1 runs of the original', async (rel) => {
    const original = loadFixture(rel);
    const input = original.graph.inputs[0]?.name as string;
    const frozen = await Effect.runPromise(
      new PassManager().add(makeSimplifyPass({ inputShapes: { [input]: [1, 3, 128, 128] } })).run(original),
    );
    const r = await Effect.runPromise(new PassManager().add(dynamicShapes).run(frozen.model));
    const report = r.reports[0];
    expect(report?.counters.reshapesFixed).toBeGreaterThan(0);
    expect(report?.notes.join('\n')).not.toMatch(/not followed/);
    expect(r.model.graph.inputs[0]?.dims?.[0]).toBe('batch');

    const x = tensor('float32', [2, 3, 128, 128], Float32Array.from(randn(2 * 3 * 128 * 128, 11)));
    const both = await runModel(r.model, { [input]: x });
    for (const i of [0, 1]) {
      const one = await runModel(original, { [input]: rows(x, i, i + 1) });
      const mine = Object.fromEntries(Object.entries(both).map(([k, v]) => [k, rows(v, i, i + 1)]));
      expect(worstRelativeError(mine, one)).toBeLessThanOrEqual(1e-5);
    }
  });
});

// Every static-batch export of the zoo (both exporters, opsets 14 to 18), as the exporters wrote them. Exports with
// a decomposed deformable attention are fused first (ONNX Runtime refuses some of them unfused; TensorRT wants the
// plugin anyway). The rewritten model at batch 2 must give, per image, what the original gives at batch 1.
const zoo = [
  ...listFixtures(/^[a-z_]+\/(ts_op1[47]|dynamo_op18)\.onnx$/),
  ...listFixtures(/^(deformable_detr[a-z_]*)\/ts_op17\.onnx$/, { includeRefused: true }),
];

describe.skipIf(zoo.length === 0)('dynamicShapes on the static exports of every family', () => {
  it.each(zoo)('%s: batch 2 equals two batch-1 runs', async (rel) => {
    let original = loadFixture(rel);
    if (original.graph.nodes.some((n) => n.opType === 'GridSample'))
      original = (await Effect.runPromise(new PassManager().add(fuseDeformableAttention).run(original)))
        .model;
    const inputValue = original.graph.inputs[0];
    const input = inputValue?.name as string;
    const dims = inputValue?.dims as number[];
    expect(dims[0]).toBe(1);
    const r = await Effect.runPromise(new PassManager().add(dynamicShapes).run(original));
    const report = r.reports[0];
    expect(report?.notes.join('\n')).not.toMatch(/not followed/);
    expect(r.model.graph.inputs[0]?.dims?.[0]).toBe('batch');
    const per = dims.slice(1).reduce((a, b) => a * b, 1);
    const x = tensor('float32', [2, ...dims.slice(1)], Float32Array.from(randn(2 * per, 5)));
    const both = await runModel(r.model, { [input]: x });
    for (const i of [0, 1]) {
      const one = await runModel(original, { [input]: rows(x, i, i + 1) });
      const mine = Object.fromEntries(Object.entries(both).map(([k, v]) => [k, rows(v, i, i + 1)]));
      expect(worstRelativeError(mine, one)).toBeLessThanOrEqual(1e-5);
    }
  });
});
