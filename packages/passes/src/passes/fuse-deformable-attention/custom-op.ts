import type { Graph, Node, Value } from '../../pass/graph/index.js';

/**
 * MSDA as a custom op from other toolchains, with the plugin's five inputs in the same order:
 * mmdeploy's `mmdeploy::MMCVMultiScaleDeformableAttention` (mmcv models: output `[N, Lq, M*D]`, int64 level tensors).
 */
export interface CustomMsda {
  readonly node: Node;
  readonly inputs: readonly [Value, Value, Value, Value, Value];
  /** `[N, Lq, M*D]`: heads already merged. */
  readonly output: Value;
}

const KNOWN = new Set([
  'mmdeploy::MMCVMultiScaleDeformableAttention',
  'mmcv::MMCVMultiScaleDeformableAttention',
]);

export function matchCustomMsda(graph: Graph): CustomMsda[] {
  const out: CustomMsda[] = [];
  for (const node of graph.nodes) {
    if (!KNOWN.has(`${node.domain}::${node.opType}`)) continue;
    const ins = node.inputs;
    if (ins.length !== 5 || ins.some((v) => !v) || node.outputs.length !== 1) continue;
    out.push({
      node,
      inputs: ins as unknown as CustomMsda['inputs'],
      output: node.outputs[0] as Value,
    });
  }
  return out;
}
