// Small in-code ONNX models for pass tests.
import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  DTYPES,
  type DType,
  type GraphProto,
  GraphProtoSchema,
  type ModelProto,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  Model as PModel,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
} from '@trtkit/core';

export type Attr = number | number[] | string | { f: number } | { t: Const } | { g: GraphProto };
export interface Const {
  dtype: 'float32' | 'int64' | 'float64' | 'bool';
  dims: number[];
  data: number[];
}
export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
  domain?: string;
}
export interface Io {
  name: string;
  dtype?: DType;
  dims: (number | string)[];
}

function tensorProto(name: string, c: Const) {
  const bytes =
    c.dtype === 'float32'
      ? new Uint8Array(Float32Array.from(c.data).buffer)
      : c.dtype === 'float64'
        ? new Uint8Array(Float64Array.from(c.data).buffer)
        : c.dtype === 'bool'
          ? Uint8Array.from(c.data)
          : new Uint8Array(BigInt64Array.from(c.data.map(BigInt)).buffer);
  return create(TensorProtoSchema, {
    name,
    dataType: DTYPES[c.dtype].onnx,
    dims: c.dims.map(BigInt),
    rawData: bytes,
  });
}

function valueInfo(io: Io) {
  return create(ValueInfoProtoSchema, {
    name: io.name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, {
          elemType: DTYPES[io.dtype ?? 'float32'].onnx,
          shape: create(TensorShapeProtoSchema, {
            dim: io.dims.map((d) =>
              create(TensorShapeProto_DimensionSchema, {
                value:
                  typeof d === 'number'
                    ? { case: 'dimValue', value: BigInt(d) }
                    : { case: 'dimParam', value: d },
              }),
            ),
          }),
        }),
      },
    }),
  });
}

function attribute(name: string, v: Attr) {
  if (typeof v === 'number') return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v) });
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: v.map(BigInt) });
  if (typeof v === 'string')
    return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(v) });
  if ('f' in v) return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v.f });
  if ('g' in v) return create(AttributeProtoSchema, { name, type: AT.GRAPH, g: v.g });
  return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: tensorProto('', v.t) });
}

export function buildProto(spec: {
  opset: number;
  inputs: Io[];
  outputs: Io[];
  nodes: NodeSpec[];
  consts?: Record<string, Const>;
}): ModelProto {
  const graph = create(GraphProtoSchema, {
    name: 'test',
    node: spec.nodes.map((n, i) =>
      create(NodeProtoSchema, {
        opType: n.op,
        domain: n.domain ?? '',
        name: `n${i}_${n.op}`,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      }),
    ),
    initializer: Object.entries(spec.consts ?? {}).map(([k, c]) => tensorProto(k, c)),
    input: spec.inputs.map(valueInfo),
    output: spec.outputs.map(valueInfo),
  });
  return create(ModelProtoSchema, {
    irVersion: 8n,
    producerName: 'trtkit-test',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(spec.opset) })],
    graph,
  });
}

/** A subgraph (If/Loop body) reading outer values by name. */
export function buildGraph(spec: { nodes: NodeSpec[]; outputs: Io[] }): GraphProto {
  const m = buildProto({ opset: 17, inputs: [], outputs: spec.outputs, nodes: spec.nodes });
  return m.graph as GraphProto;
}

export function buildModel(spec: Parameters<typeof buildProto>[0]): PModel {
  return PModel.fromProto(buildProto(spec));
}

/** Deterministic pseudo-random floats in [-1, 1). */
export function randn(n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31) * 2 - 1;
  });
}

export const f32 = (dims: number[], seed = 1): Const => ({
  dtype: 'float32',
  dims,
  data: randn(
    dims.reduce((a, b) => a * b, 1),
    seed,
  ),
});
export const i64 = (data: number[], dims: number[] = [data.length]): Const => ({
  dtype: 'int64',
  dims,
  data,
});
