// simplify on every exported fixture model: same outputs on ONNX Runtime, fewer nodes, no static Shape left.
import { encodeModel, type ModelProto, Model as PModel } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import { simplifyModel } from '../../../src/passes/simplify/index.js';
import { listFixtures, loadFixtureProto } from '../support/fixtures.js';
import { compareModels } from '../support/reference.js';

const staticShape = (m: ModelProto): string => {
  const x = m.graph?.input[0];
  const dims = x?.type?.value.case === 'tensorType' ? (x.type.value.value.shape?.dim ?? []) : [];
  return `${x?.name}:${dims.map((d) => (d.value.case === 'dimValue' ? String(d.value.value) : '1')).join('x')}`;
};

const models = listFixtures(/./);

describe('simplify on fixture exports', () => {
  it('finds fixture models to test', () => {
    expect(models.length).toBeGreaterThan(0);
  });

  for (const rel of models) {
    for (const mode of ['symbolic', 'static'] as const) {
      it(`${rel} (${mode} input shapes)`, async () => {
        const proto = await loadFixtureProto(rel);
        const bytesBefore = encodeModel(proto);
        const { model, report } = await simplifyModel(
          proto,
          mode === 'static' ? { inputShapes: staticShape(proto) } : {},
        );
        expect(report.fixpoint).toBe(true);
        expect(report.nodesAfter).toBeLessThan(report.nodesBefore);
        expect(report.staticShapeNodesLeft).toBe(0);
        if (mode === 'static') expect(model.graph?.node.filter((n) => n.opType === 'Shape')).toEqual([]);
        // Same outputs on the reference backend (float32: max abs error <= 1e-5 relative to output scale).
        const err = await compareModels(PModel.fromProto(proto), PModel.fromProto(model));
        expect(err).toBeLessThanOrEqual(1e-5);
        // The input model is untouched.
        expect(Buffer.from(encodeModel(proto)).equals(Buffer.from(bytesBefore))).toBe(true);
      });
    }
  }
});
