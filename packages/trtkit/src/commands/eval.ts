import { readFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeModel, FileError, InvalidArgumentError, readModel } from '@trtkit/core';
import { cocoMap, type EvalBox, getRecipe, loadImage, MiouAccumulator, runRecipe } from '@trtkit/models';
import { OrtBackend } from '@trtkit/ort';
import type { Command } from '../cli/command.js';

interface CocoJson {
  images: { id: number; file_name: string }[];
  annotations: {
    image_id: number;
    category_id: number;
    bbox: [number, number, number, number];
    iscrowd?: number;
  }[];
  categories: { id: number; name: string }[];
}

/** `trtkit eval`: scores a recipe + model on a COCO-format set (mAP), or on masks beside the images (mIoU). */
export const evaluate: Command = {
  name: 'eval',
  summary: 'score a recipe and model on a COCO-format dataset: mAP (detection) or mIoU (segmentation)',
  usage: [
    'trtkit eval --recipe <name> --model <model.onnx> --dataset <coco.json> [--images <dir>] [--json]',
    '            [--mask-suffix _mask.png] [--ignore 255] [--threshold 0.001]',
    '',
    'Detection: AP@[.5:.95], AP50, AP75 over the annotations; recipe labels are matched to COCO categories by name.',
    'Segmentation: mIoU against <image stem><mask-suffix> class-id PNGs next to the images.',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        recipe: { type: 'string' },
        model: { type: 'string' },
        dataset: { type: 'string' },
        images: { type: 'string' },
        json: { type: 'boolean' },
        'mask-suffix': { type: 'string' },
        ignore: { type: 'string' },
        threshold: { type: 'string' },
      },
    });
    if (!values.recipe || !values.model || !values.dataset) {
      throw new InvalidArgumentError('eval needs --recipe, --model and --dataset', {
        hint: evaluate.usage.split('\n')[0],
      });
    }
    let coco: CocoJson;
    try {
      coco = JSON.parse(readFileSync(values.dataset, 'utf8')) as CocoJson;
    } catch (cause) {
      throw new FileError(values.dataset, 'not a readable COCO json', { cause });
    }
    if (!Array.isArray(coco.images) || !Array.isArray(coco.categories)) {
      throw new FileError(values.dataset, 'missing "images" or "categories": not a COCO-format file');
    }
    const imagesDir = values.images ?? dirname(values.dataset);
    const recipe = getRecipe(values.recipe);
    const engine = await new OrtBackend().build(encodeModel((await readModel(values.model)).model));
    const t0 = performance.now();
    try {
      if (recipe.task === 'detection') {
        const byName = new Map(coco.categories.map((c) => [c.name, c.id]));
        const predictions: EvalBox[] = [];
        const threshold = values.threshold !== undefined ? Number(values.threshold) : 0.001;
        for (const img of coco.images) {
          const [r] = await runRecipe(recipe, engine, [join(imagesDir, img.file_name)], { threshold });
          if (r?.task !== 'detection') continue;
          for (const d of r.detections) {
            const categoryId = byName.get(d.labelName);
            if (categoryId === undefined) continue;
            const [x0, y0, x1, y1] = d.box;
            predictions.push({
              imageId: img.id,
              categoryId,
              bbox: [x0, y0, x1 - x0, y1 - y0],
              score: d.score,
            });
          }
        }
        const truth: EvalBox[] = (coco.annotations ?? []).map((a) => ({
          imageId: a.image_id,
          categoryId: a.category_id,
          bbox: a.bbox,
          iscrowd: a.iscrowd === 1,
        }));
        const r = cocoMap(truth, predictions);
        const report = {
          images: coco.images.length,
          predictions: predictions.length,
          ...r,
          seconds: (performance.now() - t0) / 1000,
        };
        if (values.json) io.out(JSON.stringify(report, null, 2));
        else
          io.out(
            `${coco.images.length} images: AP ${r.ap.toFixed(4)}  AP50 ${r.ap50.toFixed(4)}  AP75 ${r.ap75.toFixed(4)}`,
          );
        return 0;
      }
      const acc = new MiouAccumulator(values.ignore !== undefined ? Number(values.ignore) : undefined);
      const suffix = values['mask-suffix'] ?? '_mask.png';
      for (const img of coco.images) {
        const file = join(imagesDir, img.file_name);
        const [r] = await runRecipe(recipe, engine, [file]);
        if (r?.task !== 'segmentation') continue;
        const mask = await loadImage(join(imagesDir, `${parse(img.file_name).name}${suffix}`));
        const truth = new Uint8Array(mask.width * mask.height).map((_, i) => mask.data[i * 3]!);
        acc.add(r.segmentation.classes, truth);
      }
      const r = acc.result();
      if (values.json) io.out(JSON.stringify({ images: coco.images.length, ...r }, null, 2));
      else
        io.out(
          `${coco.images.length} images: mIoU ${r.miou.toFixed(4)}  pixel accuracy ${r.pixelAccuracy.toFixed(4)}`,
        );
      return 0;
    } finally {
      await engine.dispose();
    }
  },
};
