import * as fs from 'node:fs';
import { equals } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, Model, ModelProtoSchema } from '../../src/index.js';
import { conformanceModels, fixtureModels } from '../onnx/corpus.js';

// The IR must be lossless: loading a model and writing it back with no edit gives the same message.
describe('IR round trip without edits', () => {
  const files = [...conformanceModels(), ...fixtureModels()];

  it('covers the conformance data and the fixtures', () => {
    expect(files.length).toBeGreaterThan(1050);
  });

  it('Model.fromProto(x).toProto() encodes to the bytes of x, for every model', () => {
    const differ: string[] = [];
    for (const file of files) {
      const proto = decodeModel(fs.readFileSync(file));
      const back = Model.fromProto(proto).toProto();
      if (!equals(ModelProtoSchema, back, proto)) {
        differ.push(file);
        continue;
      }
      const a = encodeModel(back);
      const b = encodeModel(proto);
      if (!Buffer.from(a).equals(Buffer.from(b))) differ.push(`${file} (bytes)`);
    }
    expect(differ).toEqual([]);
  });

  it('links every value to its producer and uses (checked on all fixtures)', () => {
    for (const file of fixtureModels()) {
      if (file.includes('external')) continue;
      const { graph } = Model.fromProto(decodeModel(fs.readFileSync(file)));
      const nodes = new Set(graph.nodes);
      for (const n of graph.nodes) {
        n.inputs.forEach((v, i) => {
          if (v) expect(v.uses.some((u) => u.node === n && u.index === i)).toBe(true);
        });
        for (const o of n.outputs) expect(o.producer).toBe(n);
      }
      for (const v of graph.initializers) for (const u of v.uses) expect(nodes.has(u.node)).toBe(true);
    }
  });
});
