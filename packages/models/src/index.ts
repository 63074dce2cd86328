export * from './errors.js';
export { cocoMap, type EvalBox, type MapResult } from './eval/coco-map.js';
export { MiouAccumulator, type MiouResult } from './eval/miou.js';
export {
  type ImageInput,
  loadImage,
  type ProbedImage,
  probeImage,
  type RawPixels,
  type RgbImage,
} from './image/load-image.js';
export * from './labels/index.js';
export { Deployment, type DeployOptions, ModelPipeline, type ModelSource, model } from './model/model.js';
export {
  cxcywhToCorners,
  type Detection,
  type DetectionDecode,
  decodeDetections,
} from './postprocess/detections.js';
export { type SegmentationMap, segmentationMaps } from './postprocess/segmentation.js';
export {
  type PreparedBatch,
  type PreparedInputs,
  type PrepareOptions,
  prepareBatch,
  prepareInputs,
} from './preprocess/batch.js';
export { type ResampleMethod, resampleBilinear } from './preprocess/resample.js';
export { type ResizeRule, resizedSize, shortestEdgeSize } from './preprocess/resize-rules.js';
export {
  channelTables,
  DEFAULT_RESAMPLE,
  IMAGENET,
  type Normalization,
  resizeImage,
  writeChw,
} from './preprocess/to-tensor.js';
export * as recipeFamilies from './recipes/families.js';
export type { DetectionRecipe, Recipe, SegmentationRecipe } from './recipes/recipe.js';
export { getRecipe, recipeNames, registerRecipe } from './recipes/registry.js';
export { type SegformerOptions, segformerRecipe } from './recipes/segformer-options.js';
export { type RecipeResult, type RunRecipeOptions, runRecipe } from './run-recipe.js';
export { classColor, drawDetections, drawText, overlayMask, type Rgb, writePng } from './viz/draw.js';
