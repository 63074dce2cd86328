import { InvalidArgumentError } from '@trtkit/core';
import { ADE20K_150, ADE20K_PALETTE } from './ade20k.js';
import { COCO_80, COCO_91 } from './coco.js';
import { CITYSCAPES_19, CITYSCAPES_PALETTE, SYNTHETIC_SHAPES, SYNTHETIC_SHAPES_SEG } from './other.js';

/** One RGB colour per class id. */
export type Palette = readonly (readonly [number, number, number])[];

export interface LabelSet {
  readonly labels: readonly string[];
  /** The data set's own colours, where it has standard ones. */
  readonly palette?: Palette;
}

/** The bundled label sets by name, for options and command lines (`segformerRecipe({ labels: 'ade20k-150' })`). */
export const LABEL_SETS = {
  'coco-91': { labels: COCO_91 },
  'coco-80': { labels: COCO_80 },
  'ade20k-150': { labels: ADE20K_150, palette: ADE20K_PALETTE },
  'cityscapes-19': { labels: CITYSCAPES_19, palette: CITYSCAPES_PALETTE },
  'synthetic-shapes': { labels: SYNTHETIC_SHAPES },
  'synthetic-shapes-seg': { labels: SYNTHETIC_SHAPES_SEG },
} as const satisfies Record<string, LabelSet>;

export type LabelSetName = keyof typeof LABEL_SETS;

/** Looks a label set up by name; an unknown name is a typed error listing the known ones. */
export function labelSet(name: string): LabelSet {
  const set = (LABEL_SETS as Record<string, LabelSet>)[name];
  if (!set) {
    throw new InvalidArgumentError(`no label set named '${name}'`, {
      hint: `known label sets: ${Object.keys(LABEL_SETS).join(', ')}`,
    });
  }
  return set;
}
