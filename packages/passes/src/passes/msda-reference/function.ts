import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT,
  type AttributeProto,
  AttributeProtoSchema,
  type FunctionProto,
  FunctionProtoSchema,
  type ModelProto,
  type NodeProto,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
} from '@trtkit/core';
import { MSDA_DOMAIN, MSDA_OP } from '../fuse-deformable-attention/fuse-deformable-attention.js';

type Attr = number | number[] | string;

function attr(name: string, v: Attr): AttributeProto {
  if (typeof v === 'string')
    return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: v.map(BigInt) });
  return Number.isInteger(v) && name !== 'value_float'
    ? create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(v) })
    : create(AttributeProtoSchema, { name, type: AT.FLOAT, f: v });
}

/** Builds the body of the reference function: a tiny node list writer with fresh local names. */
class Body {
  readonly nodes: NodeProto[] = [];
  #n = 0;
  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}): string {
    const out = `t${this.#n++}`;
    this.nodes.push(
      create(NodeProtoSchema, {
        opType,
        input: inputs,
        output: [out],
        attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
      }),
    );
    return out;
  }
  ints(v: number[]): string {
    return this.op('Constant', [], { value_ints: v });
  }
  int(v: number): string {
    return this.op('Constant', [], { value_int: v });
  }
  float(v: number): string {
    return this.op('Constant', [], { value_float: v });
  }
  part(shape: string, from: number): string {
    return this.op('Slice', [shape, this.ints([from]), this.ints([from + 1])]);
  }
}

/**
 * MSDA (plugin I/O: value [N,S,M,D], spatial_shapes [L,2] int32, level_start_index [L] int32,
 * sampling_locations [N,Lq,M,L,P,2], attention_weights [N,Lq,M,L,P] -> [N,Lq,M,D]) in standard ops,
 * unrolled over `levels`: per level Slice the value, reshape to [N*M,D,H,W], GridSample(bilinear, zeros,
 * align_corners=0) at 2*loc-1, weight and sum. Level geometry is read from the inputs, so one body serves
 * static and dynamic input sizes.
 */
export function msdaReferenceFunction(levels: number, opset = 17): FunctionProto {
  const b = new Body();
  const [value, ss, lsi, loc, w] = [
    'value',
    'spatial_shapes',
    'level_start_index',
    'sampling_locations',
    'attention_weights',
  ];
  const shv = b.op('Shape', [value]);
  const shl = b.op('Shape', [loc]);
  const [n, m, d] = [b.part(shv, 0), b.part(shv, 2), b.part(shv, 3)];
  const [lq, p] = [b.part(shl, 1), b.part(shl, 4)];
  const minus1 = b.ints([-1]);
  const ss64 = b.op('Cast', [ss], { to: 7 });
  const ls64 = b.op('Cast', [lsi], { to: 7 });
  const grid = b.op('Sub', [b.op('Mul', [loc, b.float(2)]), b.float(1)]);
  const mode = opset >= 20 ? 'linear' : 'bilinear';
  const sums: string[] = [];
  for (let l = 0; l < levels; l++) {
    const hw = b.op('Gather', [ss64, b.int(l)], { axis: 0 });
    const [h, wd] = [b.part(hw, 0), b.part(hw, 1)];
    const start = b.op('Gather', [ls64, b.ints([l])], { axis: 0 });
    const end = b.op('Add', [start, b.op('Mul', [h, wd])]);
    const v = b.op('Slice', [value, start, end, b.ints([1])]);
    const vt = b.op('Transpose', [v], { perm: [0, 2, 3, 1] });
    const vs = b.op('Reshape', [vt, b.op('Concat', [minus1, d, h, wd], { axis: 0 })]);
    const g = b.op('Transpose', [b.op('Gather', [grid, b.int(l)], { axis: 3 })], { perm: [0, 2, 1, 3, 4] });
    const gr = b.op('Reshape', [g, b.op('Concat', [minus1, lq, p, b.ints([2])], { axis: 0 })]);
    const s = b.op('GridSample', [vs, gr], { mode, padding_mode: 'zeros', align_corners: 0 });
    const wl = b.op('Transpose', [b.op('Gather', [w, b.int(l)], { axis: 3 })], { perm: [0, 2, 1, 3] });
    const wr = b.op('Reshape', [wl, b.op('Concat', [minus1, b.ints([1]), lq, p], { axis: 0 })]);
    sums.push(b.op('ReduceSum', [b.op('Mul', [s, wr]), b.ints([3])], { keepdims: 0 }));
  }
  const total = levels === 1 ? (sums[0] as string) : b.op('Sum', sums);
  const split = b.op('Reshape', [total, b.op('Concat', [n, m, d, minus1], { axis: 0 })]);
  const last = b.op('Transpose', [split], { perm: [0, 3, 1, 2] });
  (b.nodes[b.nodes.length - 1] as NodeProto).output = ['output'];
  void last;
  return create(FunctionProtoSchema, {
    name: MSDA_OP,
    domain: MSDA_DOMAIN,
    input: [value, ss, lsi, loc, w],
    output: ['output'],
    node: b.nodes,
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(opset) })],
  });
}

/**
 * Attaches the reference definition of the fused MSDA op as a model-local function, so ONNX Runtime runs the
 * fused graph. The level count is read from each node's spatial_shapes initializer or, failing that, taken
 * from `levels`. Returns a new ModelProto; the input is not modified.
 */
export function attachReferenceFunctions(model: ModelProto, levels: number): ModelProto {
  const opset = Number(model.opsetImport.find((o) => o.domain === '')?.version ?? 17);
  const fn = msdaReferenceFunction(levels, Math.max(16, opset));
  const others = model.functions.filter((f) => !(f.domain === MSDA_DOMAIN && f.name === MSDA_OP));
  return { ...model, functions: [...others, fn] } as ModelProto;
}

/** Removes the reference bodies before TensorRT parsing (TensorRT must see the op and bind its plugin). */
export function stripReferenceFunctions(model: ModelProto): ModelProto {
  return {
    ...model,
    functions: model.functions.filter((f) => !(f.domain === MSDA_DOMAIN && f.name === MSDA_OP)),
  } as ModelProto;
}
