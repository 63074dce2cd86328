import { describe, expect, it } from 'vitest';
import { prune } from '../../../src/pass/graph/index.js';
import { buildGraph, buildModel } from '../support/build-model.js';
import { compareModels, opCount } from '../support/reference.js';

describe('core IR under the pass helpers: subgraph reads', () => {
  it('never prunes a node whose output only a subgraph reads, and round-trips to a runnable model', async () => {
    const model = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [3] }],
      outputs: [{ name: 'y', dims: [3] }],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['h'] },
        { op: 'Neg', inputs: ['x'], outputs: ['dead'] },
        {
          op: 'If',
          inputs: ['cond'],
          outputs: ['y'],
          attrs: {
            then_branch: {
              g: buildGraph({
                nodes: [{ op: 'Identity', inputs: ['h'], outputs: ['t'] }],
                outputs: [{ name: 't', dims: [3] }],
              }),
            },
            else_branch: {
              g: buildGraph({
                nodes: [{ op: 'Neg', inputs: ['h'], outputs: ['e'] }],
                outputs: [{ name: 'e', dims: [3] }],
              }),
            },
          },
        },
      ],
      consts: { cond: { dtype: 'bool', dims: [], data: [1] } },
    });
    const before = model.clone();
    const removed = prune(model.graph);
    expect(removed.map((n) => n.opType)).toEqual(['Neg']);
    expect(opCount(model, 'Relu')).toBe(1);
    expect(await compareModels(before, model)).toBe(0);
  });
});
