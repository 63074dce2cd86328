import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT,
  type AttributeProto,
  AttributeProtoSchema,
  type GraphProto,
  type TensorProto,
} from '../onnx/schema.js';
import { IrTensor } from './tensor.js';

/** An attribute read back with its ONNX kind. Graph-valued attributes stay protos (subgraph bodies). */
export type AttrReading =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: number[] }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'floats'; readonly value: number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'strings'; readonly value: string[] }
  | { readonly kind: 'tensor'; readonly value: IrTensor | undefined }
  | { readonly kind: 'graph'; readonly value: GraphProto | undefined }
  | { readonly kind: 'graphs'; readonly value: GraphProto[] }
  | { readonly kind: 'other'; readonly value: AttributeProto };

/** What a pass may write: the kind and a plain value. */
export type AttrWrite =
  | { readonly int: number }
  | { readonly ints: readonly number[] }
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly string: string }
  | { readonly strings: readonly string[] }
  | { readonly tensor: TensorProto };

const text = new TextDecoder();
const bytes = new TextEncoder();

export function readAttr(a: AttributeProto): AttrReading {
  switch (a.type) {
    case AT.INT:
      return { kind: 'int', value: Number(a.i) };
    case AT.INTS:
      return { kind: 'ints', value: a.ints.map(Number) };
    case AT.FLOAT:
      return { kind: 'float', value: a.f };
    case AT.FLOATS:
      return { kind: 'floats', value: [...a.floats] };
    case AT.STRING:
      return { kind: 'string', value: text.decode(a.s) };
    case AT.STRINGS:
      return { kind: 'strings', value: a.strings.map((s) => text.decode(s)) };
    case AT.TENSOR:
      return { kind: 'tensor', value: a.t ? new IrTensor(a.t) : undefined };
    case AT.GRAPH:
      return { kind: 'graph', value: a.g };
    case AT.GRAPHS:
      return { kind: 'graphs', value: [...a.graphs] };
    default:
      return { kind: 'other', value: a };
  }
}

export function makeAttr(name: string, w: AttrWrite): AttributeProto {
  if ('int' in w) return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(Math.trunc(w.int)) });
  if ('ints' in w)
    return create(AttributeProtoSchema, {
      name,
      type: AT.INTS,
      ints: w.ints.map((x) => BigInt(Math.trunc(x))),
    });
  if ('float' in w) return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: w.float });
  if ('floats' in w) return create(AttributeProtoSchema, { name, type: AT.FLOATS, floats: [...w.floats] });
  if ('string' in w)
    return create(AttributeProtoSchema, {
      name,
      type: AT.STRING,
      s: bytes.encode(w.string) as Uint8Array<ArrayBuffer>,
    });
  if ('strings' in w)
    return create(AttributeProtoSchema, {
      name,
      type: AT.STRINGS,
      strings: w.strings.map((s) => bytes.encode(s) as Uint8Array<ArrayBuffer>),
    });
  return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: w.tensor });
}

/** Graphs held by a node's attributes (If branches, Loop/Scan bodies). */
export function subgraphsOf(attrs: readonly AttributeProto[]): GraphProto[] {
  const out: GraphProto[] = [];
  for (const a of attrs) {
    if (a.g) out.push(a.g);
    out.push(...a.graphs);
  }
  return out;
}
