import { describe, expect, it } from 'vitest';
import { lintTensorRT } from '../../../src/passes/index.js';
import { buildModel, i64 } from '../support/build-model.js';
import { listFixtures, loadFixture } from '../support/fixtures.js';

function model(opset: number, nodes: Parameters<typeof buildModel>[0]['nodes'], consts = {}) {
  return buildModel({
    opset,
    inputs: [{ name: 'x', dims: [1, 3, 8, 8] }],
    outputs: [{ name: 'y', dims: [1] }],
    nodes,
    consts,
  });
}

describe('lintTensorRT', () => {
  it('names ATen, unsupported ops, custom ops, non-constant axes, bad attributes and extra outputs', () => {
    const m = model(
      18,
      [
        { op: 'ATen', inputs: ['x'], outputs: ['a'], domain: 'org.pytorch.aten' },
        { op: 'Unique', inputs: ['x'], outputs: ['u'] },
        { op: 'MyOp', inputs: ['x'], outputs: ['c'], domain: 'com.example' },
        { op: 'MultiscaleDeformableAttnPlugin_TRT', inputs: ['x'], outputs: ['p'], domain: 'trt' },
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'ReduceMean', inputs: ['x', 's'], outputs: ['r'] },
        { op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['z'], attrs: { mode: 'cubic' } },
        { op: 'LayerNormalization', inputs: ['x', 'g'], outputs: ['ln', 'mean', 'inv'] },
        { op: 'Identity', inputs: ['x'], outputs: ['y'] },
      ],
      {
        scales: { dtype: 'float32', dims: [4], data: [1, 1, 2, 2] },
        g: { dtype: 'float32', dims: [8], data: Array(8).fill(1) },
      },
    );
    const f = lintTensorRT(m, 10);
    const by = (rule: string) => f.filter((x) => x.rule === rule).map((x) => x.opType);
    expect(by('aten')).toEqual(['ATen']);
    expect(by('unsupported-op')).toEqual(['Unique']);
    expect(by('custom-op')).toEqual(['MyOp']); // the shipped MSDA plugin is fine
    expect(by('constant-input')).toEqual(['ReduceMean']);
    expect(by('attribute')).toEqual(['Resize']);
    expect(by('extra-output')).toEqual(['LayerNormalization']);
    expect(f.every((x) => x.node.length > 0 && x.message.length > 0)).toBe(true);
  });

  it('knows per-version differences: Swish and opset ranges', () => {
    const m = model(21, [{ op: 'Swish', inputs: ['x'], outputs: ['y'] }]);
    expect(
      lintTensorRT(m, 10)
        .map((x) => x.rule)
        .sort(),
    ).toEqual(['opset', 'unsupported-op']);
    expect(lintTensorRT(m, 11)).toEqual([]);
    const clean = model(17, [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }], { k: i64([1]) });
    expect(lintTensorRT(clean, 10)).toEqual([]);
  });

  it.each(listFixtures(/./))('finds nothing TensorRT 10 cannot build in %s', (rel) => {
    expect(lintTensorRT(loadFixture(rel), 10)).toEqual([]);
  });
});
