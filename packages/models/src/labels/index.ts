export { ADE20K_150, ADE20K_PALETTE } from './ade20k.js';
export { COCO_80, COCO_91 } from './coco.js';
export {
  CITYSCAPES_19,
  CITYSCAPES_PALETTE,
  labelLookup,
  SYNTHETIC_SHAPES,
  SYNTHETIC_SHAPES_SEG,
} from './other.js';
export { LABEL_SETS, type LabelSet, type LabelSetName, labelSet, type Palette } from './sets.js';
