import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FileError } from '@trtkit/core';
import { drawDetections, model, overlayMask, type RgbImage, writePng } from '@trtkit/models';
import { OrtBackend } from '@trtkit/ort';
import type { Command } from '../cli/command.js';

/** The repo's fixtures folder: the demo's bundled models and images live there. */
function fixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'fixtures', 'trained'))) return join(dir, 'fixtures', 'trained');
    dir = dirname(dir);
  }
  throw new FileError('fixtures/trained', 'the bundled demo models were not found', {
    hint: 'run the demo from a checkout of the trtkit repository',
  });
}

/** Nearest-neighbour enlargement by an integer factor. */
function enlarge(image: RgbImage, k: number): RgbImage {
  const width = image.width * k;
  const height = image.height * k;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const src = (Math.floor(y / k) * image.width + Math.floor(x / k)) * 3;
      data.set(image.data.subarray(src, src + 3), (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

const ms = (t0: number) => `${(performance.now() - t0).toFixed(0)} ms`;

/** The README's main job: bundled models on a bundled image, through the pipeline, annotated PNG out. */
export const demo: Command = {
  name: 'demo',
  summary: "run the README's main job: bundled models on a bundled image, annotated PNG out",
  usage: [
    'trtkit demo [--image <png|jpg>] [--out <png>] [--force] [--json]',
    '',
    'Segments and detects shapes in a bundled image with the bundled trained SegFormer and Deformable DETR, on the',
    'embedded ONNX Runtime backend, and writes the annotated image.',
    '  --image   image to run on (default: fixtures/trained/val/val_0.png)',
    '  --out     PNG to write (default: out/demo.png)',
    '  --force   replace --out if it exists',
    '  --json    print the results as JSON',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        image: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    const fixtures = fixturesDir();
    const image = resolve(values.image ?? join(fixtures, 'val', 'val_0.png'));
    const out = resolve(values.out ?? 'out/demo.png');
    const backend = new OrtBackend();
    const log = (s: string) => {
      if (!values.json) io.out(s);
    };

    log(`trtkit demo: ${image}`);
    let t0 = performance.now();
    // The bundled Deformable DETR as exported: auxiliary heads on every decoder layer selected by Gather(-1), and
    // deformable attention decomposed into GridSample chains. The pipeline fuses the attention into one plugin op
    // (run here through its reference body), drops the auxiliary heads and simplifies, verifying each step.
    const detPipeline = model('synthetic-deformable-detr', { onnx: join(fixtures, 'deformable_detr.onnx') })
      .fuseDeformableAttention()
      .removeAuxHeads()
      .fixGather()
      .simplify()
      .verify();
    const segPipeline = model('synthetic-segformer', { onnx: join(fixtures, 'segformer.onnx') })
      .simplify()
      .verify();
    const det = detPipeline.build({ backend });
    const seg = segPipeline.build({ backend });
    const [detBuilt, segBuilt] = await Promise.all([det.ready(), seg.ready()]);
    log(`  optimize + verify + build on ONNX Runtime (${ms(t0)})`);
    for (const [name, built, before] of [
      ['Deformable DETR', detBuilt, 2837],
      ['SegFormer', segBuilt, 1263],
    ] as const) {
      log(`    ${name}: ${before} -> ${built.model.graph?.node.length} nodes`);
      for (const r of built.reports) {
        if (!r.changed) continue;
        log(
          `      ${r.pass.padEnd(15)} -${r.nodesRemoved} +${r.nodesAdded} nodes${r.notes[0] ? `: ${r.notes[0]}` : ''}`,
        );
      }
    }

    t0 = performance.now();
    const [segResult, detResult] = await Promise.all([seg.infer(image), det.infer(image)]);
    await Promise.all([seg.dispose(), det.dispose()]);
    if (segResult.task !== 'segmentation' || detResult.task !== 'detection')
      throw new Error('unexpected result');
    const counts = new Map<number, number>();
    for (const k of segResult.segmentation.classes) counts.set(k, (counts.get(k) ?? 0) + 1);
    const segLabels = segPipeline.recipe.labels;
    log(`  infer    (${ms(t0)})`);
    for (const [k, n] of [...counts].sort((a, b) => a[0] - b[0])) {
      log(
        `    segment  ${segLabels[k] ?? k}: ${((100 * n) / segResult.segmentation.classes.length).toFixed(1)}% of pixels`,
      );
    }
    for (const d of detResult.detections) {
      log(
        `    detect   ${d.labelName} ${(d.score * 100).toFixed(0)}% at [${d.box.map((v) => v.toFixed(0)).join(', ')}]`,
      );
    }
    if (detResult.detections.length === 0) log('    detect   nothing above the recipe threshold');

    mkdirSync(dirname(out), { recursive: true });
    // The bundled images are 128 px: draw on a 4x enlargement so labels stay legible.
    const big = enlarge(overlayMask(segResult.image, segResult.segmentation), 4);
    const annotated = drawDetections(
      big,
      detResult.detections.map((d) => ({ ...d, box: d.box.map((v) => v * 4) as unknown as typeof d.box })),
    );
    await writePng(out, annotated, values.force ?? false);
    log(`  wrote    ${out}`);
    if (values.json) {
      io.out(
        JSON.stringify(
          { image, out, detections: detResult.detections, segmentation: Object.fromEntries(counts) },
          null,
          2,
        ),
      );
    }
    return 0;
  },
};
