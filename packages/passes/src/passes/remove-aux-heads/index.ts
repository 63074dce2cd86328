export { asStack, type Stack } from './find-stack.js';
export {
  findLayerSelect,
  type LayerSelect,
  type RemoveAuxHeadsOptions,
  removeAuxHeads,
  removeAuxHeadsWith,
} from './remove-aux-heads.js';
