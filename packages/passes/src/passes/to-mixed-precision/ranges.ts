// Range analysis: run the FP32 model on calibration inputs and observe every intermediate float tensor.

import { create } from '@bufbuild/protobuf';
import {
  type Backend,
  DTYPES,
  encodeModel,
  type HostTensor,
  type ModelProto,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
} from '@trtkit/core';
import type { Model, Value } from '../../pass/graph/index.js';
import { isFloat32, valueDtypes } from './classify.js';
import { fromHalfBits, HALF_MIN_NORMAL } from './half.js';

export interface TensorRange {
  readonly name: string;
  readonly absMax: number;
  readonly elements: number;
  readonly nonZero: number;
  /** Nonzero elements with |x| below the smallest normal float16 (they lose precision or flush to zero). */
  readonly subnormal: number;
  readonly nonFinite: number;
}

export type Feeds = Readonly<Record<string, HostTensor>>;

/** Values worth observing: computed float32 tensors of the main graph. */
export function floatValues(model: Model): Value[] {
  const types = valueDtypes(model);
  const out: Value[] = [];
  for (const n of model.graph.nodes) for (const o of n.outputs) if (isFloat32(types, o)) out.push(o);
  return out;
}

function withOutputs(
  proto: ModelProto,
  names: readonly { name: string; dtype: 'float32' | 'float16' }[],
): ModelProto {
  const g = proto.graph;
  if (!g) return proto;
  const declared = new Set(g.output.map((o) => o.name));
  const extra = names
    .filter((n) => !declared.has(n.name))
    .map((n) =>
      create(ValueInfoProtoSchema, {
        name: n.name,
        type: create(TypeProtoSchema, {
          value: {
            case: 'tensorType',
            value: create(TypeProto_TensorSchema, { elemType: DTYPES[n.dtype].onnx }),
          },
        }),
      }),
    );
  return { ...proto, graph: { ...g, output: [...g.output, ...extra] } } as ModelProto;
}

/** Float view of a fetched tensor (float16 decoded). */
export function asFloats(t: HostTensor): ArrayLike<number> {
  if (t.dtype === 'float16') return fromHalfBits(t.data as Uint16Array);
  return t.data as ArrayLike<number>;
}

/**
 * Runs `model` with `names` added as graph outputs (in chunks, so huge graphs stay in memory) and hands each
 * fetched tensor to `visit`. Values are fetched in their dtype in that model.
 */
export async function observe(
  backend: Backend,
  model: Model,
  names: readonly { name: string; dtype: 'float32' | 'float16' }[],
  feeds: readonly Feeds[],
  visit: (name: string, feed: number, t: HostTensor) => void,
  chunk = 600,
): Promise<void> {
  const proto = model.toProto();
  for (let at = 0; at < names.length; at += chunk) {
    const part = names.slice(at, at + chunk);
    const engine = await backend.build(encodeModel(withOutputs(proto, part)));
    try {
      for (const [k, f] of feeds.entries()) {
        const got = await engine.run(f, { outputs: part.map((p) => p.name) });
        for (const p of part) {
          const t = got[p.name];
          if (t) visit(p.name, k, t);
        }
      }
    } finally {
      await engine.dispose();
    }
  }
}

/** absmax, subnormal share and NaN/Inf count of every float intermediate, over all calibration feeds. */
export async function analyseRanges(
  backend: Backend,
  model: Model,
  feeds: readonly Feeds[],
): Promise<Map<string, TensorRange>> {
  const acc = new Map<
    string,
    { absMax: number; elements: number; nonZero: number; subnormal: number; nonFinite: number }
  >();
  const names = floatValues(model).map((v) => ({ name: v.name, dtype: 'float32' as const }));
  await observe(backend, model, names, feeds, (name, _k, t) => {
    const a = acc.get(name) ?? { absMax: 0, elements: 0, nonZero: 0, subnormal: 0, nonFinite: 0 };
    const x = asFloats(t);
    for (let i = 0; i < x.length; i++) {
      const v = x[i] as number;
      if (!Number.isFinite(v)) {
        a.nonFinite++;
        continue;
      }
      const m = Math.abs(v);
      if (m > a.absMax) a.absMax = m;
      if (m !== 0) {
        a.nonZero++;
        if (m < HALF_MIN_NORMAL) a.subnormal++;
      }
    }
    a.elements += x.length;
    acc.set(name, a);
  });
  return new Map([...acc].map(([name, a]) => [name, { name, ...a }]));
}
