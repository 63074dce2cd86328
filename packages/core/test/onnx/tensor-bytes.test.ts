import type { MessageInitShape } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  createProto,
  TensorProto_DataType as DT,
  decodeModel,
  encodeModel,
  GraphProtoSchema,
  InvalidArgumentError,
  type ModelProto,
  ModelProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  tensorBytes,
  typedView,
} from '../../src/index.js';

const bytesOf = (t: MessageInitShape<typeof TensorProtoSchema>) =>
  Array.from(tensorBytes(createProto(TensorProtoSchema, t)));

describe('tensorBytes from the typed fields', () => {
  it('packs 16-bit and 8-bit types from int32_data as the ONNX spec says', () => {
    // float16 1.0 = 0x3c00, -2.0 = 0xc000; bfloat16 1.0 = 0x3f80.
    expect(bytesOf({ dataType: DT.FLOAT16, dims: [2n], int32Data: [0x3c00, 0xc000] })).toEqual([
      0x00, 0x3c, 0x00, 0xc0,
    ]);
    expect(bytesOf({ dataType: DT.BFLOAT16, dims: [1n], int32Data: [0x3f80] })).toEqual([0x80, 0x3f]);
    expect(bytesOf({ dataType: DT.INT16, dims: [2n], int32Data: [-2, 300] })).toEqual([
      0xfe, 0xff, 0x2c, 0x01,
    ]);
    expect(bytesOf({ dataType: DT.UINT16, dims: [1n], int32Data: [65535] })).toEqual([0xff, 0xff]);
    expect(bytesOf({ dataType: DT.INT8, dims: [3n], int32Data: [-1, 127, -128] })).toEqual([
      0xff, 0x7f, 0x80,
    ]);
    expect(bytesOf({ dataType: DT.UINT8, dims: [2n], int32Data: [0, 255] })).toEqual([0, 255]);
    expect(bytesOf({ dataType: DT.BOOL, dims: [3n], int32Data: [1, 0, 1] })).toEqual([1, 0, 1]);
    // int4: 3 elements packed in 2 bytes, one byte per int32_data entry.
    expect(bytesOf({ dataType: DT.INT4, dims: [3n], int32Data: [0x21, 0x03] })).toEqual([0x21, 0x03]);
  });

  it('writes 32/64-bit and float types little-endian', () => {
    expect(bytesOf({ dataType: DT.INT32, dims: [1n], int32Data: [-2] })).toEqual([0xfe, 0xff, 0xff, 0xff]);
    expect(bytesOf({ dataType: DT.INT64, dims: [1n], int64Data: [-2n] })).toEqual([
      0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ]);
    expect(bytesOf({ dataType: DT.UINT32, dims: [1n], uint64Data: [0xdeadbeefn] })).toEqual([
      0xef, 0xbe, 0xad, 0xde,
    ]);
    expect(bytesOf({ dataType: DT.UINT64, dims: [1n], uint64Data: [1n] })).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(bytesOf({ dataType: DT.FLOAT, dims: [1n], floatData: [1] })).toEqual([0, 0, 0x80, 0x3f]);
    expect(bytesOf({ dataType: DT.DOUBLE, dims: [1n], doubleData: [1] })).toEqual([
      0, 0, 0, 0, 0, 0, 0xf0, 0x3f,
    ]);
    expect(bytesOf({ dataType: DT.COMPLEX64, dims: [1n], floatData: [1, 0] }).length).toBe(8);
  });

  it('checks the byte count against dims and refuses strings', () => {
    expect(() => bytesOf({ dataType: DT.FLOAT, dims: [3n], floatData: [1, 2] })).toThrow(/needs 12/);
    expect(() => bytesOf({ dataType: DT.FLOAT, dims: [2n], rawData: new Uint8Array(7) })).toThrow(
      InvalidArgumentError,
    );
    expect(() => bytesOf({ dataType: DT.STRING, dims: [1n] })).toThrow(/no raw byte form/);
  });
});

function first(m: ModelProto): TensorProto {
  const t = m.graph?.initializer[0];
  if (!t) throw new Error('model has no initializer');
  return t;
}

describe('zero-copy raw_data and unaligned views', () => {
  // A model with one initializer: raw_data lands at an offset decided by the header lengths.
  function modelBytes(name: string, values: Float32Array<ArrayBuffer>): Uint8Array {
    const t = createProto(TensorProtoSchema, {
      name,
      dims: [BigInt(values.length)],
      dataType: DT.FLOAT,
      rawData: new Uint8Array(values.buffer),
    });
    return encodeModel(
      createProto(ModelProtoSchema, { graph: createProto(GraphProtoSchema, { initializer: [t] }) }),
    );
  }
  const values = Float32Array.of(1.5, -2.25, 3e-8, 65504, Number.NaN);

  it('raw_data is a view into the input bytes', () => {
    const bytes = modelBytes('w', values);
    const t = decodeModel(bytes).graph?.initializer[0] as TensorProto;
    expect(t.rawData.buffer).toBe(bytes.buffer);
    bytes[t.rawData.byteOffset] = 0x42; // writing the input shows through the view
    expect(t.rawData[0]).toBe(0x42);
  });

  it('typedView gives the right numbers at every misalignment, copying only when it must', () => {
    let copies = 0;
    for (let name = 'a'; name.length < 9; name += 'b') {
      const bytes = modelBytes(name, values);
      const raw = first(decodeModel(bytes)).rawData;
      const view = typedView(raw, 'float32');
      expect(Array.from(view)).toEqual(Array.from(values));
      expect(view.buffer === bytes.buffer).toBe(raw.byteOffset % 4 === 0);
      if (view.buffer !== bytes.buffer) copies++;
    }
    expect(copies).toBeGreaterThan(0); // the name lengths did produce unaligned raw_data
    // Every offset 0..7 for 8-byte and 2-byte types too.
    const i64 = BigInt64Array.of(-1n, 2n ** 62n);
    const u16 = Uint16Array.of(0x3c00, 0xffff, 7);
    for (let off = 0; off < 8; off++) {
      const buf = new Uint8Array(off + 16);
      buf.set(new Uint8Array(i64.buffer), off);
      expect(Array.from(typedView(buf.subarray(off, off + 16), 'int64'))).toEqual(Array.from(i64));
      buf.set(new Uint8Array(u16.buffer), off);
      expect(Array.from(typedView(buf.subarray(off, off + 6), DT.FLOAT16) as Uint16Array)).toEqual(
        Array.from(u16),
      );
    }
    expect(() => typedView(new Uint8Array(5), 'float32')).toThrow(/whole number/);
    expect(() => typedView(new Uint8Array(4), 999)).toThrow(InvalidArgumentError);
  });
});

describe('unknown fields', () => {
  it('survive decode and encode unchanged', () => {
    const base = encodeModel(createProto(ModelProtoSchema, { irVersion: 9n, producerName: 'x' }));
    // Field 99 (varint 5) and field 100 (bytes "hi"): not in the schema.
    const extra = Uint8Array.of(0x98, 0x06, 0x05, 0xa2, 0x06, 0x02, 0x68, 0x69);
    const bytes = new Uint8Array(base.length + extra.length);
    bytes.set(base);
    bytes.set(extra, base.length);
    const m = decodeModel(bytes);
    expect(m.$unknown?.map((u) => u.no)).toEqual([99, 100]);
    expect(Array.from(encodeModel(m))).toEqual(Array.from(bytes));
  });
});
