import { type LabelSetName, labelSet, type Palette } from '../labels/sets.js';
import type { ResampleMethod } from '../preprocess/resample.js';
import { segformer } from './families.js';
import type { SegmentationRecipe } from './recipe.js';

export interface SegformerOptions {
  /** A bundled label set by name ('ade20k-150', 'cityscapes-19', ...) or your own class names in logit order. */
  readonly labels?: LabelSetName | readonly string[];
  /** Colours per class id; defaults to the named set's palette. */
  readonly palette?: Palette;
  /** Input size: one number for a square, or [height, width] (default 512). */
  readonly size?: number | readonly [number, number];
  readonly resample?: ResampleMethod;
  /** Registry name of the result (default 'segformer-<labels>' or 'segformer-custom'). */
  readonly name?: string;
}

/**
 * The SegFormer recipe with a chosen label set, size and resize filter, e.g. `segformerRecipe({ labels: 'cityscapes-19',
 * size: 1024 })`; pass the result to `model(...)` or `registerRecipe`.
 */
export function segformerRecipe(options: SegformerOptions = {}): SegmentationRecipe {
  const named = typeof options.labels === 'string' ? labelSet(options.labels) : undefined;
  const labels = named?.labels ?? (options.labels as readonly string[] | undefined) ?? segformer.labels;
  const palette = options.palette ?? named?.palette ?? (options.labels ? undefined : segformer.palette);
  const [height, width] =
    typeof options.size === 'number' ? [options.size, options.size] : (options.size ?? [512, 512]);
  const name =
    options.name ??
    (typeof options.labels === 'string'
      ? `segformer-${options.labels}`
      : options.labels
        ? 'segformer-custom'
        : 'segformer');
  return {
    ...(segformer as SegmentationRecipe),
    name,
    description: `SegFormer: ${height}x${width}, ${labels.length} classes`,
    resize: { kind: 'fixed', height, width },
    labels,
    palette,
    ...(options.resample ? { resample: options.resample } : {}),
  };
}
