import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import { constInts, dtypeOf } from '../../../src/pass/graph/index.js';
import { runPass } from '../../../src/pass/index.js';
import { sanitize } from '../../../src/passes/index.js';
import { buildModel, i64 } from '../support/build-model.js';
import { compareModels, opCount } from '../support/reference.js';

describe('sanitize', () => {
  it('computes a float64 region between casts in float32', async () => {
    const model = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [2, 8] }],
      outputs: [{ name: 'y', dims: [2, 8] }],
      nodes: [
        { op: 'Cast', inputs: ['x'], outputs: ['xd'], attrs: { to: 11 } },
        { op: 'Mul', inputs: ['xd', 'scale'], outputs: ['m'] },
        { op: 'Sin', inputs: ['m'], outputs: ['s'] },
        { op: 'Cast', inputs: ['s'], outputs: ['y'], attrs: { to: 1 } },
      ],
      consts: { scale: { dtype: 'float64', dims: [], data: [3.0] } },
    });
    model.graph.nodes.forEach((n) => {
      for (const o of n.outputs) if (o.name !== 'y') o.dtype = 'float64';
    });
    const r = await Effect.runPromise(runPass(sanitize, model));
    expect(r.report.counters.float64Regions).toBe(1);
    const doubles = r.model.graph.nodes
      .flatMap((n) => [...n.inputs, ...n.outputs])
      .filter((v) => v && dtypeOf(v) === 'float64');
    expect(doubles).toEqual([]);
    expect(opCount(r.model, 'Cast')).toBe(1);
    expect(r.model.graph.outputs[0]?.name).toBe('y');
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });

  it('folds Where(IsNaN(constant mask)) to its branch and clamps int64 Slice bounds', async () => {
    const model = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [1, 4] }],
      outputs: [{ name: 'y', dims: [1, 3] }],
      nodes: [
        { op: 'IsNaN', inputs: ['mask'], outputs: ['nan'] },
        { op: 'Where', inputs: ['nan', 'zero', 'x'], outputs: ['w'] },
        { op: 'Slice', inputs: ['w', 'starts', 'ends', 'axes'], outputs: ['y'] },
      ],
      consts: {
        mask: { dtype: 'float32', dims: [1, 4], data: [1, 1, 1, 1] },
        zero: { dtype: 'float32', dims: [], data: [0] },
        starts: i64([1]),
        ends: i64([Number.MAX_SAFE_INTEGER]),
        axes: i64([1]),
      },
    });
    const r = await Effect.runPromise(runPass(sanitize, model));
    expect(opCount(r.model, 'Where')).toBe(0);
    expect(opCount(r.model, 'IsNaN')).toBe(0);
    const slice = r.model.graph.nodes.find((n) => n.opType === 'Slice');
    expect(constInts(r.model.graph, slice?.inputs[2])).toEqual([2 ** 31 - 1]);
    expect(r.report.counters).toMatchObject({
      maskOpsFolded: 1,
      constantWhereFolded: 1,
      sliceBoundsClamped: 1,
    });
    expect(await compareModels(model, r.model)).toBe(0);
  });

  it('reports lint findings as notes without changing the model', async () => {
    const model = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [4] }],
      outputs: [{ name: 'y', dims: [4] }],
      nodes: [{ op: 'ATen', inputs: ['x'], outputs: ['y'], domain: 'org.pytorch.aten' }],
    });
    const r = await Effect.runPromise(runPass(sanitize, model));
    expect(r.changed).toBe(false);
    expect(r.report.counters.lintFindings).toBe(1);
    expect(r.report.notes[0]).toContain('ATen');
  });
});
