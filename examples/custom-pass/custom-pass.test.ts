import { PassManager, runPass } from '@trtkit/passes';
import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../packages/passes/test/passes/support/build-model.js';
import { compareModels } from '../../packages/passes/test/passes/support/reference.js';
import { dropIdentity } from './drop-identity.js';

const model = () =>
  buildModel({
    opset: 17,
    inputs: [{ name: 'x', dims: [2, 3] }],
    outputs: [{ name: 'y', dims: [2, 3] }],
    nodes: [
      { op: 'Identity', inputs: ['x'], outputs: ['a'] },
      { op: 'Relu', inputs: ['a'], outputs: ['b'] },
      { op: 'Identity', inputs: ['b'], outputs: ['c'] },
      { op: 'Neg', inputs: ['c'], outputs: ['d'] },
      { op: 'Identity', inputs: ['d'], outputs: ['y'] },
    ],
  });

describe('custom pass example', () => {
  it('removes inner Identity nodes, keeps the one producing the output, and computes the same thing', async () => {
    const input = model();
    const r = await Effect.runPromise(runPass(dropIdentity, input));
    expect(r.report).toMatchObject({ pass: 'dropIdentity', changed: true, nodesRemoved: 2 });
    expect(r.model.graph.nodes.map((n) => n.opType)).toEqual(['Relu', 'Neg', 'Identity']);
    expect(input.graph.nodes).toHaveLength(5);
    expect(await compareModels(input, r.model)).toBe(0);
  });

  it('runs in a PassManager next to built-in passes', async () => {
    const r = await Effect.runPromise(new PassManager().fixpoint([dropIdentity]).run(model()));
    expect(r.reports.map((x) => x.changed)).toEqual([true, false]);
  });
});
