import type { Engine, HostTensor } from '@trtkit/core';
import { RecipeOutputError } from './errors.js';
import type { ImageInput, RgbImage } from './image/load-image.js';
import { labelLookup } from './labels/index.js';
import { type Detection, decodeDetections } from './postprocess/detections.js';
import { type SegmentationMap, segmentationMaps } from './postprocess/segmentation.js';
import { prepareInputs } from './preprocess/batch.js';
import type { Recipe } from './recipes/recipe.js';

export type RecipeResult =
  | { readonly task: 'detection'; readonly image: RgbImage; readonly detections: Detection[] }
  | { readonly task: 'segmentation'; readonly image: RgbImage; readonly segmentation: SegmentationMap };

export interface RunRecipeOptions {
  /** Images per engine run (default: all at once). */
  readonly batch?: number;
  /** Overrides the recipe's score threshold. */
  readonly threshold?: number;
}

function pick(outputs: Record<string, HostTensor>, names: readonly string[], what: string): HostTensor {
  for (const n of names) if (outputs[n]) return outputs[n];
  throw new RecipeOutputError(`the model has no ${what} output (looked for ${names.join(', ')})`, {
    hint: `its outputs are: ${Object.keys(outputs).join(', ')}`,
  });
}

function staticSize(engine: Engine, input: string): [number, number] | undefined {
  const dims = engine.inputs.find((i) => i.name === input)?.dims;
  return typeof dims?.[2] === 'number' && typeof dims?.[3] === 'number' ? [dims[2], dims[3]] : undefined;
}

/** Preprocess, run, postprocess: typed detections or masks per image, in input order. */
export async function runRecipe(
  recipe: Recipe,
  engine: Engine,
  inputs: readonly ImageInput[],
  options: RunRecipeOptions = {},
): Promise<RecipeResult[]> {
  const batch = options.batch ?? inputs.length;
  const results: RecipeResult[] = [];
  const maskInput = recipe.maskInput && engine.inputs.some((i) => i.name === recipe.maskInput);
  for (let start = 0; start < inputs.length; start += batch) {
    // Headers first, then each image decoded and resized into its slot (decodes and resizes overlap).
    const prepared = await prepareInputs(
      inputs.slice(start, start + batch),
      recipe.resize,
      recipe.normalize,
      staticSize(engine, recipe.input),
      { resample: recipe.resample, mask: Boolean(maskInput) },
    );
    const feeds: Record<string, HostTensor> = { [recipe.input]: prepared.pixelValues };
    if (maskInput && recipe.maskInput) feeds[recipe.maskInput] = prepared.pixelMask;
    const outputs = await engine.run(feeds);
    if (recipe.task === 'detection') {
      // Boxes are relative to the padded input: scale by the padded size, then map to the original image.
      const [padH, padW] = prepared.pixelValues.dims.slice(2) as [number, number];
      const perImage = decodeDetections(
        pick(outputs, recipe.outputs.logits, 'logits'),
        pick(outputs, recipe.outputs.boxes, 'boxes'),
        prepared.images.map(() => [padH, padW] as const),
        {
          scores: recipe.scores,
          threshold: options.threshold ?? recipe.threshold,
          ...(recipe.topK ? { topK: recipe.topK } : {}),
          labelName: labelLookup(recipe.labels),
        },
      );
      perImage.forEach((dets, i) => {
        const [rh, rw] = prepared.resizedSizes[i]!;
        const [oh, ow] = prepared.originalSizes[i]!;
        const detections = dets.map((d) => ({
          ...d,
          box: [
            (d.box[0] * ow) / rw,
            (d.box[1] * oh) / rh,
            (d.box[2] * ow) / rw,
            (d.box[3] * oh) / rh,
          ] as const,
        }));
        results.push({ task: 'detection', image: prepared.images[i]!, detections });
      });
    } else {
      const logits = pick(outputs, recipe.outputs.logits, 'logits');
      const [padH, padW] = prepared.pixelValues.dims.slice(2) as [number, number];
      const [, , lh, lw] = logits.dims as [number, number, number, number];
      const valid = prepared.resizedSizes.map(([h, w]) => [(h * lh) / padH, (w * lw) / padW] as const);
      const maps = segmentationMaps(logits, prepared.originalSizes, valid);
      maps.forEach((segmentation, i) => {
        results.push({ task: 'segmentation', image: prepared.images[i]!, segmentation });
      });
    }
  }
  return results;
}
