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

// Cityscapes' colours for the 19 train ids (the dataset's official label colours), same order as CITYSCAPES_19.
export const CITYSCAPES_PALETTE: readonly (readonly [number, number, number])[] = [
  [128, 64, 128],
  [244, 35, 232],
  [70, 70, 70],
  [102, 102, 156],
  [190, 153, 153],
  [153, 153, 153],
  [250, 170, 30],
  [220, 220, 0],
  [107, 142, 35],
  [152, 251, 152],
  [70, 130, 180],
  [220, 20, 60],
  [255, 0, 0],
  [0, 0, 142],
  [0, 0, 70],
  [0, 60, 100],
  [0, 80, 100],
  [0, 0, 230],
  [119, 11, 32],
];

// The synthetic shapes data set the bundled trained fixtures were trained on (fixtures/trained/labels.json).
export const SYNTHETIC_SHAPES = ['circle', 'square', 'triangle'] as const;
export const SYNTHETIC_SHAPES_SEG = ['background', 'circle', 'square', 'triangle'] as const;

/** A name lookup that never fails: ids outside the list read as "class <id>". */
export function labelLookup(names: readonly string[]): (id: number) => string {
  return (id) => names[id] ?? `class ${id}`;
}
