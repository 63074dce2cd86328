import {
  attrValue,
  type Graph,
  isConstant,
  type Model,
  type Node,
  opsetOf,
  prepareRanks,
} from '../../pass/graph/index.js';
import { pluginIoProblems } from './plugin-io.js';
import {
  ATTRIBUTE_RULES,
  CONSTANT_INPUTS,
  isUnsupportedOp,
  KNOWN_PLUGIN_OPS,
  MAX_OUTPUTS,
  SUPPORTED_OPSETS,
  type TensorRTVersion,
} from './tensorrt-ops.js';

/** One reason TensorRT's ONNX parser will refuse (or mis-build) a node. */
export interface LintFinding {
  /** Node name (or `<OpType #i>` when unnamed); empty for model-level findings. */
  readonly node: string;
  readonly opType: string;
  readonly domain: string;
  readonly rule:
    | 'aten'
    | 'unsupported-op'
    | 'custom-op'
    | 'plugin-io'
    | 'constant-input'
    | 'attribute'
    | 'extra-output'
    | 'opset';
  readonly message: string;
}

function label(node: Node, i: number): string {
  return node.name || `<${node.opType} #${i}>`;
}

function lintNode(graph: Graph, node: Node, i: number, version: TensorRTVersion): LintFinding[] {
  const out: LintFinding[] = [];
  const base = { node: label(node, i), opType: node.opType, domain: node.domain };
  const add = (rule: LintFinding['rule'], message: string) => out.push({ ...base, rule, message });
  const standard = node.domain === '' || node.domain === 'ai.onnx';
  if (node.opType === 'ATen' || node.domain === 'org.pytorch.aten') {
    add(
      'aten',
      'ATen fallback op: TensorRT cannot build it; move this computation out of the graph or re-export without ATen fallback',
    );
    return out;
  }
  if (!standard) {
    if (!KNOWN_PLUGIN_OPS.has(node.opType))
      add(
        'custom-op',
        `custom op ${node.domain}::${node.opType} needs a TensorRT plugin of that name loaded before the build`,
      );
    for (const p of pluginIoProblems(node)) add('plugin-io', `${node.opType}: ${p}`);
    return out;
  }
  if (isUnsupportedOp(node.opType, version)) {
    add('unsupported-op', `${node.opType} is not supported by the TensorRT ${version} ONNX parser`);
    return out;
  }
  for (const c of CONSTANT_INPUTS[node.opType] ?? []) {
    const v = node.inputs[c.index];
    if (v && !isConstant(graph, v))
      add('constant-input', `input '${c.name}' must be a build-time constant (initializer)`);
  }
  for (const r of ATTRIBUTE_RULES) {
    if (r.op !== node.opType) continue;
    const v = attrValue(node, r.attribute);
    if (v !== undefined && r.rejects(v)) add('attribute', `${r.attribute}=${JSON.stringify(v)}: ${r.why}`);
  }
  const max = MAX_OUTPUTS[node.opType];
  if (max !== undefined) {
    const used = node.outputs.slice(max).filter((o) => o.name !== '');
    if (used.length)
      add(
        'extra-output',
        `only the first ${max} output(s) are supported; remove ${used.map((o) => o.name).join(', ')}`,
      );
  }
  return out;
}

/**
 * Names every node TensorRT `version` cannot build, before any build is attempted.
 * Plain function (no Effect): the CLI and recipes call it directly; `sanitize` adds its findings to its report.
 */
export function lintTensorRT(model: Model, version: TensorRTVersion = 10): LintFinding[] {
  const findings: LintFinding[] = [];
  prepareRanks(model); // input types of plugin nodes
  const opset = opsetOf(model);
  const range = SUPPORTED_OPSETS[version];
  if (opset < range.min || opset > range.max)
    findings.push({
      node: '',
      opType: '',
      domain: '',
      rule: 'opset',
      message: `default-domain opset ${opset} is outside what TensorRT ${version} parses (${range.min}..${range.max})`,
    });
  model.graph.nodes.forEach((n, i) => {
    findings.push(...lintNode(model.graph, n, i, version));
  });
  return findings;
}
