import { inferModel, type ModelProto } from '@trtkit/core';
import { attachReferenceFunctions, stripReferenceFunctions } from './function.js';

const MSDA = { domain: 'trt.plugins', op: 'MultiscaleDeformableAttnPlugin_TRT' };

// Levels of an MSDA node: sampling_locations is [N, Lq, M, L, P, 2].
function msdaLevels(model: ModelProto): number | undefined {
  const nodes = (model.graph?.node ?? []).filter((n) => n.domain === MSDA.domain && n.opType === MSDA.op);
  if (nodes.length === 0) return undefined;
  const infos = inferModel(model).infos;
  for (const n of nodes) {
    const l = infos.get(n.input[3] ?? '')?.dims?.[3];
    if (typeof l === 'number') return l;
  }
  throw new Error(
    'cannot tell how many levels the deformable-attention nodes sample (sampling_locations shape unknown)',
  );
}

/**
 * Gives every custom op of ours a body the reference backend can run (a model-local ONNX function of standard ops),
 * unless the model already carries one. ONNX Runtime then runs fused graphs; TensorRT gets them stripped.
 */
export function withReferenceDefinitions(model: ModelProto): ModelProto {
  const levels = msdaLevels(model);
  if (levels === undefined) return model;
  if (model.functions.some((f) => f.domain === MSDA.domain && f.name === MSDA.op)) return model;
  return attachReferenceFunctions(model, levels);
}

/** Removes reference bodies so TensorRT's parser binds its plugins to our custom ops. */
export function withoutReferenceDefinitions(model: ModelProto): ModelProto {
  return stripReferenceFunctions(model);
}
