import { PassRegistry } from '../pass/registry.js';
import { dynamicShapes } from './dynamic-shapes/index.js';
import { fixGather } from './fix-gather/index.js';
import { fuseDeformableAttention } from './fuse-deformable-attention/index.js';
import { fuseLayerNorm } from './fuse-layer-norm/index.js';
import { removeAuxHeads } from './remove-aux-heads/index.js';
import { sanitize } from './sanitize/index.js';
import { simplify } from './simplify/index.js';
import { mixedPrecision } from './to-mixed-precision/index.js';

/** Every built-in pass by the name `--passes` and recipes use. */
export const builtinPasses = new PassRegistry([
  removeAuxHeads,
  fixGather,
  fuseLayerNorm,
  fuseDeformableAttention,
  sanitize,
  dynamicShapes,
  simplify,
  mixedPrecision,
]);
