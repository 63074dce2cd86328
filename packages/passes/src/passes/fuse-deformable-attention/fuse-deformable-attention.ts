import { Effect } from 'effect';
import { definePass } from '../../pass/define-pass.js';
import { PatternNotFound } from '../../pass/errors.js';
import {
  addConst,
  addNode,
  type Graph,
  knownInts,
  type Model,
  type Node,
  prepareRanks,
  prune,
  registerShapeRule,
  replaceValue,
  type Value,
} from '../../pass/graph/index.js';
import type { Pass } from '../../pass/pass.js';
import type { ReportBuilder } from '../../pass/report-builder.js';
import { type CustomMsda, matchCustomMsda } from './custom-op.js';
import { type DecomposedMsda, type LevelSize, matchDeformableAttention } from './match.js';
import { msdaShapeRule } from './shape-rule.js';

/**
 * TensorRT's ONNX parser imports an op it does not know as a plugin looked up by op_type, taking the
 * version and namespace from the `plugin_version` / `plugin_namespace` attributes; the domain is not used
 * for the lookup, so a custom domain keeps the op apart from standard ONNX (and lets ONNX Runtime bind a
 * local function of the same domain/name as its reference definition).
 */
export const MSDA_DOMAIN = 'trt.plugins';
export const MSDA_OP = 'MultiscaleDeformableAttnPlugin_TRT';
registerShapeRule(MSDA_DOMAIN, MSDA_OP, msdaShapeRule);
const ONNX_INT32 = 6;
const ONNX_FLOAT = { float32: 1, float16: 10 } as const;

/** [L,2] spatial shapes and [L] level starts as INT32: constants when known, Concat+Cast of graph values when not. */
function levelTensors(
  graph: Graph,
  m: DecomposedMsda,
  before: Node,
  added: Node[],
): { shapes: Value; starts: Value; static: boolean } {
  const L = m.levels.length;
  const hw = m.levels.flatMap((l) => [l.height, l.width]);
  const st = m.levels.map((l) => l.start);
  if ([...hw, ...st].every((x) => typeof x === 'number')) {
    const shapes = addConst(graph, 'msda_spatial_shapes', 'int32', [L, 2], Int32Array.from(hw as number[]));
    const starts = addConst(graph, 'msda_level_start', 'int32', [L], Int32Array.from(st as number[]));
    return { shapes, starts, static: true };
  }
  const asValue = (x: LevelSize): Value =>
    typeof x === 'number' ? addConst(graph, 'msda_level_size', 'int64', [1], [x]) : x;
  const cast = (v: Value): Value => {
    const n = addNode(
      graph,
      { opType: 'Cast', inputs: [v], attributes: { to: { int: ONNX_INT32 } } },
      before,
    );
    added.push(n);
    return n.outputs[0] as Value;
  };
  const concat = (vs: Value[]): Value => {
    const n = addNode(graph, { opType: 'Concat', inputs: vs, attributes: { axis: { int: 0 } } }, before);
    added.push(n);
    return n.outputs[0] as Value;
  };
  const flat = concat(hw.map(asValue));
  const r = addNode(
    graph,
    { opType: 'Reshape', inputs: [flat, addConst(graph, 'msda_shape_l2', 'int64', [2], [L, 2])] },
    before,
  );
  added.push(r);
  return {
    shapes: cast(r.outputs[0] as Value),
    starts: cast(concat(st.map(asValue))),
    static: false,
  };
}

/**
 * Inserts the plugin node with `inputs` before `before`, merges its [N, Lq, M, D] output to [N, Lq, M*D] (the shape
 * the replaced form produced), and reroutes `output` to it. Counts it as fused.
 */
function insertPlugin(
  model: Model,
  inputs: readonly Value[],
  output: Value,
  before: Node,
  added: Node[],
  report: ReportBuilder,
): void {
  const graph = model.graph;
  const plugin = addNode(graph, { opType: MSDA_OP, domain: MSDA_DOMAIN, inputs }, before);
  plugin.setAttr('plugin_version', { string: '2' });
  plugin.setAttr('plugin_namespace', { string: '' });
  const merge = addNode(
    graph,
    {
      opType: 'Reshape',
      inputs: [plugin.outputs[0], addConst(graph, 'msda_merge_heads', 'int64', [3], [0, 0, -1])],
    },
    before,
  );
  added.push(plugin, merge);
  const touched = replaceValue(graph, output, merge.outputs[0] as Value);
  if (touched) report.outputTouched(touched);
  report.added(...added).count('fused');
}

function fuseOne(model: Model, m: DecomposedMsda, report: ReportBuilder): void {
  const graph = model.graph;
  const added: Node[] = [];
  const lv = levelTensors(graph, m, m.last, added);
  // The plugin reads float32 locations (also in FP16 engines) and weights of the value's type. TorchScript's static
  // exports compute the encoder's locations in float64 (which is also why ONNX Runtime refuses their GridSample).
  const castTo = (v: Value, dtype: 'float32' | 'float16'): Value => {
    if (v.type !== 'float64') return v;
    const c = addNode(
      graph,
      { opType: 'Cast', inputs: [v], attributes: { to: { int: ONNX_FLOAT[dtype] } } },
      m.last,
    );
    added.push(c);
    report.count('float64Cast');
    return c.outputs[0] as Value;
  };
  const valueType = m.value.type === 'float16' ? 'float16' : 'float32';
  insertPlugin(
    model,
    [
      m.value,
      lv.shapes,
      lv.starts,
      castTo(m.samplingLocations, 'float32'),
      castTo(m.attentionWeights, valueType),
    ],
    m.output,
    m.last,
    added,
    report,
  );
  report.count(lv.static ? 'staticLevels' : 'computedLevels');
}

/** Level tensors of a custom op as INT32: constants when known, else a Cast. */
function int32Levels(graph: Graph, v: Value, before: Node, added: Node[], hint: string): Value {
  const known = knownInts(graph, v);
  if (known && v.shape) return addConst(graph, hint, 'int32', v.shape as number[], Int32Array.from(known));
  if (v.type === 'int32') return v;
  const c = addNode(graph, { opType: 'Cast', inputs: [v], attributes: { to: { int: ONNX_INT32 } } }, before);
  added.push(c);
  return c.outputs[0] as Value;
}

/** mmdeploy's MSDA op -> the TensorRT plugin op (same inputs, INT32 level tensors, heads merged after). */
function convertCustom(model: Model, m: CustomMsda, report: ReportBuilder): void {
  const graph = model.graph;
  const added: Node[] = [];
  const [value, shapes, starts, loc, weights] = m.inputs;
  const levels = [
    int32Levels(graph, shapes, m.node, added, 'msda_spatial_shapes'),
    int32Levels(graph, starts, m.node, added, 'msda_level_start'),
  ];
  insertPlugin(model, [value, ...levels, loc, weights], m.output, m.node, added, report);
  report.count('fromCustomOp');
}

export interface FuseDeformableAttentionOptions {
  /** Fail with `PatternNotFound` when no MSDA is found (default: report no change). */
  readonly strict?: boolean;
}

/** `fuseDeformableAttention` with options; `fuseDeformableAttention` itself is the lenient default. */
export const fuseDeformableAttentionWith = (options: FuseDeformableAttentionOptions = {}): Pass =>
  definePass({
    name: 'fuseDeformableAttention',
    description:
      'Replace each multi-scale deformable attention decomposed into per-level Slice/GridSample/weighted sum by one ' +
      `${MSDA_DOMAIN}::${MSDA_OP} node (plugin version 2 I/O), spatial shapes and level starts as INT32.`,
    apply(model, report) {
      prepareRanks(model);
      const matches = matchDeformableAttention(model.graph);
      const custom = matchCustomMsda(model.graph);
      if (matches.length === 0 && custom.length === 0)
        return options.strict
          ? Effect.fail(
              new PatternNotFound(
                'fuseDeformableAttention',
                'per-level GridSample(bilinear, zeros) over sliced values, stacked and weighted-summed',
                {
                  hint: 'export the model with the decomposed MSDA (transformers, torch.onnx) or skip this pass',
                },
              ),
            )
          : undefined;
      for (const m of matches) fuseOne(model, m, report);
      for (const m of custom) convertCustom(model, m, report);
      if (model.opset(MSDA_DOMAIN) === undefined) model.setOpset(MSDA_DOMAIN, 1);
      const dead = prune(model.graph);
      report.removed(...dead);
      const c = report.build().counters;
      report.note(
        `${c.fused ?? 0} MSDA occurrence(s) fused (${c.staticLevels ?? 0} with constant level geometry, ` +
          `${c.computedLevels ?? 0} computed from the graph${c.fromCustomOp ? `, ${c.fromCustomOp} from mmdeploy's custom op` : ''})`,
      );
    },
    ensures: [
      {
        name: 'no decomposed MSDA left',
        check: (m) => {
          const left = matchDeformableAttention(m.graph).length + matchCustomMsda(m.graph).length;
          return left === 0 ? true : `${left} decomposed MSDA(s) left`;
        },
      },
    ],
  });

export const fuseDeformableAttention: Pass = fuseDeformableAttentionWith();
