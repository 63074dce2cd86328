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
  readonly normalize: Normalization;
  /** Pass names run by `model(...).optimize()` when the user names none. */
  readonly passes: readonly string[];
  readonly labels: readonly string[];
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
