// The TypeScript evaluator (constant folding in @trtkit/core) against ONNX Runtime on random small inputs.
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  Attrs,
  createProto,
  DTYPES,
  type DType,
  encodeModel,
  evaluateNode,
  GraphProtoSchema,
  type HostTensor,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  tensor,
  ValueInfoProtoSchema,
} from '@trtkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { OrtBackend } from '../src/index.js';

type A = number | number[] | { t: HostTensor };

function protoAttr(name: string, v: A) {
  if (typeof v === 'number') return createProto(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v) });
  if (Array.isArray(v))
    return createProto(AttributeProtoSchema, { name, type: AT.INTS, ints: v.map(BigInt) });
  const d = v.t.data as ArrayBufferView;
  const t = createProto(TensorProtoSchema, {
    dataType: DTYPES[v.t.dtype].onnx,
    dims: v.t.dims.map(BigInt),
    rawData: new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice(),
  });
  return createProto(AttributeProtoSchema, { name, type: AT.TENSOR, t });
}

const typeOf = (dtype: DType) =>
  createProto(TypeProtoSchema, {
    value: {
      case: 'tensorType',
      value: createProto(TypeProto_TensorSchema, { elemType: DTYPES[dtype].onnx }),
    },
  });

// Deterministic pseudo-random numbers so a failure reproduces.
let seed = 12345;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const ints = (dims: number[], lo: number, hi: number): HostTensor =>
  tensor(
    'int64',
    dims,
    BigInt64Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () =>
      BigInt(Math.floor(lo + rnd() * (hi - lo))),
    ),
  );
const nonzero = (dims: number[], lo: number, hi: number): HostTensor => {
  const t = ints(dims, lo, hi);
  const d = t.data as BigInt64Array;
  for (let i = 0; i < d.length; i++) if (d[i] === 0n) d[i] = 3n;
  return t;
};
const floats = (dims: number[], lo: number, hi: number): HostTensor =>
  tensor(
    'float32',
    dims,
    Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => lo + rnd() * (hi - lo)),
  );
const i64 = (dims: number[], v: number[]) => tensor('int64', dims, BigInt64Array.from(v.map(BigInt)));
const bools = (dims: number[]) =>
  tensor(
    'bool',
    dims,
    Uint8Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (rnd() < 0.5 ? 1 : 0)),
  );

interface Case {
  readonly name: string;
  readonly op: string;
  readonly inputs: (HostTensor | undefined)[];
  readonly attrs?: Record<string, A>;
  readonly outputs?: DType[];
  readonly opset?: number;
}

const CASES: Case[] = [
  { name: 'Add broadcast', op: 'Add', inputs: [ints([2, 3], -50, 50), ints([3], -50, 50)] },
  { name: 'Sub', op: 'Sub', inputs: [ints([4], -50, 50), ints([1], -50, 50)] },
  { name: 'Mul', op: 'Mul', inputs: [ints([2, 1], -50, 50), ints([1, 3], -50, 50)] },
  { name: 'Div int truncates', op: 'Div', inputs: [ints([12], -50, 50), nonzero([12], -7, 7)] },
  { name: 'Div float', op: 'Div', inputs: [floats([6], -5, 5), floats([6], 0.5, 3)], outputs: ['float32'] },
  { name: 'Mod int (sign of divisor)', op: 'Mod', inputs: [ints([12], -50, 50), nonzero([12], -7, 7)] },
  {
    name: 'Mod fmod',
    op: 'Mod',
    inputs: [floats([8], -9, 9), floats([8], 1, 4)],
    attrs: { fmod: 1 },
    outputs: ['float32'],
  },
  { name: 'Min/Max', op: 'Max', inputs: [ints([5], -9, 9), ints([5], -9, 9)] },
  { name: 'Equal', op: 'Equal', inputs: [ints([6], 0, 3), ints([6], 0, 3)], outputs: ['bool'] },
  { name: 'Less', op: 'Less', inputs: [ints([6], 0, 3), ints([1], 0, 3)], outputs: ['bool'] },
  { name: 'Greater', op: 'Greater', inputs: [floats([6], 0, 3), floats([6], 0, 3)], outputs: ['bool'] },
  { name: 'And', op: 'And', inputs: [bools([5]), bools([5])], outputs: ['bool'] },
  { name: 'Not', op: 'Not', inputs: [bools([5])], outputs: ['bool'] },
  {
    name: 'Where',
    op: 'Where',
    inputs: [bools([2, 3]), ints([3], -9, 9), ints([2, 1], -9, 9)],
    outputs: ['int64'],
  },
  { name: 'Neg', op: 'Neg', inputs: [ints([4], -9, 9)] },
  { name: 'Abs', op: 'Abs', inputs: [ints([4], -9, 9)] },
  { name: 'Floor', op: 'Floor', inputs: [floats([6], -5, 5)], outputs: ['float32'] },
  { name: 'Ceil', op: 'Ceil', inputs: [floats([6], -5, 5)], outputs: ['float32'] },
  { name: 'Sqrt', op: 'Sqrt', inputs: [floats([6], 0, 50)], outputs: ['float32'] },
  {
    name: 'Cast float->int64 truncates',
    op: 'Cast',
    inputs: [floats([8], -9, 9)],
    attrs: { to: 7 },
    outputs: ['int64'],
  },
  {
    name: 'Cast int64->float',
    op: 'Cast',
    inputs: [ints([4], -900, 900)],
    attrs: { to: 1 },
    outputs: ['float32'],
  },
  {
    name: 'Cast int64->int32',
    op: 'Cast',
    inputs: [ints([4], -900, 900)],
    attrs: { to: 6 },
    outputs: ['int32'],
  },
  {
    name: 'Shape start/end',
    op: 'Shape',
    inputs: [floats([2, 3, 4, 5], 0, 1)],
    attrs: { start: 1, end: -1 },
    outputs: ['int64'],
  },
  { name: 'Size', op: 'Size', inputs: [floats([2, 3, 4], 0, 1)], outputs: ['int64'] },
  {
    name: 'Gather negative indices',
    op: 'Gather',
    inputs: [ints([3, 4], 0, 99), i64([2], [-1, 1])],
    attrs: { axis: 1 },
  },
  { name: 'Gather scalar index', op: 'Gather', inputs: [ints([5], 0, 99), i64([], [-2])] },
  {
    name: 'Slice negative step',
    op: 'Slice',
    inputs: [ints([6, 4], 0, 99), i64([1], [-1]), i64([1], [-100]), i64([1], [0]), i64([1], [-2])],
  },
  {
    name: 'Slice INT64_MAX end',
    op: 'Slice',
    inputs: [ints([5, 4], 0, 99), i64([2], [1, 1]), i64([2], [9.2e18, 3]), i64([2], [0, 1])],
  },
  { name: 'Concat', op: 'Concat', inputs: [ints([2, 1], 0, 9), ints([2, 3], 0, 9)], attrs: { axis: -1 } },
  { name: 'Unsqueeze', op: 'Unsqueeze', inputs: [ints([3], 0, 9), i64([2], [0, -1])] },
  { name: 'Squeeze', op: 'Squeeze', inputs: [ints([1, 3, 1], 0, 9), i64([1], [2])] },
  { name: 'Reshape 0 and -1', op: 'Reshape', inputs: [ints([2, 3, 4], 0, 9), i64([3], [0, -1, 2])] },
  { name: 'Flatten', op: 'Flatten', inputs: [ints([2, 3, 4], 0, 9)], attrs: { axis: 2 } },
  { name: 'Transpose', op: 'Transpose', inputs: [ints([2, 3, 4], 0, 99)], attrs: { perm: [2, 0, 1] } },
  { name: 'Expand', op: 'Expand', inputs: [ints([3, 1], 0, 9), i64([3], [2, 1, 4])] },
  { name: 'Tile', op: 'Tile', inputs: [ints([2, 3], 0, 9), i64([2], [2, 3])] },
  { name: 'Range int', op: 'Range', inputs: [i64([], [10]), i64([], [-3]), i64([], [-4])] },
  {
    name: 'Range float',
    op: 'Range',
    inputs: [
      tensor('float32', [], Float32Array.of(0.5)),
      tensor('float32', [], Float32Array.of(3.2)),
      tensor('float32', [], Float32Array.of(0.7)),
    ],
    outputs: ['float32'],
  },
  {
    name: 'ConstantOfShape',
    op: 'ConstantOfShape',
    inputs: [i64([2], [2, 3])],
    attrs: { value: { t: i64([1], [7]) } },
  },
  { name: 'ReduceProd', op: 'ReduceProd', inputs: [ints([2, 3], 1, 5)], attrs: { axes: [1], keepdims: 0 } },
  { name: 'ReduceSum axes input', op: 'ReduceSum', inputs: [ints([2, 3], -5, 5), i64([1], [0])] },
  { name: 'Split', op: 'Split', inputs: [ints([6, 2], 0, 9), i64([2], [2, 4])], outputs: ['int64', 'int64'] },
  {
    name: 'Split even (opset 18)',
    op: 'Split',
    inputs: [ints([7], 0, 9)],
    attrs: { num_outputs: 3 },
    outputs: ['int64', 'int64', 'int64'],
    opset: 18,
  },
  { name: 'NonZero', op: 'NonZero', inputs: [bools([3, 4])], outputs: ['int64'] },
];

const backend = new OrtBackend({ graphOptimizationLevel: 'disabled' } as never);
const engines: { dispose(): Promise<void> }[] = [];
afterAll(async () => {
  for (const e of engines) await e.dispose();
});

async function runOrt(c: Case): Promise<HostTensor[]> {
  const opset = c.opset ?? 17;
  const inNames = c.inputs.map((t, i) => (t ? `in${i}` : ''));
  const outTypes = c.outputs ?? [c.inputs[0]?.dtype ?? 'int64'];
  const node = createProto(NodeProtoSchema, {
    opType: c.op,
    input: inNames,
    output: outTypes.map((_, i) => `out${i}`),
    attribute: Object.entries(c.attrs ?? {}).map(([k, v]) => protoAttr(k, v)),
  });
  const model = createProto(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [createProto(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) })],
    graph: createProto(GraphProtoSchema, {
      name: c.name,
      node: [node],
      input: c.inputs.flatMap((t, i) =>
        t ? [createProto(ValueInfoProtoSchema, { name: `in${i}`, type: typeOf(t.dtype) })] : [],
      ),
      output: outTypes.map((d, i) => createProto(ValueInfoProtoSchema, { name: `out${i}`, type: typeOf(d) })),
    }),
  });
  const engine = await backend.build(encodeModel(model));
  engines.push(engine);
  const feeds: Record<string, HostTensor> = {};
  c.inputs.forEach((t, i) => {
    if (t) feeds[`in${i}`] = t;
  });
  const out = await engine.run(feeds);
  return outTypes.map((_, i) => out[`out${i}`] as HostTensor);
}

function attrsOf(c: Case): Attrs {
  return new Attrs(Object.entries(c.attrs ?? {}).map(([k, v]) => protoAttr(k, v)));
}

describe('evaluator vs ONNX Runtime', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const want = await runOrt(c);
      const got = evaluateNode(c.op, c.inputs, attrsOf(c), c.opset ?? 17, want.length);
      expect(got, 'evaluator handles it').toBeDefined();
      want.forEach((w, i) => {
        const g = got?.[i] as HostTensor;
        expect(g.dtype).toBe(w.dtype);
        expect(g.dims).toEqual([...w.dims]);
        const a = Array.from(g.data as ArrayLike<number | bigint>, Number);
        const b = Array.from(w.data as ArrayLike<number | bigint>, Number);
        if (w.dtype === 'float32') {
          for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(b[k] as number, 5);
        } else expect(a).toEqual(b);
      });
    });
  }
});
