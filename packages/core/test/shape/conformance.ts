// Runs shape inference over the ONNX backend node tests and compares with the shapes their graphs record.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { TensorProtoSchema } from 'onnx-buf';
import {
  type Dim,
  decodeModel,
  hostFromProto,
  INFER_OPS,
  inferModel,
  infoFromValueInfo,
  type TensorInfo,
} from '../../src/index.js';

export const NODE_TESTS = '/usr/include/onnx/backend/test/data/node';

export type Verdict = 'agree' | 'disagree' | 'unknown' | 'uncovered';

export interface CaseResult {
  readonly test: string;
  readonly ops: string[];
  readonly verdict: Verdict;
  readonly detail: string;
}

const fmt = (d: readonly Dim[] | undefined) =>
  d ? `[${d.map((x) => (x === null ? '?' : x)).join(',')}]` : '?';

export function runCase(dir: string, evaluate: boolean): CaseResult | undefined {
  const test = dir.split('/').pop() as string;
  const modelPath = join(dir, 'model.onnx');
  if (!existsSync(modelPath)) return undefined;
  const model = decodeModel(new Uint8Array(readFileSync(modelPath)));
  const g = model.graph;
  if (!g) return undefined;
  const ops = [
    ...new Set(
      g.node.map((n) => (n.domain && n.domain !== 'ai.onnx' ? `${n.domain}::${n.opType}` : n.opType)),
    ),
  ];
  const expected = g.output.map((o) => ({ name: o.name, info: infoFromValueInfo(o) }));
  if (!expected.some((e) => e.info.dims)) return undefined;
  // Small inputs are given by value, as constant folding would know them (shape tensors, axes, k, pads).
  const inputs = new Map<string, TensorInfo>();
  const data = join(dir, 'test_data_set_0');
  g.input.forEach((vi, i) => {
    const f = join(data, `input_${i}.pb`);
    const info = infoFromValueInfo(vi);
    if (!existsSync(f)) return;
    const t = fromBinary(TensorProtoSchema, new Uint8Array(readFileSync(f)));
    const n = t.dims.reduce((p, d) => p * Number(d), 1);
    const value = n <= 64 ? hostFromProto(t) : undefined;
    if (value) inputs.set(vi.name, { ...info, value });
  });
  const res = inferModel(model, { evaluate, inputs });
  const uncovered = ops.filter((o) => !INFER_OPS[o] && !['If', 'Loop', 'Scan'].includes(o));
  if (uncovered.length > 0 && !model.functions.length) {
    return { test, ops, verdict: 'uncovered', detail: uncovered.join(',') };
  }
  let verdict: Verdict = 'agree';
  const details: string[] = [];
  for (const e of expected) {
    const got = res.infos.get(e.name);
    if (e.info.dtype && got?.dtype && got.dtype !== e.info.dtype) {
      verdict = 'disagree';
      details.push(`${e.name}: dtype ${got.dtype} vs ${e.info.dtype}`);
      continue;
    }
    if (!e.info.dims) continue;
    if (!got?.dims) {
      if (verdict === 'agree') verdict = 'unknown';
      details.push(`${e.name}: rank unknown vs ${fmt(e.info.dims)}`);
      continue;
    }
    if (got.dims.length !== e.info.dims.length) {
      verdict = 'disagree';
      details.push(`${e.name}: ${fmt(got.dims)} vs ${fmt(e.info.dims)}`);
      continue;
    }
    e.info.dims.forEach((d, k) => {
      const m = got.dims?.[k] ?? null;
      if (d === null || m === d) return;
      if (m === null || typeof d === 'string') {
        if (verdict === 'agree') verdict = 'unknown';
        details.push(`${e.name}: ${fmt(got.dims)} vs ${fmt(e.info.dims)}`);
      } else {
        verdict = 'disagree';
        details.push(`${e.name}: ${fmt(got.dims)} vs ${fmt(e.info.dims)}`);
      }
    });
    if (!got.dtype && e.info.dtype && verdict === 'agree') {
      verdict = 'unknown';
      details.push(`${e.name}: dtype unknown`);
    }
  }
  return { test, ops, verdict, detail: [...new Set(details)].join('; ') };
}

export function runAll(evaluate: boolean): CaseResult[] {
  const out: CaseResult[] = [];
  for (const d of readdirSync(NODE_TESTS).sort()) {
    try {
      const r = runCase(join(NODE_TESTS, d), evaluate);
      if (r) out.push(r);
    } catch (e) {
      out.push({ test: d, ops: [], verdict: 'disagree', detail: `crash: ${(e as Error).message}` });
    }
  }
  return out;
}
