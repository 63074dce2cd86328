import {
  ADE20K_150,
  ADE20K_PALETTE,
  CITYSCAPES_19,
  CITYSCAPES_PALETTE,
  COCO_80,
  COCO_91,
  SYNTHETIC_SHAPES,
  SYNTHETIC_SHAPES_SEG,
} from '../labels/index.js';
import { IMAGENET } from '../preprocess/to-tensor.js';
import type { Recipe } from './recipe.js';

const DETR_RESIZE = { kind: 'shortest-edge', shortest: 800, longest: 1333 } as const;
const DETR_OUTPUTS = { logits: ['logits', 'pred_logits'], boxes: ['pred_boxes', 'boxes'] } as const;
const TRT_PASSES = ['removeAuxHeads', 'fixGather', 'simplify', 'sanitize'] as const;

export const detr: Recipe = {
  name: 'detr',
  description: 'DETR (facebook/detr-resnet-50 style): softmax over 91 COCO ids + no-object',
  task: 'detection',
  input: 'pixel_values',
  maskInput: 'pixel_mask',
  resize: DETR_RESIZE,
  normalize: IMAGENET,
  passes: TRT_PASSES,
  labels: COCO_91,
  outputs: DETR_OUTPUTS,
  scores: 'softmax',
  threshold: 0.7,
};

export const deformableDetr: Recipe = {
  ...detr,
  name: 'deformable-detr',
  description: 'Deformable DETR: sigmoid focal scores, top-100 over queries x classes',
  passes: [...TRT_PASSES, 'fuseDeformableAttention'],
  scores: 'sigmoid-topk',
  topK: 100,
  threshold: 0.5,
};

export const conditionalDetr: Recipe = {
  ...deformableDetr,
  name: 'conditional-detr',
  description: 'Conditional DETR: sigmoid scores, top-100',
  passes: TRT_PASSES,
};

export const rtDetr: Recipe = {
  name: 'rt-detr',
  description: 'RT-DETR: 640x640, rescale only, sigmoid top-300 over 80 COCO classes',
  task: 'detection',
  input: 'pixel_values',
  resize: { kind: 'fixed', height: 640, width: 640 },
  normalize: { rescale: 1 / 255 },
  passes: [...TRT_PASSES, 'fuseDeformableAttention'],
  labels: COCO_80,
  outputs: DETR_OUTPUTS,
  scores: 'sigmoid-topk',
  topK: 300,
  threshold: 0.5,
};

// 512x512 with ADE20K's 150 classes is what SegFormer's ADE20K checkpoints were trained and configured with.
export const segformer: Recipe = {
  name: 'segformer',
  description:
    'SegFormer (ADE20K checkpoints): 512x512, ImageNet normalisation, 150 ADE20K classes, upsample + argmax',
  task: 'segmentation',
  input: 'pixel_values',
  resize: { kind: 'fixed', height: 512, width: 512 },
  normalize: IMAGENET,
  passes: ['fuseLayerNorm', 'simplify', 'sanitize'],
  labels: ADE20K_150,
  palette: ADE20K_PALETTE,
  outputs: { logits: ['logits'] },
};

export const segformerCityscapes: Recipe = {
  ...segformer,
  name: 'segformer-cityscapes',
  description: 'SegFormer (Cityscapes checkpoints): 1024x1024, 19 Cityscapes classes',
  resize: { kind: 'fixed', height: 1024, width: 1024 },
  labels: CITYSCAPES_19,
  palette: CITYSCAPES_PALETTE,
};

// The bundled trained fixtures (fixtures/trained): 128x128 synthetic shapes, no resize.
export const syntheticDetr: Recipe = {
  ...detr,
  name: 'synthetic-detr',
  description: 'the bundled tiny DETR (original inference structure) trained on synthetic shapes',
  resize: { kind: 'fixed', height: 128, width: 128 },
  maskInput: undefined,
  labels: [...SYNTHETIC_SHAPES, 'no object'],
  threshold: 0.5,
};

export const syntheticDeformableDetr: Recipe = {
  ...deformableDetr,
  name: 'synthetic-deformable-detr',
  description: 'the bundled tiny Deformable DETR trained on synthetic shapes',
  resize: { kind: 'fixed', height: 128, width: 128 },
  maskInput: undefined,
  labels: SYNTHETIC_SHAPES,
  topK: 12,
  threshold: 0.5,
};

export const syntheticSegformer: Recipe = {
  ...segformer,
  name: 'synthetic-segformer',
  description: 'the bundled tiny SegFormer trained on synthetic shapes',
  resize: { kind: 'fixed', height: 128, width: 128 },
  labels: SYNTHETIC_SHAPES_SEG,
  palette: undefined,
};
