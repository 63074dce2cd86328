import {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  createProto,
  encodeModel,
  InvalidArgumentError,
  type ModelProto,
  Model as PModel,
} from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import { runPass } from '../../../src/pass/run-pass.js';
import {
  makeSimplifyPass,
  parseInputShapes,
  simplify,
  simplifyModel,
} from '../../../src/passes/simplify/index.js';
import { buildProto, f32, i64 } from '../support/build-model.js';
import { compareModels } from '../support/reference.js';

const ops = (m: ModelProto) => m.graph?.node.map((n) => n.opType) ?? [];

describe('simplify: clean-up', () => {
  it('removes pass-through nodes and keeps those that change shape or type', async () => {
    const proto = buildProto({
      opset: 17,
      inputs: [{ name: 'x', dims: ['N', 4] }],
      outputs: [
        { name: 'y', dims: ['N', 4] },
        { name: 'z', dims: [3, 'N', 4] },
      ],
      consts: { zero: f32([4]), zeros3: { dtype: 'float32', dims: [3, 1, 1], data: [0, 0, 0] } },
      nodes: [
        { op: 'Identity', inputs: ['x'], outputs: ['a'] },
        { op: 'Cast', inputs: ['a'], outputs: ['b'], attrs: { to: 1 } },
        { op: 'Transpose', inputs: ['b'], outputs: ['c'], attrs: { perm: [0, 1] } },
        { op: 'Dropout', inputs: ['c'], outputs: ['d'] },
        { op: 'Relu', inputs: ['d'], outputs: ['y'] },
        // Adding zeros of shape [3,1,1] broadcasts to [3,N,4]: not a no-op.
        { op: 'Add', inputs: ['y', 'zeros3'], outputs: ['z'] },
      ],
    });
    // `zero` is random, not zeros: an Add with it must stay. Not used here; dead-code drops it.
    const before = encodeModel(proto);
    const { model, report } = await simplifyModel(proto);
    // The input model is not modified (simplify edits a copy that shares only what it never mutates).
    expect(encodeModel(proto)).toEqual(before);
    expect(ops(model)).toEqual(['Relu', 'Add']);
    expect(report.counters['remove-identities']).toBe(4);
    expect(model.graph?.initializer.map((t) => t.name)).toEqual(['zeros3']);
    expect(await compareModels(PModel.fromProto(proto), PModel.fromProto(model), 2)).toBe(0);
  });

  it('keeps a graph output name when the node producing it is removed', async () => {
    const proto = buildProto({
      opset: 17,
      inputs: [{ name: 'x', dims: [2, 3] }],
      outputs: [{ name: 'y', dims: [2, 3] }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Identity', inputs: ['r'], outputs: ['y'] },
      ],
    });
    const { model } = await simplifyModel(proto);
    expect(model.graph?.node.map((n) => `${n.opType}->${n.output[0]}`)).toEqual(['Relu->y']);
  });

  it('merges common subexpressions and duplicate constants; skip turns a step off', async () => {
    const spec = {
      opset: 17,
      inputs: [{ name: 'x', dims: [2, 3] }],
      outputs: [{ name: 'y', dims: [2, 3] }],
      consts: { w1: f32([3], 5), w2: f32([3], 5) },
      nodes: [
        { op: 'Mul', inputs: ['x', 'w1'], outputs: ['a'] },
        { op: 'Mul', inputs: ['x', 'w2'], outputs: ['b'] },
        { op: 'Add', inputs: ['a', 'b'], outputs: ['y'] },
      ],
    };
    const proto = buildProto(spec);
    const { model, report } = await simplifyModel(proto);
    expect(ops(model)).toEqual(['Mul', 'Add']);
    expect(report.counters['dedupe-constants']).toBe(1);
    expect(report.counters.cse).toBe(1);
    expect(await compareModels(PModel.fromProto(proto), PModel.fromProto(model))).toBe(0);
    const kept = await simplifyModel(proto, { skip: ['cse'] });
    expect(ops(kept.model)).toEqual(['Mul', 'Mul', 'Add']);
  });
});

describe('simplify: constant folding', () => {
  const shapeChain = () =>
    buildProto({
      opset: 17,
      inputs: [{ name: 'x', dims: ['N', 3, 8, 8] }],
      outputs: [{ name: 'y', dims: ['N', 192] }],
      consts: { zero: i64([0], []), ax: i64([0]), rest: i64([-1]) },
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
        { op: 'Unsqueeze', inputs: ['n', 'ax'], outputs: ['n1'] },
        { op: 'Concat', inputs: ['n1', 'rest'], outputs: ['shape'], attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
      ],
    });

  it('keeps shape arithmetic on a dynamic batch, folds it all once the input shape is fixed', async () => {
    const dyn = await simplifyModel(shapeChain());
    expect(ops(dyn.model)).toEqual(['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape']);
    const fixed = await simplifyModel(shapeChain(), { inputShapes: 'x:2x3x8x8' });
    expect(ops(fixed.model)).toEqual(['Reshape']);
    const shape = fixed.model.graph?.initializer.find((t) => t.name === fixed.model.graph?.node[0]?.input[1]);
    expect(Array.from(new BigInt64Array(shape?.rawData.slice().buffer as ArrayBuffer))).toEqual([2n, -1n]);
    expect(fixed.report.staticShapeNodesLeft).toBe(0);
  });

  it('never folds a tensor past the size cap', async () => {
    const proto = buildProto({
      opset: 17,
      inputs: [{ name: 'x', dims: [512, 1024] }],
      outputs: [{ name: 'y', dims: [512, 1024] }],
      consts: { shape: i64([512, 1024]) },
      nodes: [
        {
          op: 'ConstantOfShape',
          inputs: ['shape'],
          outputs: ['c'],
          attrs: { value: { t: { dtype: 'float32', dims: [1], data: [2] } } },
        },
        { op: 'Mul', inputs: ['x', 'c'], outputs: ['y'] },
      ],
    });
    // 512 x 1024 float32 = 2 MiB: over the default 1 MiB cap.
    const capped = await simplifyModel(proto);
    expect(ops(capped.model)).toEqual(['ConstantOfShape', 'Mul']);
    const raised = await simplifyModel(proto, { sizeCapBytes: 4 << 20, evalMaxElements: 1 << 20 });
    expect(ops(raised.model)).toEqual(['Mul']);
    expect(raised.model.graph?.initializer.some((t) => t.rawData.byteLength === 2 << 20)).toBe(true);
  });

  it('folds constant subgraphs the evaluator does not handle on the reference backend', async () => {
    const proto = buildProto({
      opset: 17,
      inputs: [{ name: 'x', dims: [2, 4] }],
      outputs: [{ name: 'y', dims: [2, 3] }],
      consts: { a: f32([4, 5], 1), b: f32([5, 3], 2) },
      nodes: [
        { op: 'MatMul', inputs: ['a', 'b'], outputs: ['w'] },
        { op: 'Tanh', inputs: ['w'], outputs: ['t'] },
        { op: 'MatMul', inputs: ['x', 't'], outputs: ['y'] },
      ],
    });
    const without = await simplifyModel(proto);
    expect(ops(without.model)).toEqual(['MatMul', 'Tanh', 'MatMul']);
    const { model, report } = await simplifyModel(proto, { backend: new OrtBackend() });
    expect(ops(model)).toEqual(['MatMul']);
    expect(report.counters['backend-fold']).toBe(2);
    expect(await compareModels(PModel.fromProto(proto), PModel.fromProto(model))).toBeLessThanOrEqual(1e-6);
  });
});

describe('simplify: If with a constant condition', () => {
  it('inlines the branch taken, under the If output names', async () => {
    const proto = buildProto({
      opset: 17,
      inputs: [{ name: 'x', dims: ['N', 4] }],
      outputs: [{ name: 'y', dims: ['N', 4] }],
      consts: { two: i64([2], [1]) },
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'], attrs: { start: 1 } },
        { op: 'Equal', inputs: ['s', 'two'], outputs: ['eq'] },
        { op: 'Squeeze', inputs: ['eq'], outputs: ['c'] },
        { op: 'If', inputs: ['c'], outputs: ['y'] },
      ],
    });
    const branch = (op: string, out: string) =>
      buildProto({
        opset: 17,
        inputs: [],
        outputs: [{ name: out, dims: ['N', 4] }],
        nodes: [{ op, inputs: ['x'], outputs: [out] }],
      }).graph;
    const ifNode = proto.graph?.node[3];
    if (!ifNode) throw new Error('no If');
    const g = (name: string, graph: ReturnType<typeof branch>) =>
      createProto(AttributeProtoSchema, { name, type: AttributeProto_AttributeType.GRAPH, g: graph });
    ifNode.attribute = [
      g('then_branch', branch('Relu', 'then_out')),
      g('else_branch', branch('Neg', 'else_out')),
    ];
    const { model, report } = await simplifyModel(proto);
    // dim 1 is 4, not 2: the else branch (Neg) is taken.
    expect(model.graph?.node.map((n) => `${n.opType}->${n.output[0]}`)).toEqual(['Neg->y']);
    expect(report.counters['inline-if']).toBe(1);
    expect(await compareModels(PModel.fromProto(proto), PModel.fromProto(model), 3)).toBe(0);
  });
});

describe('simplify: knobs and the pass contract', () => {
  it('parses input shapes and rejects bad ones with typed errors', async () => {
    expect(parseInputShapes('pixel_values:1x3x800x1066')).toEqual({ pixel_values: [1, 3, 800, 1066] });
    expect(parseInputShapes(['a:1x?xW', 'b:'])).toEqual({ a: [1, null, 'W'], b: [] });
    expect(() => parseInputShapes('1x3')).toThrow(InvalidArgumentError);
    const proto = buildProto({
      opset: 17,
      inputs: [{ name: 'x', dims: ['N', 3] }],
      outputs: [{ name: 'x', dims: ['N', 3] }],
      nodes: [],
    });
    await expect(simplifyModel(proto, { inputShapes: 'nope:1x3' })).rejects.toThrow(/not a graph input/);
    await expect(simplifyModel(proto, { inputShapes: 'x:1x3x4' })).rejects.toThrow(/rank 2/);
    await expect(simplifyModel(proto, { inputShapes: 'x:1x4' })).rejects.toThrow(/fixed at 3/);
  });

  it('runs as a pass through the framework and reports what it removed', async () => {
    const proto = buildProto({
      opset: 17,
      inputs: [{ name: 'x', dims: [2, 3] }],
      outputs: [{ name: 'y', dims: [2, 3] }],
      nodes: [
        { op: 'Identity', inputs: ['x'], outputs: ['a'] },
        { op: 'Relu', inputs: ['a'], outputs: ['y'] },
      ],
    });
    const input = PModel.fromProto(proto);
    const result = await Effect.runPromise(runPass(simplify, input));
    expect(result.changed).toBe(true);
    expect(result.report.nodesRemoved).toBe(1);
    expect(result.model.graph.nodes.map((n) => n.opType)).toEqual(['Relu']);
    expect(input.graph.nodes.length).toBe(2);
    const bad = makeSimplifyPass({ inputShapes: { q: [1] } });
    const exit = await Effect.runPromise(Effect.either(runPass(bad, input)));
    expect(exit._tag === 'Left' && exit.left._tag).toBe('PreconditionFailed');
  });
});
