// What scripts/bench/preprocess.mjs's worker imports, bundled by tools/device/build.sh for the GPU machine.

export { loadImage } from '../../packages/models/src/image/load-image.js';
export { prepareBatch, prepareInputs } from '../../packages/models/src/preprocess/batch.js';
export { getRecipe } from '../../packages/models/src/recipes/registry.js';
export { loadImageAddon } from '../../packages/trt-native/src/image/addon.js';
