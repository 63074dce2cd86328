import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttributeProtoSchema,
  createProto,
  decodeModel,
  ExternalDataPathError,
  ExternalDataRangeError,
  ExternalDataStore,
  encodeModel,
  FileError,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OnnxEncodeError,
  OutputExistsError,
  readModel,
  StringStringEntryProtoSchema,
  type TensorProto,
  TensorProto_DataLocation,
  TensorProto_DataType,
  TensorProtoSchema,
  tensorBytes,
  typedView,
  writeModel,
} from '../../src/index.js';

function externalTensor(
  name: string,
  dims: number[],
  location: string,
  offset?: number,
  length?: number,
): TensorProto {
  const entries = [['location', location]];
  if (offset !== undefined) entries.push(['offset', String(offset)]);
  if (length !== undefined) entries.push(['length', String(length)]);
  return createProto(TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: TensorProto_DataType.FLOAT,
    dataLocation: TensorProto_DataLocation.EXTERNAL,
    externalData: entries.map(([key, value]) => createProto(StringStringEntryProtoSchema, { key, value })),
  });
}

function modelWith(initializer: TensorProto[]) {
  return createProto(ModelProtoSchema, {
    irVersion: 10n,
    graph: createProto(GraphProtoSchema, { name: 'g', initializer }),
  });
}

let root: string;
let dir: string;
const floats = Float32Array.from({ length: 8 }, (_, i) => i * 1.5 - 3);

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'trtkit-ext-'));
  dir = path.join(root, 'model');
  fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
  // w.bin: 8 junk bytes, then 8 floats.
  const w = new Uint8Array(8 + floats.byteLength);
  w.fill(0xee, 0, 8);
  w.set(new Uint8Array(floats.buffer), 8);
  fs.writeFileSync(path.join(dir, 'w.bin'), w);
  fs.writeFileSync(path.join(root, 'secret.bin'), w);
  fs.symlinkSync(path.join(root, 'secret.bin'), path.join(dir, 'link-out.bin'));
  fs.symlinkSync(path.join(dir, 'w.bin'), path.join(dir, 'sub', 'link-in.bin'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('ExternalDataStore', () => {
  it('reads a tensor at its offset, sync and async, and through tensorBytes', async () => {
    const store = new ExternalDataStore(dir, { chunkSize: 3 }); // tiny chunks: exercises the chunked loop
    const t = externalTensor('w', [8], 'w.bin', 8, 32);
    expect(Array.from(typedView(store.readSync(t), 'float32'))).toEqual(Array.from(floats));
    expect(Array.from(typedView(await store.read(t), 'float32'))).toEqual(Array.from(floats));
    expect(Array.from(typedView(tensorBytes(t, store), 'float32'))).toEqual(Array.from(floats));
    // No length: to the end of the file.
    expect(store.readSync(externalTensor('w', [8], 'w.bin', 8)).length).toBe(32);
    // Paths that stay inside the directory are fine, also through a symlink that points inside.
    expect(store.readSync(externalTensor('w', [8], 'sub/../w.bin', 8, 32)).length).toBe(32);
    expect(store.readSync(externalTensor('w', [8], 'sub/link-in.bin', 8, 32)).length).toBe(32);
    store.close();
  });

  it('refuses locations outside the model directory', () => {
    const store = new ExternalDataStore(dir);
    const cases = [
      '/etc/passwd',
      path.join(root, 'secret.bin'),
      '../secret.bin',
      'sub/../../secret.bin',
      'link-out.bin',
    ];
    for (const location of cases) {
      const t = externalTensor('w', [8], location, 8, 32);
      expect(() => store.readSync(t), location).toThrow(ExternalDataPathError);
    }
    expect(() => store.readSync(externalTensor('w', [8], 'w.bin\0x', 8, 32))).toThrow(ExternalDataPathError);
    expect(() => store.readSync(externalTensor('w', [8], '', 8, 32))).toThrow(ExternalDataRangeError);
    store.close();
  });

  it('refuses ranges past the end of the file, bad numbers and lengths that contradict the shape', () => {
    const store = new ExternalDataStore(dir);
    expect(() => store.readSync(externalTensor('w', [8], 'w.bin', 16, 32))).toThrow(/past the end/);
    expect(() => store.readSync(externalTensor('w', [8], 'w.bin', 1000))).toThrow(/past the end/);
    expect(() => store.readSync(externalTensor('w', [4], 'w.bin', 8, 32))).toThrow(/needs 16/);
    const bad = externalTensor('w', [8], 'w.bin');
    bad.externalData.push(createProto(StringStringEntryProtoSchema, { key: 'offset', value: '-8' }));
    expect(() => store.readSync(bad)).toThrow(ExternalDataRangeError);
    expect(() => store.readSync(externalTensor('w', [8], 'missing.bin', 0, 32))).toThrow(FileError);
    store.close();
  });

  it('reads offsets beyond 2 GiB from a sparse file', async () => {
    const big = path.join(dir, 'big.bin');
    const offset = 2 ** 31 + 4096 * 3;
    const fd = fs.openSync(big, 'w');
    fs.ftruncateSync(fd, offset + 4096); // sparse: no 2 GiB written
    fs.writeSync(fd, new Uint8Array(floats.buffer), 0, floats.byteLength, offset);
    fs.closeSync(fd);
    const store = new ExternalDataStore(dir);
    const t = externalTensor('w', [8], 'big.bin', offset, 32);
    expect(Array.from(typedView(await store.read(t), 'float32'))).toEqual(Array.from(floats));
    expect(Array.from(typedView(store.readSync(t), 'float32'))).toEqual(Array.from(floats));
    // An inline write of a 2 GiB+ tensor is refused up front (one protobuf holds at most 2 GiB) ...
    const huge = createProto(TensorProtoSchema, {
      name: 'huge',
      dims: [BigInt((offset + 4096) / 4)],
      dataType: TensorProto_DataType.FLOAT,
      dataLocation: TensorProto_DataLocation.EXTERNAL,
      externalData: [createProto(StringStringEntryProtoSchema, { key: 'location', value: 'big.bin' })],
    });
    await expect(writeModel(path.join(dir, 'huge.onnx'), modelWith([huge]), { store })).rejects.toThrow(
      OnnxEncodeError,
    );
    expect(fs.existsSync(path.join(dir, 'huge.onnx'))).toBe(false);
    store.close();
    fs.rmSync(big);
  });

  it('is lazy: readModel succeeds while the data file is missing, reading fails with a typed error', async () => {
    const file = path.join(dir, 'lazy.onnx');
    fs.writeFileSync(file, encodeModel(modelWith([externalTensor('w', [8], 'not-yet.bin', 0, 32)])));
    const loaded = await readModel(file);
    const t = loaded.model.graph?.initializer[0] as TensorProto;
    expect(() => loaded.externalData.readSync(t)).toThrow(FileError);
    fs.copyFileSync(path.join(dir, 'w.bin'), path.join(dir, 'not-yet.bin'));
    expect(loaded.externalData.readSync(t).length).toBe(32);
    loaded.externalData.close();
  });
});

describe('writeModel', () => {
  const raw = (name: string, values: Float32Array<ArrayBuffer>) =>
    createProto(TensorProtoSchema, {
      name,
      dims: [BigInt(values.length)],
      dataType: TensorProto_DataType.FLOAT,
      rawData: new Uint8Array(values.buffer.slice(0)),
    });

  it('moves weights to an aligned external file and back, keeping the values', async () => {
    const out = path.join(dir, 'w-out.onnx');
    const small = raw('small', Float32Array.of(1, 2));
    const model = modelWith([raw('a', floats), small, externalTensor('b', [8], 'w.bin', 8, 32)]);
    const store = new ExternalDataStore(dir);
    const res = await writeModel(out, model, {
      store,
      externalData: { location: 'out/../w-out.bin', threshold: 16, align: 64 },
    });
    expect(res.externalTensors).toBe(2);
    expect(res.externalBytes).toBe(64 + 32);
    const back = await readModel(out);
    const [a, s, b] = back.model.graph?.initializer ?? [];
    expect(a?.dataLocation).toBe(TensorProto_DataLocation.EXTERNAL);
    expect(a?.externalData.map((e) => [e.key, e.value])).toEqual([
      ['location', 'out/../w-out.bin'],
      ['offset', '0'],
      ['length', '32'],
    ]);
    expect(b?.externalData.find((e) => e.key === 'offset')?.value).toBe('64');
    expect(s?.dataLocation).toBe(TensorProto_DataLocation.DEFAULT); // under the threshold: stays inline
    for (const t of [a, b]) {
      expect(Array.from(typedView(tensorBytes(t as TensorProto, back.externalData), 'float32'))).toEqual(
        Array.from(floats),
      );
    }
    // Back inline: no external_data left, same values.
    const inl = path.join(dir, 'w-inline.onnx');
    await writeModel(inl, back.model, { store: back.externalData });
    const again = decodeModel(fs.readFileSync(inl));
    for (const t of again.graph?.initializer ?? []) {
      expect(t.dataLocation).toBe(TensorProto_DataLocation.DEFAULT);
      expect(t.externalData).toEqual([]);
    }
    expect(Array.from(typedView(tensorBytes(again.graph?.initializer[2] as TensorProto), 'float32'))).toEqual(
      Array.from(floats),
    );
    back.externalData.close();
    store.close();
  });

  it('refuses to overwrite unless asked, and leaves no temporary files', async () => {
    const out = path.join(dir, 'keep.onnx');
    fs.writeFileSync(out, 'user data');
    const model = modelWith([raw('a', floats)]);
    await expect(writeModel(out, model)).rejects.toThrow(OutputExistsError);
    expect(fs.readFileSync(out, 'utf8')).toBe('user data');
    await writeModel(out, model, { overwrite: true });
    expect(decodeModel(fs.readFileSync(out)).graph?.initializer[0]?.name).toBe('a');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // The data file counts too.
    fs.writeFileSync(path.join(dir, 'taken.bin'), 'x');
    await expect(
      writeModel(path.join(dir, 'new.onnx'), model, {
        externalData: { location: 'taken.bin', threshold: 0 },
      }),
    ).rejects.toThrow(OutputExistsError);
  });

  it('refuses external data locations outside the output directory', async () => {
    const model = modelWith([raw('a', floats)]);
    for (const location of ['../x.bin', '/tmp/x.bin']) {
      await expect(
        writeModel(path.join(dir, 'esc.onnx'), model, { externalData: { location, threshold: 0 } }),
      ).rejects.toThrow(ExternalDataPathError);
    }
  });

  it('inlines external tensors below the top level (subgraph initializers, Constant attributes)', async () => {
    const inner = createProto(GraphProtoSchema, {
      name: 'then',
      initializer: [externalTensor('sub', [8], 'w.bin', 8, 32)],
    });
    const node = createProto(NodeProtoSchema, {
      opType: 'If',
      attribute: [
        createProto(AttributeProtoSchema, { name: 'then_branch', type: 5, g: inner }),
        createProto(AttributeProtoSchema, {
          name: 'value',
          type: 4,
          t: externalTensor('c', [8], 'w.bin', 8, 32),
        }),
      ],
    });
    const model = modelWith([]);
    model.graph?.node.push(node);
    const store = new ExternalDataStore(dir);
    const out = path.join(dir, 'nested.onnx');
    await writeModel(out, model, { store });
    const back = decodeModel(fs.readFileSync(out));
    const attrs = back.graph?.node[0]?.attribute ?? [];
    for (const t of [attrs[0]?.g?.initializer[0], attrs[1]?.t]) {
      expect(t?.dataLocation).toBe(TensorProto_DataLocation.DEFAULT);
      expect(Array.from(typedView(tensorBytes(t as TensorProto), 'float32'))).toEqual(Array.from(floats));
    }
    // The caller's model is left as it was.
    expect(model.graph?.node[0]?.attribute[1]?.t?.dataLocation).toBe(TensorProto_DataLocation.EXTERNAL);
    store.close();
  });

  it('needs a store to write tensors that live in external data', async () => {
    const model = modelWith([externalTensor('b', [8], 'w.bin', 8, 32)]);
    await expect(writeModel(path.join(dir, 'nostore.onnx'), model)).rejects.toThrow(/store/);
  });
});
