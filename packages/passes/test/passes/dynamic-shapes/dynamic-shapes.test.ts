import type { Model as PModel } from '@trtkit/core';
import { type HostTensor, tensor } from '@trtkit/core';
import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import { constInts } from '../../../src/pass/graph/index.js';
import { runPass } from '../../../src/pass/index.js';
import { dynamicShapes } from '../../../src/passes/index.js';
import { buildModel, f32, i64, randn } from '../support/build-model.js';
import { runModel, worstRelativeError } from '../support/reference.js';

/** Intermediate shapes as shape inference (the `simplify` pass) records them. */
function recordShapes(model: PModel, dims: Record<string, number[]>): PModel {
  for (const n of model.graph.nodes)
    for (const o of n.outputs)
      if (dims[o.name]) {
        o.dims = dims[o.name] as number[];
        o.dtype = 'float32';
      }
  return model;
}

/** x[2,4,6] -> Reshape[8,6] (batch merged with 4) -> Relu -> Reshape[2,24] (flatten) -> MatMul -> y[2,5]. */
function staticModel(): PModel {
  return buildModel({
    opset: 17,
    inputs: [{ name: 'x', dims: [2, 4, 6] }],
    outputs: [{ name: 'y', dims: [2, 5] }],
    nodes: [
      { op: 'Reshape', inputs: ['x', 's1'], outputs: ['a'] },
      { op: 'Relu', inputs: ['a'], outputs: ['b'] },
      { op: 'Reshape', inputs: ['b', 's2'], outputs: ['c'] },
      { op: 'MatMul', inputs: ['c', 'w'], outputs: ['y'] },
    ],
    consts: { s1: i64([8, 6]), s2: i64([2, 24]), w: f32([24, 5]) },
  });
}

const recorded = { a: [8, 6], b: [8, 6], c: [2, 24] };

const input = (batch: number, seed: number): HostTensor =>
  tensor('float32', [batch, 4, 6], Float32Array.from(randn(batch * 24, seed)));

function slice(t: HostTensor, from: number, to: number): HostTensor {
  const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
  return tensor(
    'float32',
    [to - from, ...t.dims.slice(1)],
    (t.data as Float32Array).slice(from * per, to * per),
  );
}

describe('dynamicShapes', () => {
  it('makes batch symbolic and rewrites baked Reshapes; batch 4 equals two batch-2 runs of the original', async () => {
    const model = recordShapes(staticModel(), recorded);
    const r = await Effect.runPromise(runPass(dynamicShapes, model));
    expect(r.changed).toBe(true);
    expect(r.model.graph.inputs[0]?.dims).toEqual(['batch', 4, 6]);
    expect(r.model.graph.outputs[0]?.dims).toEqual(['batch', 5]);
    const shapes = r.model.graph.nodes
      .filter((n) => n.opType === 'Reshape')
      .map((n) => constInts(r.model.graph, n.inputs[1]));
    expect(shapes).toEqual([
      [-1, 6],
      [-1, 24], // its input carries batch*4, so copying dim 0 would be wrong
    ]);
    expect(r.report.notes[0]).toContain("batch 2 -> 'batch'");
    expect(r.report.counters.reshapesFixed).toBe(2);
    expect(r.report.outputsTouched).toEqual(['y']);

    const x = input(4, 3);
    const whole = await runModel(r.model, { x });
    const first = await runModel(model, { x: slice(x, 0, 2) });
    const second = await runModel(model, { x: slice(x, 2, 4) });
    expect(worstRelativeError({ y: slice(whole.y as HostTensor, 0, 2) }, first)).toBeLessThanOrEqual(1e-6);
    expect(worstRelativeError({ y: slice(whole.y as HostTensor, 2, 4) }, second)).toBeLessThanOrEqual(1e-6);
  });

  it('keeps an unmerged batch with 0 (copy) in a flatten-style Reshape', async () => {
    const model = recordShapes(
      buildModel({
        opset: 17,
        inputs: [{ name: 'x', dims: [2, 4, 6] }],
        outputs: [{ name: 'y', dims: [2, 24] }],
        nodes: [
          { op: 'Relu', inputs: ['x'], outputs: ['a'] },
          { op: 'Reshape', inputs: ['a', 's'], outputs: ['y'] },
        ],
        consts: { s: i64([2, 24]) },
      }),
      { a: [2, 4, 6] },
    );
    const r = await Effect.runPromise(runPass(dynamicShapes, model));
    const reshape = r.model.graph.nodes.find((n) => n.opType === 'Reshape');
    expect(constInts(r.model.graph, reshape?.inputs[1])).toEqual([0, 24]);
    const x = input(3, 5);
    const out = await runModel(r.model, { x });
    expect(out.y?.dims).toEqual([3, 24]);
  });

  it('infers intermediate shapes itself when the file records none', async () => {
    const r = await Effect.runPromise(runPass(dynamicShapes, staticModel()));
    expect(r.report.counters.reshapesFixed).toBe(2);
    const x = input(4, 9);
    const whole = await runModel(r.model, { x });
    expect(whole.y?.dims).toEqual([4, 5]);
  });

  it('says which ops it could not follow the batch through (an op no shape rule covers)', async () => {
    const model = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [2, 4, 6] }],
      outputs: [{ name: 'y', dims: [2, 4, 6] }],
      nodes: [{ op: 'Mystery', domain: 'vendor.ops', inputs: ['x'], outputs: ['y'] }],
    });
    const r = await Effect.runPromise(runPass(dynamicShapes, model));
    expect(r.report.notes.join('\n')).toMatch(/not followed through: Mystery x1/);
  });

  it('reports a Reshape it cannot rewrite instead of guessing (batch split across two axes)', async () => {
    const model = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [2, 6] }],
      outputs: [{ name: 'y', dims: [3, 4] }],
      nodes: [{ op: 'Reshape', inputs: ['x', 's'], outputs: ['y'] }],
      consts: { s: i64([3, 4]) },
    });
    const r = await Effect.runPromise(runPass(dynamicShapes, model));
    expect(r.report.notes.join('\n')).toMatch(/not followed through: Reshape \(batch split\) x1/);
    const reshape = r.model.graph.nodes.find((n) => n.opType === 'Reshape');
    expect(constInts(r.model.graph, reshape?.inputs[1])).toEqual([3, 4]);
  });

  it('does nothing when the batch is already symbolic', async () => {
    const model = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: ['n', 3] }],
      outputs: [{ name: 'y', dims: ['n', 3] }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
    });
    const r = await Effect.runPromise(runPass(dynamicShapes, model));
    expect(r.changed).toBe(false);
  });
});
