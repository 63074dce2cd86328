// Rule-based islands, casts at their boundaries, I/O dtypes and user overrides, on small in-code graphs.
import { encodeModel, type HostTensor, tensor } from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../../src/pass/graph/index.js';
import { runPass } from '../../../src/pass/run-pass.js';
import { builtinPasses } from '../../../src/passes/builtins.js';
import { convertMixedPrecision, toMixedPrecision } from '../../../src/passes/to-mixed-precision/index.js';
import { buildModel, f32, i64, randn } from '../support/build-model.js';

const backend = new OrtBackend({ graphOptimizationLevel: 'disabled' });

// x -> MatMul -> LayerNorm -> MatMul -> Softmax -> MatMul -> y ; plus a sin/cos positional term added in.
function block(): Model {
  return buildModel({
    opset: 17,
    inputs: [{ name: 'x', dims: [1, 6, 8] }],
    outputs: [{ name: 'y', dims: [1, 6, 8] }],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['a'] },
      { op: 'LayerNormalization', inputs: ['a', 'g', 'b'], outputs: ['ln'], attrs: { axis: -1 } },
      { op: 'Mul', inputs: ['pos', 'freq'], outputs: ['arg'] },
      { op: 'Sin', inputs: ['arg'], outputs: ['pe'] },
      { op: 'Add', inputs: ['ln', 'pe'], outputs: ['h'] },
      { op: 'MatMul', inputs: ['h', 'w2'], outputs: ['s'] },
      { op: 'Softmax', inputs: ['s'], outputs: ['p'], attrs: { axis: -1 } },
      { op: 'MatMul', inputs: ['p', 'w3'], outputs: ['y'] },
    ],
    consts: {
      w1: f32([8, 8], 2),
      g: f32([8], 3),
      b: f32([8], 4),
      pos: { dtype: 'float32', dims: [6, 1], data: [0, 1, 2, 3, 4, 5].map((v) => v * 300) },
      freq: f32([1, 8], 5),
      w2: f32([8, 8], 6),
      w3: f32([8, 8], 7),
    },
  });
}

const feed = { x: tensor('float32', [1, 6, 8], Float32Array.from(randn(48, 9))) };

async function run(m: Model, f: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const e = await backend.build(encodeModel(m.toProto()));
  try {
    return await e.run(f);
  } finally {
    await e.dispose();
  }
}

const byName = (m: Model, name: string) => m.graph.nodes.find((n) => n.name === name);
const islandNodes = (islands: readonly { nodes: readonly string[] }[]) => islands.flatMap((i) => i.nodes);

describe('toMixedPrecision rules', () => {
  it('keeps layer norm, softmax and the sin argument FP32, FLOP-heavy ops FP16, with casts between', async () => {
    const m = block();
    const r = await convertMixedPrecision(m, { fp16: true });
    const out = r.model;
    expect(islandNodes(r.islands).sort()).toEqual([
      'n1_LayerNormalization',
      'n2_Mul',
      'n3_Sin',
      'n6_Softmax',
    ]);
    expect(r.stats).toMatchObject({ heavyNodes: 3, heavyFp16: 3 });
    // FP16 nodes write float16, FP32 islands float32; weights of FP16 MatMuls are float16, LN params float32.
    expect(byName(out, 'n0_MatMul')?.outputs[0]?.dtype).toBe('float16');
    expect(byName(out, 'n1_LayerNormalization')?.outputs[0]?.dtype).toBe('float32');
    expect(byName(out, 'n0_MatMul')?.inputs[1]?.initializer?.dtype).toBe('float16');
    expect(byName(out, 'n1_LayerNormalization')?.inputs[1]?.initializer?.dtype).toBe('float32');
    expect(byName(out, 'n3_Sin')?.inputs[0]?.producer?.opType).toBe('Mul'); // no cast inside the island
    expect(byName(out, 'n1_LayerNormalization')?.inputs[0]?.producer?.opType).toBe('Cast');
    // I/O keep float32 and their names.
    expect(out.graph.inputs.map((v) => `${v.name}:${v.dtype}`)).toEqual(['x:float32']);
    expect(out.graph.outputs.map((v) => `${v.name}:${v.dtype}`)).toEqual(['y:float32']);
    const [a, b] = [await run(out, feed), await run(m, feed)];
    const ya = a.y?.data as Float32Array;
    const yb = b.y?.data as Float32Array;
    for (let i = 0; i < yb.length; i++)
      expect(Math.abs((ya[i] as number) - (yb[i] as number))).toBeLessThan(2e-2);
  });

  it('ioDtype float16 makes the graph inputs and outputs float16 with no boundary casts', async () => {
    const r = await convertMixedPrecision(block(), { fp16: true, ioDtype: 'float16' });
    expect(r.model.graph.inputs[0]?.dtype).toBe('float16');
    expect(r.model.graph.outputs[0]?.dtype).toBe('float16');
    expect(r.model.graph.outputs[0]?.producer?.opType).toBe('MatMul');
    const first = byName(r.model, 'n0_MatMul');
    expect(first?.inputs[0]?.name).toBe('x');
  });

  it('honours keepFp32 and forceFp16 selectors (names, op types, patterns)', async () => {
    const r = await convertMixedPrecision(block(), {
      fp16: true,
      keepFp32: ['n5_MatMul', /n7_/],
      forceFp16: ['Softmax'],
    });
    const kept = islandNodes(r.islands);
    expect(kept).toContain('n5_MatMul');
    expect(kept).toContain('n7_MatMul');
    expect(kept).not.toContain('n6_Softmax');
    expect(r.stats.heavyFp16).toBe(1);
    // Softmax now in FP16 between two FP32 MatMuls: cast in and out.
    expect(byName(r.model, 'n6_Softmax')?.outputs[0]?.dtype).toBe('float16');
  });

  it('keeps readers of constants beyond float16 (mask fills) FP32', async () => {
    const m = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [1, 4] }],
      outputs: [{ name: 'y', dims: [1, 4] }],
      nodes: [
        { op: 'Add', inputs: ['x', 'fill'], outputs: ['a'] },
        { op: 'Relu', inputs: ['a'], outputs: ['y'] },
      ],
      consts: { fill: { dtype: 'float32', dims: [4], data: [0, -1e9, 0, 2] } },
    });
    const r = await convertMixedPrecision(m, { fp16: true });
    expect(r.islands.find((i) => i.nodes.includes('n0_Add'))?.reason).toMatch(/beyond float16/);
    expect(byName(r.model, 'n0_Add')?.inputs[1]?.initializer?.dtype).toBe('float32');
  });

  it('keeps the deformable-attention plugin and its sampling-location path FP32, the value projection FP16', async () => {
    // value = MatMul(q, wv); loc = Sigmoid(MatMul(q, wo) + b) * 2 - 1 (the arithmetic after the projection)
    const m = buildModel({
      opset: 17,
      inputs: [{ name: 'q', dims: [1, 4, 8] }],
      outputs: [{ name: 'y', dims: [1, 4, 8] }],
      nodes: [
        { op: 'MatMul', inputs: ['q', 'wv'], outputs: ['value'] },
        { op: 'MatMul', inputs: ['q', 'wo'], outputs: ['off'] },
        { op: 'Add', inputs: ['off', 'bo'], outputs: ['offb'] },
        { op: 'Sigmoid', inputs: ['offb'], outputs: ['sig'] },
        { op: 'Mul', inputs: ['sig', 'two'], outputs: ['loc2'] },
        { op: 'Sub', inputs: ['loc2', 'one'], outputs: ['loc'] },
        { op: 'MatMul', inputs: ['q', 'wa'], outputs: ['attn'] },
        {
          op: 'MultiscaleDeformableAttnPlugin_TRT',
          domain: 'trt.plugins',
          inputs: ['value', 'shapes', 'starts', 'loc', 'attn'],
          outputs: ['msda'],
        },
        { op: 'MatMul', inputs: ['msda', 'wout'], outputs: ['y'] },
      ],
      consts: {
        wv: f32([8, 8], 2),
        wo: f32([8, 8], 3),
        bo: f32([8], 4),
        two: { dtype: 'float32', dims: [1], data: [2] },
        one: { dtype: 'float32', dims: [1], data: [1] },
        wa: f32([8, 8], 5),
        shapes: { dtype: 'int64', dims: [1, 2], data: [2, 2] },
        starts: { dtype: 'int64', dims: [1], data: [0] },
        wout: f32([8, 8], 6),
      },
    });
    const r = await convertMixedPrecision(m, { fp16: true });
    const kept = islandNodes(r.islands);
    for (const n of ['n2_Add', 'n3_Sigmoid', 'n4_Mul', 'n5_Sub', 'n7_MultiscaleDeformableAttnPlugin_TRT'])
      expect(kept).toContain(n);
    expect(r.stats).toMatchObject({ heavyNodes: 4, heavyFp16: 4 });
    // The plugin reads float32 everywhere; the sampling locations arrive without a float16 round trip.
    const plugin = byName(r.model, 'n7_MultiscaleDeformableAttnPlugin_TRT');
    expect(plugin?.inputs[3]?.producer?.opType).toBe('Sub');
    expect(plugin?.inputs[0]?.producer?.opType).toBe('Cast');
    // Its float32 output is cast to float16 for the FP16 projection after it.
    expect(byName(r.model, 'n8_MatMul')?.inputs[0]?.producer?.opType).toBe('Cast');
    expect(byName(r.model, 'n8_MatMul')?.inputs[1]?.initializer?.dtype).toBe('float16');
  });

  it('keeps a top-k query-selection head FP32 up to the residual stream, the encoder FP16', async () => {
    // x -> MatMul -> Relu -> (+ x) = memory -> MatMul+b -> LayerNorm -> MatMul+b -> ReduceMax -> TopK
    const m = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [1, 20, 8] }],
      outputs: [
        { name: 'vals', dims: [1, 5] },
        { name: 'idx', dtype: 'int64', dims: [1, 5] },
      ],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'we'], outputs: ['e'] },
        { op: 'Relu', inputs: ['e'], outputs: ['r'] },
        { op: 'Add', inputs: ['r', 'x'], outputs: ['mem'] },
        { op: 'MatMul', inputs: ['mem', 'w1'], outputs: ['p'] },
        { op: 'Add', inputs: ['p', 'b1'], outputs: ['pb'] },
        { op: 'LayerNormalization', inputs: ['pb', 'g', 'b'], outputs: ['ln'], attrs: { axis: -1 } },
        { op: 'MatMul', inputs: ['ln', 'w2'], outputs: ['s'] },
        { op: 'Add', inputs: ['s', 'b2'], outputs: ['sb'] },
        { op: 'ReduceMax', inputs: ['sb'], outputs: ['score'], attrs: { axes: [-1], keepdims: 0 } },
        { op: 'TopK', inputs: ['score', 'k'], outputs: ['vals', 'idx'], attrs: { axis: -1 } },
      ],
      consts: {
        we: f32([8, 8], 2),
        w1: f32([8, 8], 3),
        b1: f32([8], 4),
        g: f32([8], 5),
        b: f32([8], 6),
        w2: f32([8, 3], 7),
        b2: f32([3], 8),
        k: i64([5]),
      },
    });
    const r = await convertMixedPrecision(m, { fp16: true });
    const selection = r.islands.find((i) => i.reason.startsWith('top-k query selection'));
    expect([...(selection?.nodes ?? [])].sort()).toEqual([
      'n3_MatMul',
      'n4_Add',
      'n6_MatMul',
      'n7_Add',
      'n8_ReduceMax',
      'n9_TopK',
    ]);
    // The encoder projection and the residual sum feeding the head stay FP16.
    expect(r.stats).toMatchObject({ heavyNodes: 3, heavyFp16: 1 });
    expect(byName(r.model, 'n0_MatMul')?.outputs[0]?.dtype).toBe('float16');
    expect(byName(r.model, 'n2_Add')?.outputs[0]?.dtype).toBe('float16');
    const f = { x: tensor('float32', [1, 20, 8], Float32Array.from(randn(160, 11))) };
    const [a, b] = [await run(r.model, f), await run(m, f)];
    expect(Array.from(a.idx?.data as BigInt64Array)).toEqual(Array.from(b.idx?.data as BigInt64Array));
  });

  it('merges cast round trips and drops no-op casts', async () => {
    // Cast(float32 -> float32) and Cast(float16) -> Cast(float32) pairs around an FP32 op.
    const m = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [2, 4] }],
      outputs: [{ name: 'y', dims: [2, 4] }],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['a'] },
        { op: 'Cast', inputs: ['a'], outputs: ['c'], attrs: { to: 1 } },
        { op: 'Relu', inputs: ['c'], outputs: ['y'] },
      ],
      consts: { w: f32([4, 4], 3) },
    });
    const r = await convertMixedPrecision(m, { fp16: true });
    const casts = r.model.graph.nodes.filter((n) => n.opType === 'Cast');
    // The model's own float->float Cast became a no-op in FP16 and went; one cast in, one out remain.
    expect(r.stats.castsMerged).toBeGreaterThanOrEqual(1);
    expect(casts.length).toBe(2);
    const out = await run(r.model, { x: tensor('float32', [2, 4], Float32Array.from(randn(8, 4))) });
    const ref = await run(m, { x: tensor('float32', [2, 4], Float32Array.from(randn(8, 4))) });
    const a = out.y?.data as Float32Array;
    const b = ref.y?.data as Float32Array;
    for (let i = 0; i < b.length; i++)
      expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThan(5e-3);
  });

  it('is a registered pass with a report; the input model is not mutated', async () => {
    const m = block();
    const before = m.graph.nodes.map((n) => n.outputs.map((o) => o.dtype).join()).join('|');
    const pass = builtinPasses.get('toMixedPrecision');
    expect(pass).toBeDefined();
    const res = await Effect.runPromise(runPass(pass ?? toMixedPrecision({ fp16: true }), m));
    expect(res.changed).toBe(true);
    expect(res.report.counters).toMatchObject({ heavyNodes: 3, heavyFp16: 3 });
    expect(res.report.notes.some((n) => n.startsWith('FP32 island') && n.includes('softmax'))).toBe(true);
    expect(m.graph.nodes.map((n) => n.outputs.map((o) => o.dtype).join()).join('|')).toBe(before);
  });
});
