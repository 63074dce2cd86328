// Applies a precision decision: float16 weights and activations, Casts at FP32 island boundaries.
import { create } from '@bufbuild/protobuf';
import { DTYPES, type TensorProto, TensorProtoSchema } from '@trtkit/core';
import { type Model, modelFromProto, type Node, type Value } from '../../pass/graph/index.js';
import { isFloat32, touchesFloat, valueDtypes } from './classify.js';
import { toHalfBits } from './half.js';
import { FREE_SLOTS, HEAVY } from './ops.js';

const F16 = DTYPES.float16.onnx;
const F32 = DTYPES.float32.onnx;

/**
 * The model every decision indexes into: a copy of the input with float Constant nodes turned into
 * initializers (so weights and constants convert the same way). Nodes are then named by their index here.
 */
export function prepare(input: Model): Model {
  const m = input.clone();
  const g = m.graph;
  for (const n of [...g.nodes]) {
    if (n.opType !== 'Constant' || n.domain !== '') continue;
    const a = n.getAttr('value');
    const t =
      a?.kind === 'tensor'
        ? (a.value as { dtype: string; dims: number[]; data(): ArrayLike<number> })
        : undefined;
    const out = n.outputs[0];
    if (t?.dtype !== 'float32' || !out) continue;
    const init = g.createInitializer(g.uniqueName(out.name), 'float32', t.dims, t.data());
    g.replaceAllUses(out, init);
    const i = g.outputs.indexOf(out);
    if (i >= 0) g.setOutput(i, init);
    g.removeNode(n);
  }
  return modelFromProto(m.toProto());
}

export interface ConvertStats {
  readonly floatNodes: number;
  readonly fp16Nodes: number;
  readonly heavyNodes: number;
  readonly heavyFp16: number;
  readonly castsInserted: number;
  readonly castsMerged: number;
  readonly initializersToHalf: number;
}

function halfTensor(t: TensorProto, data: ArrayLike<number>): TensorProto {
  const bits = toHalfBits(data);
  return create(TensorProtoSchema, {
    name: t.name,
    dataType: F16,
    dims: [...t.dims],
    rawData: new Uint8Array(bits.buffer) as Uint8Array<ArrayBuffer>,
  });
}

/**
 * Converts `prepared` (see `prepare`): nodes whose index is in `fp32` compute in FP32, every other float node in
 * FP16. `ioHalf` also turns float graph inputs and outputs to float16; otherwise they keep float32.
 */
export function convert(
  prepared: Model,
  fp32: ReadonlyMap<number, string>,
  ioHalf: boolean,
): { model: Model; stats: ConvertStats } {
  const m = prepared.clone();
  const g = m.graph;
  const nodes = [...g.nodes];
  const types = valueDtypes(m);
  const half = new Set<Node>();
  let floatNodes = 0;
  let heavyNodes = 0;
  let heavyFp16 = 0;
  nodes.forEach((n, i) => {
    if (!touchesFloat(types, n)) return;
    floatNodes++;
    if (HEAVY.has(n.opType)) heavyNodes++;
    if (fp32.has(i)) return;
    half.add(n);
    if (HEAVY.has(n.opType)) heavyFp16++;
  });
  const inputs = new Set(g.inputs);
  const newType = (v: Value): 'float16' | 'float32' => {
    if (v.producer) return half.has(v.producer) ? 'float16' : 'float32';
    if (inputs.has(v)) return ioHalf ? 'float16' : 'float32';
    return 'float32'; // initializers: converted per use below
  };
  const toHalf = new Map<string, ArrayLike<number>>();
  const converted = new Map<string, Value>();
  let castsInserted = 0;
  const castOf = (v: Value, to: 'float16' | 'float32', before: Node): Value => {
    const key = `${v.name}->${to}`;
    const hit = converted.get(key);
    if (hit) return hit;
    let out: Value;
    if (v.initializer && to === 'float16') {
      const data = v.initializer.data() as ArrayLike<number>;
      out = g.createInitializer(g.uniqueName(`${v.name}_fp16`), 'float32', v.initializer.dims, data);
      toHalf.set(out.name, data);
    } else {
      const c = g.insertNode(
        {
          opType: 'Cast',
          name: g.uniqueName(`${v.name}_to_${to}`),
          inputs: [v],
          outputs: 1,
          attributes: { to: { int: to === 'float16' ? F16 : F32 } },
        },
        before,
      );
      out = c.outputs[0] as Value;
      out.dtype = to;
      castsInserted++;
    }
    converted.set(key, out);
    return out;
  };
  for (const n of nodes) {
    if (!touchesFloat(types, n)) continue;
    const want = half.has(n) ? 'float16' : 'float32';
    const free = FREE_SLOTS[n.opType] ?? [];
    n.inputs.forEach((v, i) => {
      if (!isFloat32(types, v) || free.includes(i)) return;
      if (newType(v) !== want) n.setInput(i, castOf(v, want, n));
    });
    if (n.opType === 'Cast' && half.has(n) && Number(n.getAttr('to')?.value) === F32)
      n.setAttr('to', 'int', F16);
    for (const o of n.outputs) if (isFloat32(types, o)) o.dtype = newType(o);
  }
  if (ioHalf) for (const v of g.inputs) if (isFloat32(types, v)) v.dtype = 'float16';
  // Graph outputs keep the declared type and name: a final Cast takes the name over.
  g.outputs.forEach((o, i) => {
    if (!isFloat32(types, o)) return;
    const want = ioHalf ? 'float16' : 'float32';
    if ((o.dtype ?? 'float32') === want) return;
    const name = o.name;
    o.name = g.uniqueName(`${name}_${o.dtype}`);
    const c = g.insertNode({
      opType: 'Cast',
      name: g.uniqueName(`${name}_cast`),
      inputs: [o],
      outputs: 1,
      attributes: { to: { int: want === 'float16' ? F16 : F32 } },
    });
    const out = c.outputs[0] as Value;
    out.name = name;
    out.dtype = want;
    out.dims = o.dims;
    g.setOutput(i, out);
    castsInserted++;
  });
  const castsMerged = mergeCasts(m);
  g.removeUnused();
  const proto = m.toProto();
  const gp = proto.graph;
  let initializersToHalf = 0;
  if (gp) {
    const used = new Set(gp.node.flatMap((n) => n.input));
    (gp as { initializer: TensorProto[] }).initializer = gp.initializer.map((t) => {
      if (!toHalf.has(t.name) || !used.has(t.name)) return t;
      initializersToHalf++;
      return halfTensor(t, toHalf.get(t.name) as ArrayLike<number>);
    });
  }
  return {
    model: modelFromProto(proto),
    stats: {
      floatNodes,
      fp16Nodes: half.size,
      heavyNodes,
      heavyFp16,
      castsInserted,
      castsMerged,
      initializersToHalf,
    },
  };
}

const castTo = (n: Node): number => Number(n.getAttr('to')?.value);
const FLOATS = new Set<number>([F16, F32]);

/** Drops no-op casts and float->float->float round trips that end in the starting type. */
function mergeCasts(m: Model): number {
  const g = m.graph;
  let merged = 0;
  for (const n of [...g.nodes]) {
    if (n.opType !== 'Cast' || n.domain !== '') continue;
    const x = n.inputs[0];
    const out = n.outputs[0];
    if (!x || !out || g.outputs.includes(out)) continue;
    const to = castTo(n);
    const xType = x.initializer?.dtype ?? x.dtype;
    if (xType && DTYPES[xType as keyof typeof DTYPES]?.onnx === to) {
      g.replaceAllUses(out, x);
      merged++;
      continue;
    }
    const p = x.producer;
    if (p?.opType === 'Cast' && FLOATS.has(to) && FLOATS.has(castTo(p))) {
      const src = p.inputs[0];
      const srcType = src?.initializer?.dtype ?? src?.dtype;
      if (src && srcType && DTYPES[srcType as keyof typeof DTYPES]?.onnx === to) {
        g.replaceAllUses(out, src);
        merged++;
      }
    }
  }
  return merged;
}
