#!/usr/bin/env node
// simplify benchmark: wall time and node counts of @trtkit/passes' simplifyModel on the fixture exports and on
// a synthetic transformer-like graph of ~5,700 nodes (the size of a full Deformable DETR export).
//
//   node scripts/bench/simplify.mjs [--repeats 5] [--layers 200] [--json out.json]
//
// Runs the package sources (bundled with esbuild), like the tests. Times are medians over `repeats` runs after
// one warm-up run, in one process. The onnxscript-optimizer side of the comparison is run separately.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

const { values: args } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    layers: { type: 'string', default: '200' },
    json: { type: 'string' },
  },
});

/** Bundles the sources into node_modules/.cache so onnxruntime-node resolves from the repository. */
async function bundle() {
  const esbuild = await import('esbuild');
  const outDir = path.join(root, 'node_modules/.cache/trtkit-bench');
  fs.mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'simplify.mjs');
  await esbuild.build({
    stdin: {
      contents: `export * from './packages/core/src/index.ts';
        export { simplifyModel } from './packages/passes/src/passes/simplify/index.ts';
        export { OrtBackend } from './packages/ort/src/index.ts';`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['onnxruntime-node', 'onnxruntime-common'],
    alias: Object.fromEntries(
      ['core', 'ort', 'passes'].map((p) => [`@trtkit/${p}`, path.join(root, `packages/${p}/src/index.ts`)]),
    ),
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'error',
  });
  return import(pathToFileURL(outfile).href);
}

/** A ViT/DETR-like encoder stack with the clutter exporters emit: shape arithmetic, Identity, repeated constants. */
function syntheticModel(k, layers) {
  const P = k.createProto;
  const S = {
    node: k.NodeProtoSchema,
    attr: k.AttributeProtoSchema,
    tensor: k.TensorProtoSchema,
    vi: k.ValueInfoProtoSchema,
  };
  const AT = k.AttributeProto_AttributeType;
  const nodes = [];
  const inits = [];
  let uid = 0;
  const name = (s) => `${s}_${uid++}`;
  const i64 = (vals, dims = [vals.length]) => {
    const n = name('c');
    inits.push(
      P(S.tensor, {
        name: n,
        dataType: 7,
        dims: dims.map(BigInt),
        rawData: new Uint8Array(BigInt64Array.from(vals.map(BigInt)).buffer),
      }),
    );
    return n;
  };
  const f32 = (dims, seed) => {
    const n = name('w');
    const count = dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: count }, (_, i) => Math.sin(seed * 31 + i) * 0.05);
    inits.push(
      P(S.tensor, { name: n, dataType: 1, dims: dims.map(BigInt), rawData: new Uint8Array(data.buffer) }),
    );
    return n;
  };
  const node = (op, inputs, attrs = {}, nOut = 1) => {
    const outs = Array.from({ length: nOut }, () => name(op.toLowerCase()));
    const attribute = Object.entries(attrs).map(([a, v]) =>
      Array.isArray(v)
        ? P(S.attr, { name: a, type: AT.INTS, ints: v.map(BigInt) })
        : typeof v === 'number'
          ? P(S.attr, { name: a, type: AT.INT, i: BigInt(v) })
          : P(S.attr, { name: a, type: AT.TENSOR, t: v }),
    );
    nodes.push(P(S.node, { opType: op, input: inputs, output: outs, name: name(`/${op}`), attribute }));
    return nOut === 1 ? outs[0] : outs;
  };
  const D = 32;
  const H = 4;
  const vi = (n, dims) =>
    P(S.vi, {
      name: n,
      type: P(k.TypeProtoSchema, {
        value: {
          case: 'tensorType',
          value: P(k.TypeProto_TensorSchema, {
            elemType: 1,
            shape: P(k.TensorShapeProtoSchema, {
              dim: dims.map((d) =>
                P(k.TensorShapeProto_DimensionSchema, {
                  value:
                    typeof d === 'number'
                      ? { case: 'dimValue', value: BigInt(d) }
                      : { case: 'dimParam', value: d },
                }),
              ),
            }),
          }),
        },
      }),
    });
  let x = 'x';
  for (let l = 0; l < layers; l++) {
    // shape arithmetic as exporters write it: Shape -> Gather -> Unsqueeze -> Concat -> Reshape
    const s = node('Shape', [x]);
    const b = node('Gather', [s, i64([0], [])], { axis: 0 });
    const n = node('Gather', [s, i64([1], [])], { axis: 0 });
    const bU = node('Unsqueeze', [b, i64([0])]);
    const nU = node('Unsqueeze', [n, i64([0])]);
    const heads = node('Concat', [bU, nU, i64([H]), i64([D / H])], { axis: 0 });
    const ln = node('LayerNormalization', [x, f32([D], l), f32([D], l + 1)], { axis: -1 });
    const q = node('Add', [node('MatMul', [ln, f32([D, D], l + 2)]), f32([D], l + 3)]);
    const kk = node('Add', [node('MatMul', [ln, f32([D, D], l + 4)]), f32([D], l + 5)]);
    const v = node('Identity', [node('MatMul', [ln, f32([D, D], l + 6)])]);
    const qh = node('Transpose', [node('Reshape', [q, heads])], { perm: [0, 2, 1, 3] });
    const kh = node('Transpose', [node('Reshape', [kk, heads])], { perm: [0, 2, 3, 1] });
    const vh = node('Transpose', [node('Reshape', [v, heads])], { perm: [0, 2, 1, 3] });
    const scale = node('Sqrt', [
      node('Cast', [node('Gather', [node('Shape', [qh]), i64([3], [])], { axis: 0 })], { to: 1 }),
    ]);
    const att = node('Softmax', [node('Div', [node('MatMul', [qh, kh]), scale])], { axis: -1 });
    const ctx = node('Transpose', [node('MatMul', [att, vh])], { perm: [0, 2, 1, 3] });
    const flat = node('Concat', [bU, nU, i64([D])], { axis: 0 });
    const o = node('Reshape', [ctx, flat]);
    const proj = node('Add', [node('MatMul', [o, f32([D, D], l + 7)]), f32([D], l + 8)]);
    x = node('Add', [x, node('Mul', [proj, node('Cast', [i64([1], [])], { to: 1 })])]);
  }
  const y = node('Identity', [x]);
  nodes.at(-1).output[0] = 'y';
  void y;
  return P(k.ModelProtoSchema, {
    irVersion: 8n,
    opsetImport: [P(k.OperatorSetIdProtoSchema, { domain: '', version: 17n })],
    graph: P(k.GraphProtoSchema, {
      name: 'synthetic',
      node: nodes,
      initializer: inits,
      input: [vi('x', ['batch', 'tokens', D])],
      output: [vi('y', ['batch', 'tokens', D])],
    }),
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(k, model, options, repeats) {
  const first = await k.simplifyModel(model, options);
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    await k.simplifyModel(model, options);
    times.push(performance.now() - t);
  }
  const r = first.report;
  return {
    nodesBefore: r.nodesBefore,
    nodesAfter: r.nodesAfter,
    iterations: r.iterations,
    ms: median(times),
    staticShapeNodesLeft: r.staticShapeNodesLeft,
  };
}

const k = await bundle();
const repeats = Number(args.repeats);
const rows = [];
const fixtures = path.join(root, 'fixtures');
const files = fs.existsSync(fixtures)
  ? fs.readdirSync(fixtures).flatMap((d) => {
      const full = path.join(fixtures, d);
      return fs.statSync(full).isDirectory()
        ? fs
            .readdirSync(full)
            // Models with external weights need their .bin beside them; ONNX Runtime folding takes bytes only.
            .filter((f) => f.endsWith('.onnx') && d !== 'external')
            .map((f) => `${d}/${f}`)
        : [];
    })
  : [];
for (const rel of files.sort()) {
  const model = k.decodeModel(new Uint8Array(fs.readFileSync(path.join(fixtures, rel))));
  const x = model.graph.input[0];
  const dims = x.type.value.value.shape.dim.map((d) =>
    d.value.case === 'dimValue' ? String(d.value.value) : '1',
  );
  const fixed = `${x.name}:${dims.join('x')}`;
  const backend = new k.OrtBackend();
  for (const [mode, options] of [
    ['symbolic', {}],
    ['static', { inputShapes: fixed }],
    ['static + ORT folding', { inputShapes: fixed, backend }],
  ]) {
    rows.push({ model: rel, mode, ...(await measure(k, model, options, repeats)) });
  }
}
const synth = syntheticModel(k, Number(args.layers));
rows.push({
  model: `synthetic (${args.layers} layers)`,
  mode: 'symbolic',
  ...(await measure(k, synth, {}, repeats)),
});
rows.push({
  model: `synthetic (${args.layers} layers)`,
  mode: 'static',
  ...(await measure(k, synth, { inputShapes: 'x:1x100x32' }, repeats)),
});

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `simplify benchmark: node ${process.version}, ${os.cpus().length} cores (${cpu}), median of ${repeats}\n`,
);
console.log('| model | input shapes | nodes before | nodes after | rounds | time (ms) |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows)
  console.log(
    `| ${r.model} | ${r.mode} | ${r.nodesBefore} | ${r.nodesAfter} | ${r.iterations} | ${r.ms.toFixed(1)} |`,
  );
if (args.json) {
  const tmp = `${args.json}.tmp-${process.pid}`;
  fs.writeFileSync(
    tmp,
    JSON.stringify({ node: process.version, cpu, cores: os.cpus().length, repeats, rows }, null, 2),
  );
  fs.renameSync(tmp, args.json);
}
