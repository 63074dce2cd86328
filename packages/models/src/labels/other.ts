// Cityscapes' 19 evaluation classes (SegFormer Cityscapes checkpoints), in train-id order.
export const CITYSCAPES_19 = [
  'road',
  'sidewalk',
  'building',
  'wall',
  'fence',
  'pole',
  'traffic light',
  'traffic sign',
  'vegetation',
  'terrain',
  'sky',
  'person',
  'rider',
  'car',
  'truck',
  'bus',
  'train',
  'motorcycle',
  'bicycle',
] as const;

// The synthetic shapes data set the bundled trained fixtures were trained on (fixtures/trained/labels.json).
export const SYNTHETIC_SHAPES = ['circle', 'square', 'triangle'] as const;
export const SYNTHETIC_SHAPES_SEG = ['background', 'circle', 'square', 'triangle'] as const;

/** A name lookup that never fails: ids outside the list read as "class <id>". */
export function labelLookup(names: readonly string[]): (id: number) => string {
  return (id) => names[id] ?? `class ${id}`;
}
