// FP16 storage emulation for verification. ONNX Runtime's CPU provider computes float16 nodes it has no kernel
// for in float32 and drops the casts between such nodes, so a float16 graph can hide an overflow there. This
// model computes in float32 (as TensorRT's FP16 GEMMs accumulate) but rounds every tensor FP16 would store
// through an explicit Cast pair, which the runtime keeps: overflow turns into Inf, precision loss shows.
import type { Model, Node, Value } from '../../pass/graph/index.js';
import { isFloat32, touchesFloat, valueDtypes } from './classify.js';
import { f16BitsToF32, f32ToF16Bits } from './half.js';
import { FREE_SLOTS } from './ops.js';

export function emulateHalf(prepared: Model, fp32: ReadonlyMap<number, string>): Model {
  const m = prepared.clone();
  const g = m.graph;
  const nodes = [...g.nodes];
  const types = valueDtypes(m);
  const half = new Set<Node>(nodes.filter((n, i) => touchesFloat(types, n) && !fp32.has(i)));
  const rounded = new Map<Value, Value>();
  const roundTrip = (v: Value, before: Node | undefined, keepName: boolean): Value => {
    const hit = rounded.get(v);
    if (hit) return hit;
    let out: Value;
    if (v.initializer) {
      const d = v.initializer.data() as ArrayLike<number>;
      const r = Float32Array.from(d, (x) => f16BitsToF32(f32ToF16Bits(x)));
      out = g.createInitializer(g.uniqueName(`${v.name}_half`), 'float32', v.initializer.dims, r);
    } else {
      const name = v.name;
      if (keepName) v.name = g.uniqueName(`${name}_unrounded`);
      const c1 = g.insertNode(
        { opType: 'Cast', inputs: [v], outputs: 1, attributes: { to: { int: 10 } } },
        before,
      );
      const c2 = g.insertNode(
        { opType: 'Cast', inputs: [c1.outputs[0]], outputs: 1, attributes: { to: { int: 1 } } },
        before,
      );
      (c1.outputs[0] as Value).dtype = 'float16';
      out = c2.outputs[0] as Value;
      out.dtype = 'float32';
      if (keepName) {
        out.name = name;
        out.dims = v.dims;
      }
    }
    rounded.set(v, out);
    return out;
  };
  for (const [i, n] of nodes.entries()) {
    if (!half.has(n)) continue;
    const free = FREE_SLOTS[n.opType] ?? [];
    n.inputs.forEach((v, k) => {
      if (!isFloat32(types, v) || free.includes(k)) return;
      if (v.producer && half.has(v.producer)) return; // rounded where produced
      // Weights, island outputs and (with float32 I/O) graph inputs are cast to float16 on the way in.
      n.setInput(k, roundTrip(v, n, false));
    });
    for (const o of n.outputs) {
      if (!isFloat32(types, o)) continue;
      const users = o.uses.map((u) => ({ ...u }));
      const r = roundTrip(o, nodes[i + 1], true);
      for (const u of users) u.node.setInput(u.index, r);
      const at = g.outputs.indexOf(o);
      if (at >= 0) g.setOutput(at, r);
    }
  }
  return m;
}
