import type { Node } from '../../pass/graph/index.js';

/** What a plugin shipped with TensorRT expects of its ONNX node: input count and per-input element types. */
interface PluginSignature {
  readonly inputs: readonly (readonly string[])[];
  readonly versions: readonly string[];
}

const FLOAT = ['float32', 'float16'];

// MultiscaleDeformableAttnPlugin_TRT (versions 1 and 2): value, spatial_shapes, level_start_index,
// sampling_locations, attention_weights. Shapes and starts are INT32; locations stay float32 in FP16 engines too.
export const PLUGIN_SIGNATURES: Readonly<Record<string, PluginSignature>> = {
  MultiscaleDeformableAttnPlugin_TRT: {
    inputs: [FLOAT, ['int32'], ['int32'], ['float32'], FLOAT],
    versions: ['1', '2'],
  },
};

/**
 * Problems with a plugin node's inputs or version attribute, as messages. Input types come from the graph's
 * declared or inferred types; an unknown type is not reported (nothing can be said about it).
 */
export function pluginIoProblems(node: Node): string[] {
  const sig = PLUGIN_SIGNATURES[node.opType];
  if (!sig) return [];
  const out: string[] = [];
  const present = node.inputs.filter((v) => v !== undefined).length;
  if (node.inputs.length !== sig.inputs.length || present !== sig.inputs.length)
    out.push(`expects ${sig.inputs.length} inputs, has ${present}`);
  sig.inputs.forEach((allowed, i) => {
    const t = node.inputs[i]?.type;
    if (t && !allowed.includes(t)) out.push(`input ${i} is ${t}; the plugin takes ${allowed.join(' or ')}`);
  });
  const v = node.getAttr('plugin_version');
  const version = v?.kind === 'string' ? v.value : undefined;
  if (version !== undefined && !sig.versions.includes(version))
    out.push(
      `plugin_version ${JSON.stringify(version)} is not one TensorRT ships (${sig.versions.join(', ')})`,
    );
  return out;
}
