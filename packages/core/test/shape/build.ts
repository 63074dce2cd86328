// Small ModelProto builders for tests.
import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT,
  type AttributeProto,
  AttributeProtoSchema,
  type FunctionProto,
  type GraphProto,
  GraphProtoSchema,
  type ModelProto,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  type TensorProto,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from 'onnx-buf';

type AttrVal = number | number[] | string | GraphProto | { f: number } | TensorProto;

export function attr(name: string, v: AttrVal): AttributeProto {
  if (typeof v === 'number') return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v) });
  if (typeof v === 'string')
    return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: v.map(BigInt) });
  if ('f' in v && typeof v.f === 'number')
    return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v.f });
  if ('node' in v) return create(AttributeProtoSchema, { name, type: AT.GRAPH, g: v as GraphProto });
  return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: v as TensorProto });
}

export function node(
  op: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrVal> = {},
  domain = '',
): NodeProto {
  return create(NodeProtoSchema, {
    opType: op,
    domain,
    input: inputs,
    output: outputs,
    name: `${op}_${outputs[0]}`,
    attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
  });
}

const CODES: Record<string, number> = { float32: 1, int64: 7, bool: 9, int32: 6 };

export function vi(name: string, dtype: string, dims?: (number | string | null)[]): ValueInfoProto {
  const shape = dims
    ? create(TensorShapeProtoSchema, {
        dim: dims.map((d) =>
          create(TensorShapeProto_DimensionSchema, {
            value:
              typeof d === 'number'
                ? { case: 'dimValue', value: BigInt(d) }
                : typeof d === 'string'
                  ? { case: 'dimParam', value: d }
                  : { case: undefined },
          }),
        ),
      })
    : undefined;
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(TypeProto_TensorSchema, { elemType: CODES[dtype] ?? 1, ...(shape ? { shape } : {}) }),
      },
    }),
  });
}

export function i64(name: string, dims: number[], values: number[]): TensorProto {
  return create(TensorProtoSchema, {
    name,
    dataType: 7,
    dims: dims.map(BigInt),
    rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer),
  });
}

export function f32(name: string, dims: number[], values: number[]): TensorProto {
  return create(TensorProtoSchema, {
    name,
    dataType: 1,
    dims: dims.map(BigInt),
    rawData: new Uint8Array(Float32Array.from(values).buffer),
  });
}

export function graph(
  nodes: NodeProto[],
  inputs: ValueInfoProto[],
  outputs: ValueInfoProto[],
  initializer: TensorProto[] = [],
  name = 'g',
): GraphProto {
  return create(GraphProtoSchema, { name, node: nodes, input: inputs, output: outputs, initializer });
}

export function model(g: GraphProto, opset = 17, functions: FunctionProto[] = []): ModelProto {
  return create(ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [
      create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) }),
      ...(functions.length ? [create(OperatorSetIdProtoSchema, { domain: 'local', version: 1n })] : []),
    ],
    graph: g,
    functions,
  });
}
