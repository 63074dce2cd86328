import { equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  AttributeProtoSchema,
  createProto,
  decodeModel,
  encodeModel,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OnnxEncodeError,
  StringStringEntryProtoSchema,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
} from '../../src/index.js';

// The decoder is our own; protobuf-es (fromBinary) is the reference it must agree with, and encodeModel must
// write what toBinary writes.
function awkwardModel() {
  const dim = (v: bigint | string) =>
    createProto(TensorShapeProto_DimensionSchema, {
      value: typeof v === 'string' ? { case: 'dimParam', value: v } : { case: 'dimValue', value: v },
    });
  return createProto(ModelProtoSchema, {
    irVersion: 13n,
    producerName: 'ünïcødé \u{1F600} and a lone surrogate \uD800 and a BOM \uFEFF',
    modelVersion: -5n, // negative int64: ten-byte varint
    metadataProps: [createProto(StringStringEntryProtoSchema, { key: '', value: 'empty key' })],
    graph: createProto(GraphProtoSchema, {
      name: 'g',
      node: [
        createProto(NodeProtoSchema, {
          opType: 'Gather',
          input: ['a', ''],
          output: ['b'],
          attribute: [
            createProto(AttributeProtoSchema, { name: 'axis', type: 2, i: -1n }),
            createProto(AttributeProtoSchema, { name: 'f', type: 1, f: -0 }),
            createProto(AttributeProtoSchema, {
              name: 'fs',
              type: 6,
              floats: [1.5, Number.POSITIVE_INFINITY, -0, 3e38],
            }),
            createProto(AttributeProtoSchema, {
              name: 'is',
              type: 7,
              ints: [0n, -1n, 2n ** 62n, -(2n ** 63n)],
            }),
            createProto(AttributeProtoSchema, { name: 's', type: 3, s: new Uint8Array([0, 255, 128]) }),
          ],
        }),
      ],
      initializer: [
        createProto(TensorProtoSchema, {
          name: 'i32',
          dataType: 6,
          dims: [3n],
          int32Data: [-1, 0, 2147483647],
        }),
        createProto(TensorProtoSchema, {
          name: 'u64',
          dataType: 13,
          dims: [1n],
          uint64Data: [2n ** 64n - 1n],
        }),
        createProto(TensorProtoSchema, { name: 'd', dataType: 11, dims: [1n], doubleData: [Math.PI] }),
      ],
      input: [
        createProto(ValueInfoProtoSchema, {
          name: 'a',
          type: createProto(TypeProtoSchema, {
            value: {
              case: 'tensorType',
              value: createProto(TypeProto_TensorSchema, {
                elemType: 1,
                shape: createProto(TensorShapeProtoSchema, { dim: [dim('batch'), dim(3n), dim(0n)] }),
              }),
            },
          }),
        }),
      ],
    }),
  });
}

describe('encodeModel / decodeModel against protobuf-es', () => {
  it('encode writes exactly what toBinary writes, decode builds what fromBinary builds', () => {
    const m = awkwardModel();
    const ours = encodeModel(m);
    const reference = toBinary(ModelProtoSchema, m);
    expect(Array.from(ours)).toEqual(Array.from(reference));
    const back = decodeModel(ours);
    expect(equals(ModelProtoSchema, back, fromBinary(ModelProtoSchema, reference))).toBe(true);
    expect(back.graph?.node[0]?.attribute[1]?.f).toBe(-0);
    expect(back.modelVersion).toBe(-5n);
    expect(back.graph?.initializer[1]?.uint64Data[0]).toBe(2n ** 64n - 1n);
  });

  it('keeps presence: a field set to its default is written, an unset one is not', () => {
    const set = createProto(ModelProtoSchema, { irVersion: 0n });
    const unset = createProto(ModelProtoSchema, {});
    expect(Array.from(encodeModel(set))).toEqual([0x08, 0x00]);
    expect(encodeModel(unset).length).toBe(0);
    expect(Object.hasOwn(decodeModel(encodeModel(set)), 'irVersion')).toBe(true);
    expect(Object.hasOwn(decodeModel(encodeModel(unset)), 'irVersion')).toBe(false);
  });

  it('refuses values of the wrong type with a typed error', () => {
    const m = createProto(ModelProtoSchema, {});
    (m as unknown as { irVersion: unknown }).irVersion = { not: 'a number' };
    expect(() => encodeModel(m)).toThrow(OnnxEncodeError);
  });
});
