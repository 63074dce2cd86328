import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FileError } from '@trtkit/core';
import { drawDetections, model, overlayMask, writePng } from '@trtkit/models';
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

const ms = (t0: number) => `${(performance.now() - t0).toFixed(0)} ms`;

/** The README's main job: bundled models on a bundled image, through the pipeline, annotated PNG out. */
export const demo: Command = {
  name: 'demo',
  summary: "run the README's main job: bundled models on a bundled image, annotated PNG out",
  usage: [
    'trtkit demo [--image <png|jpg>] [--out <png>] [--force] [--json]',
    '',
    'Segments and detects shapes in a bundled image with the bundled trained SegFormer and DETR, on the',
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
    // DETR with the original inference structure: its auxiliary heads and the Gather(-1) over stacked layers are what
    // broke TensorRT builds in the field. The pipeline removes them, verifying each step against ONNX Runtime.
    const detPipeline = model('synthetic-detr', { onnx: join(fixtures, 'detr_original.onnx') })
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
      ['DETR', detBuilt, 916],
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
    const annotated = drawDetections(
      overlayMask(segResult.image, segResult.segmentation),
      detResult.detections,
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
