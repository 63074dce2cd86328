export { bilinearSource } from './bilinear.js';
export { layerNormReference } from './layernorm.js';
export { msdaReference } from './msda.js';
export {
  boxToPixels,
  type Detections,
  detrDecodeSigmoidTopKReference,
  detrDecodeSoftmaxReference,
  upsampleArgmaxReference,
} from './postprocess.js';
export { type PreprocessReferenceOptions, preprocessReference } from './preprocess.js';
