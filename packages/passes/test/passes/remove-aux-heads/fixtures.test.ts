import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import { prepareRanks } from '../../../src/pass/graph/index.js';
import { runPass } from '../../../src/pass/index.js';
import { findLayerSelect, removeAuxHeads } from '../../../src/passes/index.js';
import { listFixtures, loadFixture } from '../support/fixtures.js';
import { compareModels, opCount } from '../support/reference.js';

const originals = listFixtures(/detr_original/);

describe.skipIf(originals.length === 0)('removeAuxHeads on original-DETR exports', () => {
  it.each(originals)('%s: one set of heads, no Gather over stacked layers, same outputs', async (rel) => {
    const model = loadFixture(rel);
    prepareRanks(model);
    const selects = model.graph.nodes.filter(
      (n) => n.opType === 'Gather' && typeof findLayerSelect(model, n) !== 'string',
    );
    expect(selects.length).toBe(2); // logits[-1], boxes[-1]
    const r = await Effect.runPromise(runPass(removeAuxHeads, model));
    prepareRanks(r.model);
    const left = r.model.graph.nodes.filter(
      (n) => n.opType === 'Gather' && typeof findLayerSelect(r.model, n) !== 'string',
    );
    expect(left).toEqual([]);
    // The class head is one MatMul on d_model -> classes; the box MLP three. Before: run on the stack of all layers,
    // after: on the last layer only, and nothing feeds the stack any more.
    expect(r.report.counters.selectsResolved).toBe(2);
    expect(opCount(r.model, 'Sigmoid')).toBe(opCount(model, 'Sigmoid'));
    const stackGone = !r.model.graph.nodes.some(
      (n) =>
        n.opType === 'Concat' &&
        n.inputs.every((v) => v?.producer?.opType === 'Unsqueeze') &&
        n.inputs.length === 3 &&
        n.outputs[0]?.uses.some((u) => u.node.opType === 'MatMul'),
    );
    expect(stackGone).toBe(true);
    expect(r.report.nodesRemoved).toBeGreaterThan(0);
    expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });
});

// Every other detector export: whatever stacked selects exist are resolved and outputs do not move.
const detectors = listFixtures(
  /^(deformable_detr|rt_detr|conditional_detr|detr)[^/]*\/|^trained\/deformable/,
).filter((f) => !f.includes('detr_original'));

describe.skipIf(detectors.length === 0)('removeAuxHeads on other detector exports', () => {
  it.each(detectors)('%s: no Gather over stacked layers left, same outputs', async (rel) => {
    const model = loadFixture(rel);
    const r = await Effect.runPromise(runPass(removeAuxHeads, model));
    prepareRanks(r.model);
    const left = r.model.graph.nodes.filter(
      (n) => n.opType === 'Gather' && typeof findLayerSelect(r.model, n) !== 'string',
    );
    expect(left).toEqual([]);
    if (r.changed) expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });
});
