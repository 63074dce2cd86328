import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import { prepareRanks } from '../../../src/pass/graph/index.js';
import type { Model } from '../../../src/pass/graph/ir.js';
import { runPass } from '../../../src/pass/index.js';
import { fuseLayerNorm, matchLayerNorm } from '../../../src/passes/index.js';
import { listFixtures, loadFixture } from '../support/fixtures.js';
import { compareModels, opCount } from '../support/reference.js';

// Opset-14 exports carry LayerNorm decomposed (LayerNormalization arrived in opset 17).
const op14 = listFixtures(/ts_op14/);

function decomposedCount(m: Model): number {
  prepareRanks(m);
  return m.graph.nodes.filter((n) => n.opType === 'ReduceMean' && matchLayerNorm(m.graph, n)).length;
}

describe.skipIf(op14.length === 0)('fuseLayerNorm on opset-14 exports', () => {
  it.each(op14)('%s: no ReduceMean-based LayerNorm left, outputs within 1e-5', async (rel) => {
    const model = loadFixture(rel);
    const before = decomposedCount(model);
    const r = await Effect.runPromise(runPass(fuseLayerNorm, model));
    expect(decomposedCount(r.model)).toBe(0);
    expect(opCount(r.model, 'LayerNormalization') - opCount(model, 'LayerNormalization')).toBe(before);
    if (rel.startsWith('segformer/')) expect(before).toBeGreaterThan(0);
    if (before > 0) expect(await compareModels(model, r.model)).toBeLessThanOrEqual(1e-5);
  });
});
