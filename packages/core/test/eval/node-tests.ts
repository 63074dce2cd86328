// Runs the evaluator on the ONNX backend node tests of the ops it implements, against their recorded outputs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { TensorProtoSchema } from 'onnx-buf';
import {
  Attrs,
  canEvaluate,
  DTYPES,
  decodeModel,
  EvaluatorError,
  evaluateNode,
  type HostTensor,
  hostFromProto,
} from '../../src/index.js';

export const NODE_TESTS = '/usr/include/onnx/backend/test/data/node';

export interface EvalCase {
  readonly test: string;
  readonly op: string;
  readonly status: 'match' | 'mismatch' | 'unsupported' | 'error';
  readonly detail: string;
}

function close(a: HostTensor, b: HostTensor): string | undefined {
  if (a.dtype !== b.dtype) return `dtype ${a.dtype} vs ${b.dtype}`;
  if (a.dims.join(',') !== b.dims.join(',')) return `dims [${a.dims}] vs [${b.dims}]`;
  const x = a.data as ArrayLike<number | bigint>;
  const y = b.data as ArrayLike<number | bigint>;
  for (let i = 0; i < x.length; i++) {
    const p = Number(x[i]);
    const q = Number(y[i]);
    if (Number.isNaN(p) && Number.isNaN(q)) continue;
    if (p === q) continue;
    if (Math.abs(p - q) > 1e-6 * Math.max(1, Math.abs(q))) return `element ${i}: ${p} vs ${q}`;
  }
  return undefined;
}

const readTensor = (f: string) =>
  hostFromProto(fromBinary(TensorProtoSchema, new Uint8Array(readFileSync(f))));

export function runEvalCases(): EvalCase[] {
  const out: EvalCase[] = [];
  for (const test of readdirSync(NODE_TESTS).sort()) {
    const dir = join(NODE_TESTS, test);
    if (!existsSync(join(dir, 'model.onnx'))) continue;
    const model = decodeModel(new Uint8Array(readFileSync(join(dir, 'model.onnx'))));
    const g = model.graph;
    const node = g?.node[0];
    if (g?.node.length !== 1 || !node || !canEvaluate(node.opType, node.domain)) continue;
    const opset = Number(
      model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 1,
    );
    const data = join(dir, 'test_data_set_0');
    const byName = new Map<string, HostTensor | undefined>();
    g.input.forEach((vi, i) => {
      byName.set(vi.name, readTensor(join(data, `input_${i}.pb`)));
    });
    const inputs = node.input.map((n) => (n ? byName.get(n) : undefined));
    // Some files store bfloat16 inputs as uint16 bits: skip inputs whose stored type is not the declared one.
    const declaredOk = g.input.every((vi, _i) => {
      const t = byName.get(vi.name);
      return (
        !t || (vi.type?.value.case === 'tensorType' && DTYPES[t.dtype].onnx === vi.type.value.value.elemType)
      );
    });
    if (!declaredOk || node.input.some((n, i) => n && !inputs[i])) {
      out.push({ test, op: node.opType, status: 'unsupported', detail: 'input dtype' });
      continue;
    }
    try {
      const got = evaluateNode(node.opType, inputs, Attrs.of(node), opset, node.output.length);
      if (!got) {
        out.push({ test, op: node.opType, status: 'unsupported', detail: 'dtype' });
        continue;
      }
      const problems: string[] = [];
      g.output.forEach((o, i) => {
        const want = readTensor(join(data, `output_${i}.pb`));
        const k = node.output.indexOf(o.name);
        const have = got[k];
        if (!want) problems.push(`${o.name}: unreadable expected`);
        else if (!have) problems.push(`${o.name}: missing`);
        else {
          const c = close(have, want);
          if (c) problems.push(`${o.name}: ${c}`);
        }
      });
      out.push({
        test,
        op: node.opType,
        status: problems.length ? 'mismatch' : 'match',
        detail: problems.join('; '),
      });
    } catch (e) {
      out.push({
        test,
        op: node.opType,
        status: e instanceof EvaluatorError ? 'unsupported' : 'error',
        detail: String(e).slice(0, 200),
      });
    }
  }
  return out;
}
