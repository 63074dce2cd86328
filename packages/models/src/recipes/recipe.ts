import type { Palette } from '../labels/sets.js';
import type { ResampleMethod } from '../preprocess/resample.js';
import type { ResizeRule } from '../preprocess/resize-rules.js';
import type { Normalization } from '../preprocess/to-tensor.js';

interface RecipeBase {
  /** Registry name: `trtkit infer --recipe <name>`. */
  readonly name: string;
  readonly description: string;
  /** Image input of the ONNX graph, NCHW float32 RGB. */
  readonly input: string;
  /** Optional padding-mask input ([N,H,W] int64), fed when the graph has it. */
  readonly maskInput?: string;
  readonly resize: ResizeRule;
  /**
   * Resize filter. Default 'torchvision': bit-identical to transformers 5's image processors; 'pil' matches
   * transformers 4 / the PIL backend; 'libvips' is sharp's (faster, not the same pixels).
   */
  readonly resample?: ResampleMethod;
  readonly normalize: Normalization;
  /** Pass names run by `model(...).optimize()` when the user names none. */
  readonly passes: readonly string[];
  readonly labels: readonly string[];
  /** Colours per class id for masks, where the label set has standard ones. */
  readonly palette?: Palette;
}

export interface DetectionRecipe extends RecipeBase {
  readonly task: 'detection';
  /** Output names to look for, first match wins (exporters name them differently). */
  readonly outputs: { readonly logits: readonly string[]; readonly boxes: readonly string[] };
  readonly scores: 'softmax' | 'sigmoid-topk';
  readonly topK?: number;
  readonly threshold: number;
}

export interface SegmentationRecipe extends RecipeBase {
  readonly task: 'segmentation';
  readonly outputs: { readonly logits: readonly string[] };
}

/** Data plus the few choices that differ between families; the shared functions do the work. */
export type Recipe = DetectionRecipe | SegmentationRecipe;
