export { COCO_80, COCO_91 } from './coco.js';
export { CITYSCAPES_19, labelLookup, SYNTHETIC_SHAPES, SYNTHETIC_SHAPES_SEG } from './other.js';
