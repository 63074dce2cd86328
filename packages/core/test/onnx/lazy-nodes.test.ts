import * as fs from 'node:fs';
import { equals } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, Model, ModelProtoSchema, OnnxDecodeError } from '../../src/index.js';
import { conformanceModels, fixtureModels } from './corpus.js';

describe('decodeModel with lazyNodes', () => {
  it('gives the same message as the eager decode once read, for every conformance model and fixture', () => {
    const differ: string[] = [];
    for (const file of [...conformanceModels(), ...fixtureModels()]) {
      const bytes = fs.readFileSync(file);
      const lazy = decodeModel(bytes, { lazyNodes: true });
      const eager = decodeModel(bytes);
      if (!equals(ModelProtoSchema, lazy, eager)) differ.push(file);
      else if (!Buffer.from(encodeModel(lazy)).equals(Buffer.from(encodeModel(eager))))
        differ.push(`${file} (bytes)`);
    }
    expect(differ).toEqual([]);
  });

  it('decodes nothing of the nodes until they are read, then keeps the list', () => {
    const file = fixtureModels().find((f) => f.endsWith('trained/detr_original.onnx')) as string;
    const lazy = decodeModel(fs.readFileSync(file), { lazyNodes: true });
    const g = lazy.graph;
    if (!g) throw new Error('no graph');
    expect(Object.getOwnPropertyDescriptor(g, 'node')?.get).toBeDefined();
    const first = g.node;
    expect(first.length).toBe(916);
    expect(g.node).toBe(first);
    expect(Object.getOwnPropertyDescriptor(g, 'node')?.get).toBeUndefined();
    // The IR builds from it like from an eager decode.
    expect(Model.fromProto(decodeModel(fs.readFileSync(file), { lazyNodes: true })).graph.nodes.length).toBe(
      916,
    );
  });

  it('reports a malformed node at first access with its byte offset, not at load', () => {
    const file = fixtureModels().find((f) => f.endsWith('detr/ts_op17.onnx')) as string;
    const bytes = new Uint8Array(fs.readFileSync(file));
    const eager = decodeModel(bytes);
    const name = eager.graph?.node[5]?.opType as string;
    // Corrupt the tag byte in front of one node's op_type string (field 4, wire type 2: 0x22) into an invalid tag.
    const needle = Buffer.from(name);
    const at = Buffer.from(bytes).indexOf(Buffer.concat([Buffer.from([0x22, needle.length]), needle]));
    expect(at).toBeGreaterThan(0);
    bytes[at] = 0x07; // field 0, wire type 7: never valid
    const lazy = decodeModel(bytes, { lazyNodes: true });
    expect(() => lazy.graph?.node.length).toThrow(OnnxDecodeError);
    expect(() => decodeModel(bytes)).toThrow(OnnxDecodeError);
  });
});
