// simplify on every ONNX backend node test whose inputs are made constants (so the evaluator folds every op it
// knows): outputs on ONNX Runtime must not change. Stresses folding, identity removal and renaming together.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import {
  createProto,
  DTYPES,
  decodeModel,
  encodeModel,
  type HostTensor,
  hostFromProto,
  type ModelProto,
  NodeProtoSchema,
  TensorProtoSchema,
} from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import { describe, expect, it } from 'vitest';
import { simplifyModel } from '../../../src/passes/simplify/index.js';

const ROOT = '/usr/include/onnx/backend/test/data/node';
const RANDOM = /bernoulli|random/;

/** The model with its inputs as initializers and an Identity after each output (so the real node can fold). */
function constantized(dir: string): ModelProto | undefined {
  const m = decodeModel(new Uint8Array(readFileSync(join(dir, 'model.onnx'))));
  const g = m.graph;
  if (!g) return undefined;
  for (let i = 0; i < g.input.length; i++) {
    const f = join(dir, 'test_data_set_0', `input_${i}.pb`);
    if (!existsSync(f)) return undefined;
    const h = hostFromProto(fromBinary(TensorProtoSchema, new Uint8Array(readFileSync(f))));
    const vi = g.input[i];
    if (!h || !vi) return undefined;
    const d = h.data as ArrayBufferView;
    g.initializer.push(
      createProto(TensorProtoSchema, {
        name: vi.name,
        dataType: DTYPES[h.dtype].onnx,
        dims: h.dims.map(BigInt),
        rawData: new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice(),
      }),
    );
  }
  g.input = [];
  for (const o of g.output) {
    const pre = `${o.name}__pre`;
    for (const n of g.node) {
      n.output = n.output.map((x) => (x === o.name ? pre : x));
      n.input = n.input.map((x) => (x === o.name ? pre : x));
    }
    g.node.push(createProto(NodeProtoSchema, { opType: 'Identity', input: [pre], output: [o.name] }));
  }
  return m;
}

function differs(a: HostTensor, b: HostTensor): boolean {
  if (a.dtype !== b.dtype || a.dims.join() !== b.dims.join()) return true;
  const x = a.data as ArrayLike<number | bigint | string>;
  const y = b.data as ArrayLike<number | bigint | string>;
  for (let i = 0; i < y.length; i++) {
    if (typeof y[i] === 'string') {
      if (x[i] !== y[i]) return true;
      continue;
    }
    const p = Number(x[i]);
    const q = Number(y[i]);
    if (p === q || (Number.isNaN(p) && Number.isNaN(q))) continue;
    if (Math.abs(p - q) > 1e-5 * Math.max(1, Math.abs(q))) return true;
  }
  return false;
}

describe('simplify on constantized ONNX node tests', () => {
  it('keeps every output ONNX Runtime computes', { timeout: 120_000 }, async () => {
    const ort = new OrtBackend();
    const bad: string[] = [];
    let compared = 0;
    let folded = 0;
    for (const t of readdirSync(ROOT).sort()) {
      if (RANDOM.test(t) || !existsSync(join(ROOT, t, 'model.onnx'))) continue;
      const m = constantized(join(ROOT, t));
      if (!m) continue;
      let before: Record<string, HostTensor>;
      try {
        const e = await ort.build(encodeModel(m));
        before = await e.run({});
        await e.dispose();
      } catch {
        continue; // ONNX Runtime itself does not run this test (old opsets, unsupported types).
      }
      try {
        const { model, report } = await simplifyModel(m);
        folded += report.counters['fold-constants'];
        const e = await ort.build(encodeModel(model));
        const after = await e.run({});
        await e.dispose();
        for (const [k, v] of Object.entries(before)) {
          const got = after[k];
          if (!got || differs(got, v)) bad.push(`${t}: output ${k} differs`);
        }
        compared++;
      } catch (err) {
        bad.push(`${t}: ${String(err).slice(0, 200)}`);
      }
    }
    expect(bad).toEqual([]);
    expect(compared).toBeGreaterThan(800);
    expect(folded).toBeGreaterThan(300);
  });
});
