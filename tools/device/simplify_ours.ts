// Our side of the same-machine simplify benchmark: simplifyModel on ONNX files, wall time and node counts.
// Bundled by tools/device/build.sh into one .mjs so it runs where only a node binary exists:
//   node simplify-ours.mjs --repeats 5 --out ours.json model1.onnx model2.onnx ...
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { decodeModel } from '../../packages/core/src/index.js';
import { simplifyModel } from '../../packages/passes/src/passes/simplify/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { repeats: { type: 'string', default: '5' }, out: { type: 'string', default: 'ours.json' } },
});
const repeats = Number(values.repeats);
const rows: unknown[] = [];
for (const file of positionals) {
  try {
    const bytes = fs.readFileSync(file);
    const times: number[] = [];
    let before = 0;
    let after = 0;
    for (let r = 0; r <= repeats; r++) {
      const t0 = performance.now();
      const model = decodeModel(bytes);
      const t1 = performance.now();
      const { model: out } = await simplifyModel(model);
      const t2 = performance.now();
      before = model.graph?.node.length ?? 0;
      after = out.graph?.node.length ?? 0;
      // The first run warms the JIT; the peer's time likewise excludes onnx.load.
      if (r > 0) times.push(t2 - t1);
      void t0;
    }
    times.sort((a, b) => a - b);
    rows.push({ file, before, after, ms: times[Math.floor(times.length / 2)] });
  } catch (e) {
    rows.push({ file, error: String(e).slice(0, 300) });
  }
  console.log(JSON.stringify(rows[rows.length - 1]));
}
fs.writeFileSync(values.out as string, JSON.stringify({ node: process.version, rows }, null, 1));
