export { type CustomMsda, matchCustomMsda } from './custom-op.js';
export {
  type FuseDeformableAttentionOptions,
  fuseDeformableAttention,
  fuseDeformableAttentionWith,
  MSDA_DOMAIN,
  MSDA_OP,
} from './fuse-deformable-attention.js';
export { type DecomposedMsda, type MsdaLevel, matchDeformableAttention } from './match.js';
