#!/usr/bin/env node
// Overhead of the SDK's run path (OrtBackend engine.run with HostTensors) over a bare onnxruntime-node session on the
// same model, inputs and thread count. Interleaved runs, median of each. Needs `npm run build` first.
//   node scripts/bench/ort-overhead.mjs [--model fixtures/trained/segformer.onnx] [--runs 300]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { tensor } from '../../packages/core/dist/index.js';
import { OrtBackend } from '../../packages/ort/dist/index.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'fixtures/trained/segformer.onnx' },
    runs: { type: 'string', default: '300' },
  },
});
const runs = Number(values.runs);
const bytes = readFileSync(values.model);
const threads = 1;
const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, logSeverityLevel: 3 });
const engine = await new OrtBackend({ threads }).build(bytes);
const spec = engine.inputs[0];
const dims = spec.dims.map((d) => (typeof d === 'number' ? d : 1));
const data = new Float32Array(dims.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i));
const bare = async () => session.run({ [spec.name]: new ort.Tensor('float32', data, dims) });
const sdk = async () => engine.run({ [spec.name]: tensor('float32', dims, data) });
for (let i = 0; i < 20; i++) {
  await bare();
  await sdk();
}
const tb = [];
const ts = [];
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  await bare();
  tb.push(performance.now() - t);
  t = performance.now();
  await sdk();
  ts.push(performance.now() - t);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const b = median(tb);
const s = median(ts);
console.log(`model ${values.model}, ${runs} interleaved runs each, ${threads} thread(s)`);
console.log(`bare onnxruntime-node  median ${b.toFixed(3)} ms`);
console.log(`trtkit OrtBackend      median ${s.toFixed(3)} ms`);
console.log(`overhead               ${(((s - b) / b) * 100).toFixed(2)} %`);
await engine.dispose();
await session.release();
