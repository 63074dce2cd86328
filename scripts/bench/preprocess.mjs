#!/usr/bin/env node
// Preprocessing throughput: images/s of @trtkit/models' DETR and SegFormer preprocessing (prepareInputs: decode with EXIF
// orientation + resize + rescale/normalise + pad with pixel masks, from a JPEG path to the batch tensors) against a
// same-machine Python peer doing transformers' image-processor steps with PIL + numpy (preprocess_peer.py).
//
//   node scripts/bench/preprocess.mjs [--repeats 5] [--rounds 3] [--json out.json] [--python /usr/bin/python3]
//
// Runs the package sources (bundled with esbuild), like the tests. Ours runs three times, each in a fresh process: with
// one thread (UV_THREADPOOL_SIZE=1, sharp.concurrency(1)), the like-for-like comparison with the single-threaded peer;
// the same without the native image addon (TRTKIT_IMAGE_NATIVE=off: the JavaScript resampler); and with the defaults
// (a batch's decodes and resizes overlap on libuv's pool). Each configuration times both resize filters: 'torchvision'
// (the default, bit-identical to transformers) and 'libvips' (sharp's, not identical).
// The three processes (ours with 1 thread, ours with default threads, the peer) run in turn `rounds` times, so load
// from other jobs on a shared machine falls on all of them; each run times `repeats` calls after two warm-up calls,
// and a row reports the median over all its calls. The peer needs Pillow and numpy
// (Debian: apt-get install python3-pil python3-numpy).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const images = path.join(root, 'fixtures/processors');
const big = path.join(images, 'photo_1920x1080_exif6.jpg');
const small = path.join(images, 'photo_640x480.jpg');
const CASES = [
  ['1080p JPEG (EXIF 6), single', [big]],
  ['640x480 JPEG, single', [small]],
  ['batch of 8 (4 of each)', [big, small, big, small, big, small, big, small]],
];
// Only served to the paired driver (tools/device/preprocess_paired.py): throughput when a batch can use many cores.
const SERVE_CASES = [
  ...CASES,
  ['batch of 32 (16 of each)', Array.from({ length: 32 }, (_, i) => (i % 2 ? small : big))],
  ['batch of 32 1080p', Array.from({ length: 32 }, () => big)],
];

const { values: args } = parseArgs({
  options: {
    repeats: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    worker: { type: 'string' },
    serve: { type: 'boolean', default: false },
    threads: { type: 'string' },
  },
});
const repeats = Number(args.repeats);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Bundles the preprocessing sources (not the whole package: no ONNX Runtime needed) into node_modules/.cache. */
async function bundle() {
  const esbuild = await import('esbuild');
  const outDir = path.join(root, 'node_modules/.cache/trtkit-bench');
  fs.mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, 'preprocess.mjs');
  await esbuild.build({
    stdin: {
      contents: `export { loadImageAddon } from './packages/trt-native/src/image/addon.ts';
        export { loadImage } from './packages/models/src/image/load-image.ts';
        export { prepareBatch, prepareInputs } from './packages/models/src/preprocess/batch.ts';
        export { getRecipe } from './packages/models/src/recipes/registry.ts';`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['sharp'],
    alias: {
      '@trtkit/core': path.join(root, 'packages/core/src/index.ts'),
      '@trtkit/trt-native': path.join(root, 'packages/trt-native/src/index.ts'),
    },
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'error',
  });
  return outfile;
}

// ---- worker: one configuration, in a fresh process ----
async function worker(bundlePath, threads) {
  const m = await import(pathToFileURL(bundlePath).href);
  const sharp = (await import('sharp')).default;
  if (threads === '1') sharp.concurrency(1);
  sharp.cache(false); // every call decodes from the file, as a fresh request would
  const results = [];
  for (const recipeName of ['detr', 'segformer']) {
    const recipe = m.getRecipe(recipeName);
    for (const resample of ['torchvision', 'libvips']) {
      for (const [name, paths] of CASES) {
        // As runRecipe does it: headers, then decode + resize per image into the batch.
        const run = () =>
          m.prepareInputs(paths, recipe.resize, recipe.normalize, undefined, {
            resample,
            mask: recipe.maskInput !== undefined, // SegFormer has no mask input
          });
        let out;
        for (let i = 0; i < 2; i++) out = await run();
        const ms = [];
        for (let i = 0; i < repeats; i++) {
          const t = performance.now();
          await run();
          ms.push(performance.now() - t);
        }
        results.push({
          recipe: recipeName,
          resample,
          case: name,
          images: paths.length,
          ms,
          shape: out.pixelValues.dims,
        });
      }
    }
  }
  process.stdout.write(`${JSON.stringify({ threads, native: m.loadImageAddon() !== undefined, results })}\n`);
}

function runJson(cmd, argv, env) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 26 });
  if (r.status !== 0)
    return { error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop() };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function main() {
  const bundlePath = await bundle();
  const self = fileURLToPath(import.meta.url);
  // The bundle sits outside the package, so it is told where the built image addon is.
  const imageAddon = path.join(root, 'packages/trt-native/build/image/Release/trtkit_image.node');
  const runOurs = (threads, native = true) =>
    runJson(
      process.execPath,
      [self, '--worker', bundlePath, '--threads', threads, '--repeats', String(repeats)],
      {
        TRTKIT_IMAGE_ADDON: imageAddon,
        ...(native ? {} : { TRTKIT_IMAGE_NATIVE: 'off' }),
        ...(threads === '1' ? { UV_THREADPOOL_SIZE: '1' } : {}),
      },
    );
  const runPeer = () =>
    runJson(args.python, [path.join(here, 'preprocess_peer.py'), '--repeats', String(repeats)]);
  // Pools the calls of every round into the first round's rows.
  const pool = (acc, next) => {
    if (!acc || acc.error) return next;
    if (next.error) return acc;
    acc.results.forEach((r, i) => {
      r.ms.push(...next.results[i].ms);
    });
    return acc;
  };
  let ours1;
  let oursJs;
  let oursN;
  let peer;
  for (let round = 0; round < Number(args.rounds); round++) {
    ours1 = pool(ours1, runOurs('1'));
    oursJs = pool(oursJs, runOurs('1', false));
    oursN = pool(oursN, runOurs('default'));
    peer = pool(peer, runPeer());
  }
  const ours = [ours1, oursN, oursJs];
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), Node ${process.version}`;
  console.log(`machine: ${machine}; ${args.rounds} rounds x ${repeats} timed calls per row, medians`);
  if (peer.error) console.log(`peer not run: ${peer.error}`);
  else console.log(`peer: ${peer.peer}, Python ${peer.python}, Pillow ${peer.pil}, numpy ${peer.numpy}`);
  const peerMs = (recipe, c) => peer.results?.find((r) => r.recipe === recipe && r.case === c)?.ms;
  const best = (xs) => Math.min(...xs);
  // Medians are the headline; the best call shows what the code does when the shared machine leaves it alone.
  for (const [label, stat] of [
    ['median', median],
    ['best', best],
  ]) {
    const rate = (ms, n) => (n * 1000) / stat(ms);
    console.log(`\n${label} call, images/s:\n`);
    console.log(
      '| recipe | case | peer | ours 1 thread: exact (native) / exact (JS) / libvips | ours default threads: exact / libvips | ours ÷ peer, 1 thread: exact (native) / exact (JS) / libvips |',
    );
    console.log('|---|---|---|---|---|---|');
    for (const recipe of ['detr', 'segformer']) {
      for (const [c, paths] of CASES) {
        const n = paths.length;
        const pick = (o, resample) =>
          o.results?.find((r) => r.recipe === recipe && r.case === c && r.resample === resample)?.ms;
        const p = peerMs(recipe, c);
        const fmt = (ms) => (ms ? rate(ms, n).toFixed(1) : 'n/a');
        const ratio = (ms) => (ms && p ? `${(stat(p) / stat(ms)).toFixed(2)}x` : 'n/a');
        const [t1, d1] = [pick(ours[0], 'torchvision'), pick(ours[0], 'libvips')];
        const [t2, d2] = [pick(ours[1], 'torchvision'), pick(ours[1], 'libvips')];
        const j1 = pick(ours[2], 'torchvision');
        console.log(
          `| ${recipe} | ${c} | ${fmt(p)} | ${fmt(t1)} / ${fmt(j1)} / ${fmt(d1)} | ${fmt(t2)} / ${fmt(d2)} | ${ratio(t1)} / ${ratio(j1)} / ${ratio(d1)} |`,
        );
      }
    }
  }
  for (const o of ours) if (o.error) console.log(`ours failed: ${o.error}`);
  if (ours[0].native === false)
    console.log('note: the image addon was not found; "native" rows ran the JS path');
  if (args.json) {
    const tmp = `${args.json}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ machine, repeats, ours, peer }, null, 1));
    fs.renameSync(tmp, args.json);
  }
}

// ---- serve: one call per request line ({"recipe","resample","case"}), for a driver that interleaves its own calls
// with ours (tools/device/preprocess_paired.py); answers {"ms"} per line ----
async function serve(bundlePath, threads) {
  const m = await import(pathToFileURL(bundlePath).href);
  const sharp = (await import('sharp')).default;
  if (threads === '1') sharp.concurrency(1);
  sharp.cache(false);
  const { createInterface } = await import('node:readline');
  process.stdout.write(`${JSON.stringify({ ready: true, native: m.loadImageAddon() !== undefined })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const req = JSON.parse(line);
    const recipe = m.getRecipe(req.recipe);
    const paths = SERVE_CASES.find(([name]) => name === req.case)[1];
    const t = performance.now();
    const out = await m.prepareInputs(paths, recipe.resize, recipe.normalize, undefined, {
      resample: req.resample,
      mask: recipe.maskInput !== undefined,
    });
    const ms = performance.now() - t;
    process.stdout.write(`${JSON.stringify({ ms, shape: out.pixelValues.dims })}\n`);
  }
}

if (args.worker && args.serve) await serve(args.worker, args.threads ?? 'default');
else if (args.worker) await worker(args.worker, args.threads ?? 'default');
else await main();
