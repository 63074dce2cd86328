import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cloneProto,
  decodeModel,
  type HostTensor,
  ModelProtoSchema,
  readTensors,
  tensor,
} from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import { Effect, Layer } from 'effect';
import { describe, expect, it } from 'vitest';
import { VerificationFailed } from '../../src/pass/errors.js';
import {
  bisect,
  compareModels,
  compareTensor,
  compareWithExpected,
  ReferenceBackend,
  randomInputs,
  topoNodes,
  verifyModels,
} from '../../src/verify/index.js';

const trained = join(__dirname, '..', '..', '..', '..', 'fixtures', 'trained');
const backend = new OrtBackend();
const f32 = (xs: number[]) => tensor('float32', [xs.length], new Float32Array(xs));

function fixture(name: string) {
  const model = decodeModel(new Uint8Array(readFileSync(join(trained, `${name}.onnx`))));
  const npz = readTensors(join(trained, `${name}.npz`));
  const pick = (prefix: string) =>
    Object.fromEntries(
      Object.entries(npz)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  return {
    model,
    inputs: pick('input.') as Record<string, HostTensor>,
    outputs: pick('output.') as Record<string, HostTensor>,
  };
}

describe('compareTensor', () => {
  it('applies allclose semantics and reports the statistics', () => {
    const c = compareTensor('y', f32([1, 2, 3]), f32([1, 2.001, 3]), { atol: 0, rtol: 1e-3 });
    expect(c.pass).toBe(true);
    expect(c.maxAbs).toBeCloseTo(0.001, 6);
    expect(c.cosine).toBeCloseTo(1, 6);
    const d = compareTensor('y', f32([1, 2, 3]), f32([1, 2.01, 3]), { atol: 0, rtol: 1e-3 });
    expect(d.pass).toBe(false);
    expect(d.mismatched).toBe(1);
  });
  it('fails loudly on NaN/Inf, all-zero outputs and shape mismatches', () => {
    expect(compareTensor('y', f32([1, 2]), f32([Number.NaN, Infinity])).reason).toMatch(/1 NaN and 1 Inf/);
    const z = compareTensor('y', f32([1e-9, 0.5]), f32([0, 0]), { atol: 1, rtol: 0 });
    expect(z.allZero).toBe(true);
    expect(z.pass).toBe(false);
    expect(compareTensor('y', f32([1, 2]), f32([1, 2, 3])).reason).toMatch(/shape/);
  });
});

describe('against PyTorch outputs saved with the fixtures', () => {
  for (const name of ['detr_original', 'deformable_detr', 'segformer']) {
    it(`${name} on ONNX Runtime matches PyTorch`, async () => {
      const f = fixture(name);
      const r = await compareWithExpected(backend, f.model, f.inputs, f.outputs, { atol: 1e-4, rtol: 1e-3 });
      expect(r.outputs.length).toBeGreaterThan(0);
      for (const o of r.outputs) expect(o.pass, `${o.name}: ${o.reason}`).toBe(true);
    });
  }
});

describe('bisect', () => {
  it('names the node that reads a weight planted with a fault deep in the graph', async () => {
    const f = fixture('segformer');
    const faulty = cloneProto(ModelProtoSchema, f.model);
    const graph = faulty.graph!;
    const order = topoNodes(faulty);
    // A float weight first read by a node about two thirds into the graph.
    const inits = new Map(graph.initializer.map((t) => [t.name, t]));
    const target = order
      .slice(Math.floor(order.length * 0.66))
      .find((n) =>
        n.input.some((i) => inits.get(i)?.dataType === 1 && (inits.get(i)?.rawData.length ?? 0) >= 64),
      )!;
    const weightName = target.input.find((i) => inits.get(i)?.dataType === 1)!;
    const firstReader = order.find((n) => n.input.includes(weightName))!;
    const w = inits.get(weightName)!;
    const raw = new Uint8Array(w.rawData);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < raw.length; i += 4) view.setFloat32(i, view.getFloat32(i, true) * 1.5 + 0.1, true);
    w.rawData = raw;

    const result = await compareModels(backend, f.model, faulty, { inputs: f.inputs, bisect: true });
    expect(result.pass).toBe(false);
    expect(result.bisect?.firstDivergent?.nodeName).toBe(firstReader.name);
    expect(result.bisect?.firstDivergent?.opType).toBe(firstReader.opType);

    const direct = await bisect(backend, f.model, faulty, f.inputs);
    expect(direct.firstDivergent?.nodeName).toBe(firstReader.name);
    expect(direct.compared).toBeGreaterThan(10);
  });

  it('finds nothing when the models agree, and random inputs follow the specs', async () => {
    const f = fixture('detr_original');
    const r = await bisect(backend, f.model, f.model, f.inputs);
    expect(r.firstDivergent?.nodeName).toBeUndefined();
    const ins = randomInputs([{ name: 'x', dtype: 'float32', dims: ['batch', 3, 4] }], {
      seed: 3,
      dims: { batch: 2 },
    });
    expect(ins.x!.dims).toEqual([2, 3, 4]);
    expect(randomInputs([{ name: 'x', dtype: 'float32', dims: [5] }], { seed: 3 }).x!.data).toEqual(
      randomInputs([{ name: 'x', dtype: 'float32', dims: [5] }], { seed: 3 }).x!.data,
    );
  });
});

describe('Effect service', () => {
  it('fails verification with a tagged error naming the divergent node', async () => {
    const f = fixture('detr_original');
    const faulty = cloneProto(ModelProtoSchema, f.model);
    const w = faulty.graph!.initializer.find((t) => t.dataType === 1 && t.rawData.length >= 64)!;
    const raw = new Uint8Array(w.rawData);
    raw.fill(0);
    w.rawData = raw;
    const program = verifyModels(f.model, faulty, { inputs: f.inputs, bisect: true }).pipe(
      Effect.catchTag('VerificationFailed', (e) => Effect.succeed(e)),
    );
    const out = await Effect.runPromise(
      program.pipe(Effect.provide(Layer.succeed(ReferenceBackend, backend))),
    );
    expect(out).toBeInstanceOf(VerificationFailed);
    expect((out as VerificationFailed).message).toMatch(/first divergent node/);
    expect((out as VerificationFailed).firstDivergentNode).toBeTruthy();
  });
});

describe('non-finite values the reference has too', () => {
  it('agree, while new ones fail', () => {
    expect(compareTensor('m', f32([-Infinity, 1]), f32([-Infinity, 1])).pass).toBe(true);
    expect(compareTensor('m', f32([Number.NaN, 1]), f32([Number.NaN, 1])).pass).toBe(true);
    expect(compareTensor('m', f32([-Infinity, 1]), f32([Infinity, 1])).pass).toBe(false);
    expect(compareTensor('m', f32([0, 1]), f32([Number.NaN, 1])).nan).toBe(1);
  });
});
