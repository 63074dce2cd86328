import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '@trtkit/core';
import { drawDetections, getRecipe, model, overlayMask, recipeNames, writePng } from '@trtkit/models';
import type { Command } from '../cli/command.js';

/** `trtkit infer`: preprocess, run on the reference backend, postprocess, print typed results, draw them. */
export const infer: Command = {
  name: 'infer',
  summary: 'run a recipe on images: detections or masks as text/JSON, annotated PNGs',
  usage: [
    'trtkit infer <images...> --recipe <name> --model <model.onnx> [--json] [--out <png or dir>] [--force]',
    '             [--threshold <0..1>] [--batch <n>] [--threads <n>] [--passes a,b,c | --defaults] [--verify] [--fp16]',
    '',
    `Recipes: ${recipeNames().join(', ')}`,
    '  --out        one PNG (one image) or a directory (one PNG per image)',
    "  --threshold  score threshold (default: the recipe's)",
    '  --batch      images per run (default: all)',
    '  --threads    ONNX Runtime intra-op threads',
    "  --passes     graph passes to run before building (as `trtkit optimize`); --defaults: the recipe's own list",
    '  --verify     check each pass against the unchanged model on ONNX Runtime',
    '  --fp16       convert to mixed precision (FP16 with verified FP32 islands) before building',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        recipe: { type: 'string' },
        model: { type: 'string' },
        json: { type: 'boolean' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        threshold: { type: 'string' },
        batch: { type: 'string' },
        threads: { type: 'string' },
        passes: { type: 'string' },
        defaults: { type: 'boolean' },
        verify: { type: 'boolean' },
        fp16: { type: 'boolean' },
      },
    });
    if (!values.recipe || !values.model || positionals.length === 0) {
      throw new InvalidArgumentError('infer needs images, --recipe and --model', {
        hint: infer.usage.split('\n')[0],
      });
    }
    const num = (s: string | undefined, what: string, int: boolean) => {
      if (s === undefined) return undefined;
      const v = Number(s);
      if (!Number.isFinite(v) || (int && (!Number.isInteger(v) || v < 1))) {
        throw new InvalidArgumentError(
          `--${what} must be ${int ? 'a positive integer' : 'a number'}, got '${s}'`,
        );
      }
      return v;
    };
    const threshold = num(values.threshold, 'threshold', false);
    const batch = num(values.batch, 'batch', true);
    const threads = num(values.threads, 'threads', true);
    const recipe = getRecipe(values.recipe);
    if (values.passes && values.defaults)
      throw new InvalidArgumentError('give --passes or --defaults, not both');
    // The same pipeline as the fluent API: model(recipe, { onnx }).pass(...).verify().build({ fp16 }).
    let pipeline = model(recipe, { onnx: values.model });
    if (values.defaults) pipeline = pipeline.defaults();
    for (const name of (values.passes ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean))
      pipeline = pipeline.pass(name);
    if (values.verify) pipeline = pipeline.verify();
    const deployed = pipeline.build({
      ...(values.fp16 ? { fp16: true } : {}),
      ...(threads ? { threads } : {}),
    });
    try {
      const results = await deployed.infer(positionals, {
        ...(threshold !== undefined ? { threshold } : {}),
        ...(batch ? { batch } : {}),
      });
      const outDir =
        values.out &&
        (positionals.length > 1 || (existsSync(values.out) && statSync(values.out).isDirectory()))
          ? values.out
          : undefined;
      if (outDir) mkdirSync(outDir, { recursive: true });
      const summary = [];
      for (const [i, r] of results.entries()) {
        const file = positionals[i]!;
        if (values.out) {
          const png = outDir ? join(outDir, `${basename(file, extname(file))}.png`) : values.out;
          const drawn =
            r.task === 'detection'
              ? drawDetections(r.image, r.detections)
              : overlayMask(r.image, r.segmentation, 0.5, true, recipe.palette);
          await writePng(resolve(png), drawn, values.force ?? false);
        }
        if (r.task === 'detection') {
          summary.push({ image: file, detections: r.detections });
          if (!values.json) {
            io.out(`${file}: ${r.detections.length} detection(s)`);
            for (const d of r.detections) {
              io.out(
                `  ${d.labelName.padEnd(14)} ${d.score.toFixed(3)}  [${d.box.map((v) => v.toFixed(1)).join(', ')}]`,
              );
            }
          }
        } else {
          const counts: Record<string, number> = {};
          for (const k of r.segmentation.classes) {
            const name = recipe.labels[k] ?? `class ${k}`;
            counts[name] = (counts[name] ?? 0) + 1;
          }
          summary.push({
            image: file,
            width: r.segmentation.width,
            height: r.segmentation.height,
            pixels: counts,
          });
          if (!values.json) {
            io.out(`${file}: ${r.segmentation.width}x${r.segmentation.height} map`);
            for (const [name, n] of Object.entries(counts)) {
              io.out(`  ${name.padEnd(14)} ${((100 * n) / r.segmentation.classes.length).toFixed(1)}%`);
            }
          }
        }
      }
      if (values.json) io.out(JSON.stringify(summary, null, 2));
      return 0;
    } finally {
      await deployed.dispose().catch(() => undefined);
    }
  },
};
