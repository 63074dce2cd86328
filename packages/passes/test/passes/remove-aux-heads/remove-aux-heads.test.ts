import { Effect, Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { PatternNotFound, runPass } from '../../../src/pass/index.js';
import { removeAuxHeads, removeAuxHeadsWith } from '../../../src/passes/index.js';
import { buildModel, f32, i64, type NodeSpec } from '../support/build-model.js';
import { compareModels, opCount } from '../support/reference.js';

const L = 3; // decoder layers
const D = 8;

/** Per-layer hidden states h_i = Relu(x * w_i), stacked on `axis`, heads on the stack, then select `index`. */
function stackedHeads(axis: number, index: number, opts: { negativeAxes?: boolean; softmax?: boolean } = {}) {
  const nodes: NodeSpec[] = [];
  const consts: Record<string, ReturnType<typeof f32>> = {};
  const stackIn: string[] = [];
  const uAxis = opts.negativeAxes ? axis - 4 : axis; // rank of the stack is 4
  consts.uaxes = i64([uAxis]);
  for (let i = 0; i < L; i++) {
    consts[`w${i}`] = f32([D, D], 10 + i);
    nodes.push({ op: 'MatMul', inputs: ['x', `w${i}`], outputs: [`m${i}`] });
    nodes.push({ op: 'Relu', inputs: [`m${i}`], outputs: [`h${i}`] });
    nodes.push({ op: 'Unsqueeze', inputs: [`h${i}`, 'uaxes'], outputs: [`u${i}`] });
    stackIn.push(`u${i}`);
  }
  nodes.push({
    op: 'Concat',
    inputs: stackIn,
    outputs: ['stack'],
    attrs: { axis: opts.negativeAxes ? axis - 4 : axis },
  });
  // class head: MatMul + Add (+ Softmax over the last axis); box head: MLP + Sigmoid.
  consts.wc = f32([D, 5], 20);
  consts.bc = f32([5], 21);
  consts.wb1 = f32([D, D], 22);
  consts.bb1 = f32([D], 23);
  consts.wb2 = f32([D, 4], 24);
  consts.idx = i64([index], []);
  nodes.push({ op: 'MatMul', inputs: ['stack', 'wc'], outputs: ['c0'] });
  nodes.push({ op: 'Add', inputs: ['c0', 'bc'], outputs: [opts.softmax ? 'c1' : 'cls'] });
  if (opts.softmax) nodes.push({ op: 'Softmax', inputs: ['c1'], outputs: ['cls'], attrs: { axis: 3 } });
  nodes.push({ op: 'MatMul', inputs: ['stack', 'wb1'], outputs: ['b0'] });
  nodes.push({ op: 'Add', inputs: ['b0', 'bb1'], outputs: ['b1'] });
  nodes.push({ op: 'Relu', inputs: ['b1'], outputs: ['b2'] });
  nodes.push({ op: 'MatMul', inputs: ['b2', 'wb2'], outputs: ['b3'] });
  nodes.push({ op: 'Sigmoid', inputs: ['b3'], outputs: ['box'] });
  nodes.push({ op: 'Gather', inputs: ['cls', 'idx'], outputs: ['logits'], attrs: { axis } });
  nodes.push({ op: 'Gather', inputs: ['box', 'idx'], outputs: ['boxes'], attrs: { axis } });
  return buildModel({
    opset: 17,
    inputs: [{ name: 'x', dims: [2, 6, D] }],
    outputs: [
      { name: 'logits', dims: [2, 6, 5] },
      { name: 'boxes', dims: [2, 6, 4] },
    ],
    nodes,
    consts,
  });
}

describe('removeAuxHeads on in-code graphs', () => {
  it('original DETR: stack on axis 0, heads on every layer, Gather(0, -1) -> heads on the last layer only', async () => {
    const model = stackedHeads(0, -1, { softmax: true });
    const r = await Effect.runPromise(runPass(removeAuxHeads, model));
    expect(r.changed).toBe(true);
    expect(opCount(r.model, 'Gather')).toBe(0);
    expect(opCount(r.model, 'Concat')).toBe(0);
    // One set of heads: class MatMul + box MLP (2 MatMuls) + the last layer's own MatMul.
    expect(opCount(r.model, 'MatMul')).toBe(1 + 3);
    expect(opCount(r.model, 'Softmax')).toBe(1);
    expect(r.report.counters.selectsResolved).toBe(2);
    expect(r.report.nodesRemoved).toBeGreaterThan(r.report.nodesAdded);
    expect(r.report.notes.join('\n')).toContain('over 3 stacked layers');
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
    // Input untouched.
    expect(opCount(model, 'Gather')).toBe(2);
  });

  it('RT-DETR style: stacked on axis 1 with negative axes, Gather(axis 1, -1)', async () => {
    const model = stackedHeads(1, -1, { negativeAxes: true });
    const r = await Effect.runPromise(runPass(removeAuxHeads, model));
    expect(opCount(r.model, 'Gather')).toBe(0);
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });

  it('selects a middle layer exactly (index 1) and keeps unrelated graphs unchanged', async () => {
    const model = stackedHeads(0, 1);
    const r = await Effect.runPromise(runPass(removeAuxHeads, model));
    expect(opCount(r.model, 'Gather')).toBe(0);
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);

    const plain = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [3, 4] }],
      outputs: [{ name: 'y', dims: [4] }],
      nodes: [{ op: 'Gather', inputs: ['x', 'i'], outputs: ['y'], attrs: { axis: 0 } }],
      consts: { i: i64([-1], []) },
    });
    const r2 = await Effect.runPromise(runPass(removeAuxHeads, plain));
    expect(r2.changed).toBe(false);
    expect(r2.model).toBe(plain);
    // Strict mode turns "nothing found" into a typed error.
    const strict = await Effect.runPromise(
      Effect.either(runPass(removeAuxHeadsWith({ strict: true }), plain)),
    );
    expect(Either.isLeft(strict) && strict.left).toBeInstanceOf(PatternNotFound);
  });

  it('Deformable DETR style: per-level heads, Unsqueeze, Concat, Gather -1 -> the last level only', async () => {
    const nodes: NodeSpec[] = [];
    const consts: Record<string, ReturnType<typeof f32>> = { ax: i64([0]), idx: i64([-1], []) };
    for (let i = 0; i < L; i++) {
      consts[`w${i}`] = f32([D, 5], 30 + i);
      nodes.push({ op: 'MatMul', inputs: ['x', `w${i}`], outputs: [`c${i}`] });
      nodes.push({ op: 'Unsqueeze', inputs: [`c${i}`, 'ax'], outputs: [`u${i}`] });
    }
    nodes.push({ op: 'Concat', inputs: ['u0', 'u1', 'u2'], outputs: ['all'], attrs: { axis: 0 } });
    nodes.push({ op: 'Gather', inputs: ['all', 'idx'], outputs: ['logits'], attrs: { axis: 0 } });
    const model = buildModel({
      opset: 13,
      inputs: [{ name: 'x', dims: [1, 6, D] }],
      outputs: [{ name: 'logits', dims: [1, 6, 5] }],
      nodes,
      consts,
    });
    const r = await Effect.runPromise(runPass(removeAuxHeads, model));
    expect(opCount(r.model, 'MatMul')).toBe(1);
    expect(r.report.outputsTouched).toEqual(['logits']);
    expect(r.model.graph.outputs[0]?.name).toBe('logits');
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });

  it("box refinement: an earlier layer's box head that feeds the next layer survives", async () => {
    // h1 = Relu(x*w0 + box0*wr): layer 1 reads layer 0's box head (refinement); boxes stacked, select -1.
    const nodes: NodeSpec[] = [
      { op: 'MatMul', inputs: ['x', 'w0'], outputs: ['h0'] },
      { op: 'MatMul', inputs: ['h0', 'wb'], outputs: ['b0'] },
      { op: 'Sigmoid', inputs: ['b0'], outputs: ['box0'] },
      { op: 'MatMul', inputs: ['box0', 'wr'], outputs: ['r0'] },
      { op: 'Add', inputs: ['h0', 'r0'], outputs: ['a1'] },
      { op: 'Relu', inputs: ['a1'], outputs: ['h1'] },
      { op: 'MatMul', inputs: ['h1', 'wb1'], outputs: ['b1'] },
      { op: 'Sigmoid', inputs: ['b1'], outputs: ['box1'] },
      { op: 'Unsqueeze', inputs: ['box0', 'ax'], outputs: ['u0'] },
      { op: 'Unsqueeze', inputs: ['box1', 'ax'], outputs: ['u1'] },
      { op: 'Concat', inputs: ['u0', 'u1'], outputs: ['all'], attrs: { axis: 0 } },
      { op: 'Gather', inputs: ['all', 'idx'], outputs: ['boxes'], attrs: { axis: 0 } },
    ];
    const model = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [1, 6, D] }],
      outputs: [{ name: 'boxes', dims: [1, 6, 4] }],
      nodes,
      consts: {
        w0: f32([D, D], 40),
        wb: f32([D, 4], 41),
        wr: f32([4, D], 42),
        wb1: f32([D, 4], 43),
        ax: i64([0]),
        idx: i64([-1], []),
      },
    });
    const r = await Effect.runPromise(runPass(removeAuxHeads, model));
    expect(opCount(r.model, 'Gather')).toBe(0);
    expect(opCount(r.model, 'Concat')).toBe(0);
    // Layer 0's box head (MatMul wb + Sigmoid) is still there: layer 1 needs it.
    expect(opCount(r.model, 'Sigmoid')).toBe(2);
    expect(opCount(r.model, 'MatMul')).toBe(4);
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });

  it('replays heads that also read a computed, non-stacked tensor (reference points)', async () => {
    const nodes: NodeSpec[] = [
      { op: 'MatMul', inputs: ['x', 'wr'], outputs: ['ref'] }, // [1,6,4], computed outside the stack
      { op: 'MatMul', inputs: ['x', 'w0'], outputs: ['h0'] },
      { op: 'MatMul', inputs: ['h0', 'w1'], outputs: ['h1'] },
      { op: 'Unsqueeze', inputs: ['h0', 'ax'], outputs: ['u0'] },
      { op: 'Unsqueeze', inputs: ['h1', 'ax'], outputs: ['u1'] },
      { op: 'Concat', inputs: ['u0', 'u1'], outputs: ['all'], attrs: { axis: 0 } },
      { op: 'MatMul', inputs: ['all', 'wb'], outputs: ['b'] },
      { op: 'Add', inputs: ['b', 'ref'], outputs: ['br'] },
      { op: 'Sigmoid', inputs: ['br'], outputs: ['box'] },
      { op: 'Gather', inputs: ['box', 'idx'], outputs: ['boxes'], attrs: { axis: 0 } },
    ];
    const model = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [1, 6, D] }],
      outputs: [{ name: 'boxes', dims: [1, 6, 4] }],
      nodes,
      consts: {
        wr: f32([D, 4], 50),
        w0: f32([D, D], 51),
        w1: f32([D, D], 52),
        wb: f32([D, 4], 53),
        ax: i64([0]),
        idx: i64([-1], []),
      },
    });
    const r = await Effect.runPromise(runPass(removeAuxHeads, model));
    expect(opCount(r.model, 'Gather')).toBe(0);
    expect(opCount(r.model, 'Concat')).toBe(0);
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });

  it('leaves a stack whose select goes through a non-per-layer op (Softmax over the stacked axis)', async () => {
    const nodes: NodeSpec[] = [];
    const consts: Record<string, ReturnType<typeof f32>> = { ax: i64([0]), idx: i64([-1], []) };
    for (let i = 0; i < 2; i++)
      nodes.push({ op: 'Unsqueeze', inputs: [i ? 'x' : 'y', 'ax'], outputs: [`u${i}`] });
    nodes.push({ op: 'Neg', inputs: ['x'], outputs: ['y'] });
    nodes.push({ op: 'Concat', inputs: ['u0', 'u1'], outputs: ['all'], attrs: { axis: 0 } });
    nodes.push({ op: 'Softmax', inputs: ['all'], outputs: ['sm'], attrs: { axis: 0 } });
    nodes.push({ op: 'Gather', inputs: ['sm', 'idx'], outputs: ['out'], attrs: { axis: 0 } });
    // Neg must come before its use: reorder.
    nodes.unshift(nodes.splice(2, 1)[0] as NodeSpec);
    const model = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [3] }],
      outputs: [{ name: 'out', dims: [3] }],
      nodes,
      consts,
    });
    const r = await Effect.runPromise(runPass(removeAuxHeads, model));
    expect(r.changed).toBe(false);
  });
});
