import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import { opsetOf } from '../../../src/pass/graph/index.js';
import { runPass } from '../../../src/pass/index.js';
import { fuseLayerNorm } from '../../../src/passes/index.js';
import { buildModel, type Const, f32, i64, type NodeSpec } from '../support/build-model.js';
import { compareModels, opCount } from '../support/reference.js';

const C = 16;
const scalar = (v: number): Const => ({ dtype: 'float32', dims: [], data: [v] });

interface Variant {
  square?: 'pow' | 'mul';
  inv?: 'div' | 'reciprocal' | 'rsqrt';
  affine?: boolean;
  axesAsInput?: boolean; // opset 18 ReduceMean
  axis?: number; // reduce axis as written
}

/** x -> decomposed LN -> y, as exporters write it. */
function decomposed(opset: number, v: Variant = {}, dims: number[] = [2, 5, C]) {
  const axes = [v.axis ?? -1];
  const red = (input: string, output: string): NodeSpec =>
    v.axesAsInput
      ? { op: 'ReduceMean', inputs: [input, 'axes'], outputs: [output], attrs: { keepdims: 1 } }
      : { op: 'ReduceMean', inputs: [input], outputs: [output], attrs: { axes, keepdims: 1 } };
  const nodes: NodeSpec[] = [
    red('x', 'mean'),
    { op: 'Sub', inputs: ['x', 'mean'], outputs: ['d'] },
    v.square === 'mul'
      ? { op: 'Mul', inputs: ['d', 'd'], outputs: ['sq'] }
      : { op: 'Pow', inputs: ['d', 'two'], outputs: ['sq'] },
    red('sq', 'var'),
    { op: 'Add', inputs: ['var', 'eps'], outputs: ['ve'] },
  ];
  const norm = v.affine === false ? 'y' : 'n';
  if (v.inv === 'reciprocal') {
    nodes.push(
      { op: 'Sqrt', inputs: ['ve'], outputs: ['s'] },
      { op: 'Reciprocal', inputs: ['s'], outputs: ['r'] },
      { op: 'Mul', inputs: ['d', 'r'], outputs: [norm] },
    );
  } else if (v.inv === 'rsqrt') {
    nodes.push(
      { op: 'Pow', inputs: ['ve', 'mhalf'], outputs: ['r'] },
      { op: 'Mul', inputs: ['r', 'd'], outputs: [norm] },
    );
  } else
    nodes.push(
      { op: 'Sqrt', inputs: ['ve'], outputs: ['s'] },
      { op: 'Div', inputs: ['d', 's'], outputs: [norm] },
    );
  if (v.affine !== false)
    nodes.push(
      { op: 'Mul', inputs: ['n', 'gamma'], outputs: ['g'] },
      { op: 'Add', inputs: ['g', 'beta'], outputs: ['y'] },
    );
  const channels = dims[v.axis === 1 ? 1 : dims.length - 1] as number;
  const affineDims = v.axis === 1 ? [channels, ...dims.slice(2).map(() => 1)] : [channels];
  return buildModel({
    opset,
    inputs: [{ name: 'x', dims }],
    outputs: [{ name: 'y', dims }],
    nodes,
    consts: {
      two: scalar(2),
      eps: scalar(1e-6),
      mhalf: scalar(-0.5),
      gamma: f32(affineDims, 3),
      beta: f32(affineDims, 4),
      axes: i64(axes),
    },
  });
}

async function fuse(model: ReturnType<typeof decomposed>) {
  return Effect.runPromise(runPass(fuseLayerNorm, model));
}

describe('fuseLayerNorm', () => {
  it('fuses the opset-14 SegFormer form and raises the opset to 17', async () => {
    const model = decomposed(14);
    const r = await fuse(model);
    expect(opCount(r.model, 'LayerNormalization')).toBe(1);
    expect(opCount(r.model, 'ReduceMean')).toBe(0);
    expect(opsetOf(r.model)).toBe(17);
    expect(opsetOf(model)).toBe(14);
    expect(r.report.nodesRemoved).toBe(9);
    expect(r.report.notes.join('\n')).toContain('raised from 14 to 17');
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });

  it('the reference comparison catches a wrong fusion (epsilon off)', async () => {
    const model = decomposed(14, {}, [1, 3, 4]);
    const r = await fuse(model);
    const ln = r.model.graph.nodes.find((n) => n.opType === 'LayerNormalization');
    ln?.setAttr('epsilon', 'float', 0.5);
    expect(await compareModels(model, r.model)).toBeGreaterThan(1e-3);
  });

  it.each<[string, Variant]>([
    ['Mul(d, d) square', { square: 'mul' }],
    ['Reciprocal(Sqrt) then Mul', { inv: 'reciprocal' }],
    ['Pow(-0.5) then Mul', { inv: 'rsqrt' }],
    ['no affine', { affine: false }],
    ['positive axis', { axis: 2 }],
  ])('fuses the %s variant exactly', async (_, v) => {
    const model = decomposed(15, v);
    const r = await fuse(model);
    expect(opCount(r.model, 'LayerNormalization')).toBe(1);
    expect(opCount(r.model, 'ReduceMean')).toBe(0);
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });

  it('reads ReduceMean axes from the input at opset 18', async () => {
    const model = decomposed(18, { axesAsInput: true });
    const r = await fuse(model);
    expect(opCount(r.model, 'LayerNormalization')).toBe(1);
    expect(opsetOf(r.model)).toBe(18);
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });

  it('fuses channel-first LayerNorm (axis 1 of NCHW) with Transposes around it', async () => {
    const model = decomposed(14, { axis: 1 }, [1, C, 4, 6]);
    const r = await fuse(model);
    expect(opCount(r.model, 'LayerNormalization')).toBe(1);
    expect(opCount(r.model, 'Transpose')).toBe(2);
    expect(r.report.counters.channelFirstFused).toBe(1);
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });

  it('leaves a pattern whose intermediate is used elsewhere, and opsets below 13 untouched', async () => {
    const model = decomposed(14);
    // Expose the centred tensor as an extra output: fusing would lose it.
    const d = model.graph.nodes.find((n) => n.opType === 'Sub')?.outputs[0];
    if (!d) throw new Error('no Sub');
    d.dtype = 'float32';
    model.graph.outputs.push(d);
    const r = await fuse(model);
    expect(r.changed).toBe(false);

    const old = decomposed(11);
    const r2 = await fuse(old);
    expect(r2.changed).toBe(false);
    expect(r2.report.notes.join('\n')).toContain('below 13');
  });
});
