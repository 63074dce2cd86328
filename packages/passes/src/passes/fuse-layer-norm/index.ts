export { fuseLayerNorm } from './fuse-layer-norm.js';
export { type DecomposedLayerNorm, matchLayerNorm } from './match.js';
