#!/usr/bin/env node
// Codec benchmark: load (read + decode) and save time and peak memory of @trtkit/core against Python's
// onnx.load / onnx.save, on a DETR-R50-sized model (~166 MB of weights) and a graph of 50,000 nodes.
//
//   node scripts/bench/codec.mjs [--dir <work dir>] [--repeats 5]
//
// Needs /usr/bin/python3 with onnx (Debian: apt-get install python3-onnx). Each measurement runs in a fresh
// process; peak memory is the rise of VmHWM (peak RSS) over the process's RSS just before the first repetition.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

function rss() {
  return Number(fs.readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
}
function resetPeak() {
  fs.writeFileSync('/proc/self/clear_refs', '5');
}
function peak() {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

/** Bundle @trtkit/core (sources) into one ESM file, so the benchmark runs what the tests test. */
async function bundleCore(outDir) {
  const esbuild = await import('esbuild');
  const outfile = path.join(outDir, 'core.mjs');
  await esbuild.build({
    entryPoints: [path.join(root, 'packages/core/src/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

// ---- worker: one measurement in this (fresh) process ----
async function worker([op, bundle, file, repeatsArg, out]) {
  const core = await import(pathToFileURL(bundle).href);
  const repeats = Number(repeatsArg);
  const times = [];
  let firstPeak;
  let base = rss();
  if (op === 'load' || op === 'load-lazy' || op === 'load-lazy-nodes' || op === 'load-nodes-read') {
    resetPeak();
    const lazyNodes = op === 'load-lazy-nodes' || op === 'load-nodes-read';
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      const loaded = await core.readModel(file, { lazyWeights: op !== 'load', lazyNodes });
      // The honest total for lazy nodes: load, then read the node list once (what any pass does).
      if (op === 'load-nodes-read') void loaded.model.graph?.node.length;
      times.push(performance.now() - t);
      firstPeak ??= peak();
      loaded.externalData.close();
    }
  } else if (op === 'decode') {
    const bytes = fs.readFileSync(file);
    base = rss();
    resetPeak();
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      core.decodeModel(bytes);
      times.push(performance.now() - t);
      firstPeak ??= peak();
    }
  } else if (op === 'save' || op === 'save-nofsync' || op === 'save-lazy' || op === 'encode') {
    const loaded = await core.readModel(file, { lazyWeights: op === 'save-lazy' });
    base = rss();
    resetPeak();
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      if (op === 'encode')
        fs.writeFileSync(out, core.encodeModel(loaded.model)); // one buffer, no fsync
      else
        await core.writeModel(out, loaded.model, {
          overwrite: true,
          store: loaded.externalData,
          fsync: op !== 'save-nofsync',
        });
      times.push(performance.now() - t);
      firstPeak ??= peak();
    }
  }
  console.log(JSON.stringify({ op, ms: times, peak_rss_delta: firstPeak - base }));
}

// ---- model generation ----
function shapesDetrR50() {
  const s = [];
  const conv = (name, o, i, k) => {
    s.push([`${name}.weight`, [o, i, k, k]]);
    s.push([`${name}.bias`, [o]]); // batch norm folded into the conv, as exporters do
  };
  conv('backbone.conv1', 64, 3, 7);
  let inC = 64;
  [3, 4, 6, 3].forEach((blocks, li) => {
    const w = 64 * 2 ** li;
    for (let b = 0; b < blocks; b++) {
      const p = `backbone.layer${li + 1}.${b}`;
      conv(`${p}.conv1`, w, inC, 1);
      conv(`${p}.conv2`, w, w, 3);
      conv(`${p}.conv3`, w * 4, w, 1);
      if (b === 0) conv(`${p}.downsample`, w * 4, inC, 1);
      inC = w * 4;
    }
  });
  conv('input_proj', 256, 2048, 1);
  const lin = (name, o, i) => {
    s.push([`${name}.weight`, [i, o]]); // MatMul weights, transposed
    s.push([`${name}.bias`, [o]]);
  };
  const norm = (name) => {
    s.push([`${name}.weight`, [256]]);
    s.push([`${name}.bias`, [256]]);
  };
  const attn = (name) => {
    lin(`${name}.in_proj`, 768, 256);
    lin(`${name}.out_proj`, 256, 256);
  };
  for (let l = 0; l < 6; l++) {
    const p = `transformer.encoder.layers.${l}`;
    attn(`${p}.self_attn`);
    lin(`${p}.linear1`, 2048, 256);
    lin(`${p}.linear2`, 256, 2048);
    norm(`${p}.norm1`);
    norm(`${p}.norm2`);
  }
  for (let l = 0; l < 6; l++) {
    const p = `transformer.decoder.layers.${l}`;
    attn(`${p}.self_attn`);
    attn(`${p}.multihead_attn`);
    lin(`${p}.linear1`, 2048, 256);
    lin(`${p}.linear2`, 256, 2048);
    norm(`${p}.norm1`);
    norm(`${p}.norm2`);
    norm(`${p}.norm3`);
  }
  norm('transformer.decoder.norm');
  s.push(['query_embed.weight', [100, 256]]);
  s.push(['pos_embed', [1, 256, 25, 34]]);
  lin('class_embed', 92, 256);
  lin('bbox_embed.layers.0', 256, 256);
  lin('bbox_embed.layers.1', 256, 256);
  lin('bbox_embed.layers.2', 4, 256);
  return s;
}

function makeModel(core, { initializers, nodes }) {
  const { createProto: c } = core;
  const floatType = (name, dims) =>
    c(core.ValueInfoProtoSchema, {
      name,
      type: c(core.TypeProtoSchema, {
        value: {
          case: 'tensorType',
          value: c(core.TypeProto_TensorSchema, {
            elemType: 1,
            shape: c(core.TensorShapeProtoSchema, {
              dim: dims.map((d) =>
                c(core.TensorShapeProto_DimensionSchema, { value: { case: 'dimValue', value: BigInt(d) } }),
              ),
            }),
          }),
        },
      }),
    });
  return c(core.ModelProtoSchema, {
    irVersion: 8n,
    producerName: 'pytorch',
    producerVersion: '2.5.0',
    opsetImport: [c(core.OperatorSetIdProtoSchema, { domain: '', version: 17n })],
    graph: c(core.GraphProtoSchema, {
      name: 'main_graph',
      input: [floatType('pixel_values', [1, 3, 800, 1066])],
      output: [floatType('logits', [1, 100, 92])],
      initializer: initializers,
      node: nodes,
    }),
  });
}

function randomTensor(core, name, dims) {
  const n = dims.reduce((a, b) => a * b, 1);
  const f = new Float32Array(n);
  for (let i = 0; i < n; i++) f[i] = Math.random() * 0.2 - 0.1;
  return core.createProto(core.TensorProtoSchema, {
    name,
    dims: dims.map(BigInt),
    dataType: 1,
    rawData: new Uint8Array(f.buffer),
  });
}

async function generate(core, dir) {
  const { createProto: c } = core;
  const detr = path.join(dir, 'detr-r50-synthetic.onnx');
  if (!fs.existsSync(detr)) {
    const shapes = shapesDetrR50();
    const inits = shapes.map(([n, d]) => randomTensor(core, n, d));
    // One consuming node per weight plus the element-wise glue a real export has (~2,500 nodes).
    const nodes = [];
    let prev = 'pixel_values';
    shapes.forEach(([n, d], i) => {
      const op = d.length === 4 ? 'Conv' : d.length === 2 ? 'MatMul' : 'Add';
      const out = `/${n.replaceAll('.', '/')}/${op}_output_0`;
      nodes.push(
        c(core.NodeProtoSchema, { name: `/${n}/${op}`, opType: op, input: [prev, n], output: [out] }),
      );
      const relu = `/${n}/Relu_output_${i}`;
      nodes.push(
        c(core.NodeProtoSchema, { name: `/${n}/Relu`, opType: 'Relu', input: [out], output: [relu] }),
      );
      prev = relu;
    });
    nodes.push(
      c(core.NodeProtoSchema, { name: '/Identity', opType: 'Identity', input: [prev], output: ['logits'] }),
    );
    await core.writeModel(detr, makeModel(core, { initializers: inits, nodes }));
  }
  const big = path.join(dir, 'graph-50k-nodes.onnx');
  if (!fs.existsSync(big)) {
    const inits = [];
    for (let i = 0; i < 200; i++) inits.push(randomTensor(core, `w${i}`, [256]));
    const nodes = [];
    let prev = 'pixel_values';
    const ops = ['Add', 'Mul', 'Relu', 'Transpose', 'Reshape'];
    for (let i = 0; i < 50_000; i++) {
      const op = ops[i % ops.length];
      const out = `/model/blocks.${Math.floor(i / 10)}/${op}_${i}_output_0`;
      const attribute =
        op === 'Transpose'
          ? [c(core.AttributeProtoSchema, { name: 'perm', type: 7, ints: [0n, 2n, 1n, 3n] })]
          : op === 'Reshape'
            ? [c(core.AttributeProtoSchema, { name: 'allowzero', type: 2, i: 0n })]
            : [];
      const input = op === 'Relu' || op === 'Transpose' ? [prev] : [prev, `w${i % 200}`];
      nodes.push(
        c(core.NodeProtoSchema, {
          name: `/model/blocks.${Math.floor(i / 10)}/${op}_${i}`,
          opType: op,
          input,
          output: [out],
          attribute,
        }),
      );
      prev = out;
    }
    nodes.push(
      c(core.NodeProtoSchema, { name: '/Identity', opType: 'Identity', input: [prev], output: ['logits'] }),
    );
    await core.writeModel(big, makeModel(core, { initializers: inits, nodes }));
  }
  return [detr, big];
}

// ---- driver ----
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}
function warm(file) {
  // Read the file once so every contender starts with it in the page cache.
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(16 << 20);
  while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  fs.closeSync(fd);
}

async function main() {
  if (process.argv[2] === '--worker') return worker(process.argv.slice(3));
  const { values } = parseArgs({ options: { dir: { type: 'string' }, repeats: { type: 'string' } } });
  const dir = path.resolve(values.dir ?? path.join(os.tmpdir(), 'trtkit-codec-bench'));
  const repeats = String(values.repeats ?? 5);
  fs.mkdirSync(dir, { recursive: true });
  const bundle = await bundleCore(dir);
  const core = await import(pathToFileURL(bundle).href);
  const files = await generate(core, dir);
  const py = '/usr/bin/python3';
  const pyScript = path.join(here, 'codec_py.py');
  const onnxVersion = execFileSync(
    py,
    ['-c', 'import onnx, google.protobuf as p; print(onnx.__version__, p.__version__)'],
    {
      encoding: 'utf8',
    },
  ).trim();
  const rows = [];
  for (const file of files) {
    const size = fs.statSync(file).size;
    const out = path.join(dir, `out-${path.basename(file)}`);
    warm(file);
    const node = (op, ...rest) =>
      run(process.execPath, [fileURLToPath(import.meta.url), '--worker', op, bundle, file, repeats, ...rest]);
    const r = { file: path.basename(file), size };
    // Interleave the contenders so drift in machine load hits all of them alike.
    r.pyLoad = run(py, [pyScript, 'load', file, repeats]);
    r.nodeLoad = node('load');
    r.nodeLazy = node('load-lazy');
    r.nodeLazyNodes = node('load-lazy-nodes');
    r.nodeNodesRead = node('load-nodes-read');
    r.nodeDecode = node('decode');
    r.pySave = run(py, [pyScript, 'save', file, repeats, out]);
    r.nodeSaveNoSync = node('save-nofsync', out);
    r.nodeSave = node('save', out);
    r.nodeSaveLazy = node('save-lazy', out);
    r.nodeEncode = node('encode', out);
    rows.push(r);
    fs.rmSync(out, { force: true });
  }
  const mb = (b) => (b / 2 ** 20).toFixed(1);
  const ms = (x) => median(x.ms).toFixed(1);
  console.log(
    `node ${process.version}, python onnx ${onnxVersion} (protobuf), ${os.cpus().length} cores (${os.cpus()[0]?.model})`,
  );
  console.log(`median of ${repeats}; peak = peak RSS rise during the first repetition\n`);
  const table = (title, cols) => {
    console.log(`\n${title}\n`);
    console.log(`| model | file MiB | ${cols.map((c) => c[0]).join(' | ')} |`);
    console.log(`|---|---|${cols.map(() => '---').join('|')}|`);
    for (const r of rows)
      console.log(`| ${r.file} | ${mb(r.size)} | ${cols.map((c) => c[1](r)).join(' | ')} |`);
  };
  const x = (a, b) => `${(median(a.ms) / median(b.ms)).toFixed(1)}x`;
  const pk = (m, r) => `${mb(m.peak_rss_delta)} (${(m.peak_rss_delta / r.size).toFixed(2)}x)`;
  table('Load (median ms; speedup = onnx.load / trtkit)', [
    ['onnx.load', (r) => ms(r.pyLoad)],
    ['readModel', (r) => ms(r.nodeLoad)],
    ['speedup', (r) => x(r.pyLoad, r.nodeLoad)],
    ['readModel lazyWeights', (r) => ms(r.nodeLazy)],
    ['speedup', (r) => x(r.pyLoad, r.nodeLazy)],
    ['+ lazyNodes', (r) => ms(r.nodeLazyNodes)],
    ['speedup', (r) => x(r.pyLoad, r.nodeLazyNodes)],
    ['lazy load + read nodes', (r) => ms(r.nodeNodesRead)],
    ['decodeModel only', (r) => ms(r.nodeDecode)],
  ]);
  table('Save (median ms; speedup = onnx.save / trtkit)', [
    ['onnx.save', (r) => ms(r.pySave)],
    ['writeModel fsync:false', (r) => ms(r.nodeSaveNoSync)],
    ['speedup', (r) => x(r.pySave, r.nodeSaveNoSync)],
    ['writeModel (fsync)', (r) => ms(r.nodeSave)],
    ['speedup', (r) => x(r.pySave, r.nodeSave)],
    ['writeModel from lazy load', (r) => ms(r.nodeSaveLazy)],
    ['encodeModel + writeFileSync', (r) => ms(r.nodeEncode)],
  ]);
  table('Peak memory (MiB above the starting RSS, first repetition; x = / file size)', [
    ['onnx.load', (r) => pk(r.pyLoad, r)],
    ['readModel', (r) => pk(r.nodeLoad, r)],
    ['readModel lazyWeights', (r) => pk(r.nodeLazy, r)],
    ['+ lazyNodes', (r) => pk(r.nodeLazyNodes, r)],
    ['onnx.save', (r) => pk(r.pySave, r)],
    ['writeModel', (r) => pk(r.nodeSave, r)],
  ]);
  console.log(`\nraw: ${JSON.stringify(rows)}`);
}

await main();
