import { definePass } from '../../pass/define-pass.js';
import {
  addConst,
  addNode,
  attrInt,
  clearIntermediateShapes,
  constInts,
  dimsOf,
  graphInputs,
  knownInts,
  type Model,
  type Node,
  prepareRanks,
  setDims,
  setInput,
  type Value,
} from '../../pass/graph/index.js';
import type { Pass } from '../../pass/pass.js';
import type { ReportBuilder } from '../../pass/report-builder.js';
import { evalDim, fixReshapeTarget, mentions } from './reshape-target.js';

export interface DynamicShapesOptions {
  /** Name of the symbolic batch dimension; 'batch' by default. */
  readonly batchName?: string;
  /** Upper bound on inference rounds (each round frees the Reshapes whose input already carries the batch). */
  readonly maxRounds?: number;
}

const inferredDims = (v: Value | undefined) => v?.inferred?.dims;

/** One Reshape with a constant target: rewritten when its input carries the batch and the target baked it. */
function fixReshape(model: Model, node: Node, name: string, batch: number, lost: Map<Node, string>): boolean {
  const graph = model.graph;
  const input = inferredDims(node.inputs[0]);
  // A computed target whose value inference knows is as baked as a constant one.
  const target = knownInts(graph, node.inputs[1]);
  if (!input || !target) return false;
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  const fix = fixReshapeTarget(input, target, name, batch, allowZero);
  if (fix.kind === 'lost') lost.set(node, `Reshape (${fix.why})`);
  if (fix.kind !== 'rewrite') return false;
  setInput(node, 1, addConst(graph, 'reshape_shape', 'int64', [fix.shape.length], fix.shape));
  // With allowzero=1 (dynamo exports) a 0 would mean an empty axis; no literal zero is left, so copy mode is safe.
  if (fix.usesZero && allowZero) node.setAttr('allowzero', 'int', 0);
  return true;
}

/** Resize with constant `sizes` bakes the batch too: read that entry from the input at run time. */
function fixResize(model: Model, node: Node, name: string, batch: number, report: ReportBuilder): boolean {
  const graph = model.graph;
  const x = node.inputs[0];
  const dims = inferredDims(x);
  const sizes = constInts(graph, node.inputs[3]);
  if (!x || !dims || !sizes) return false;
  const axis = dims.findIndex((d) => mentions(d, name));
  if (axis < 0 || dims[axis] !== name || sizes[axis] !== batch) return false;
  const shape = addNode(graph, { opType: 'Shape', inputs: [x] }, node);
  const idx = addConst(graph, 'batch_axis', 'int64', [1], [axis]);
  const dim = addNode(
    graph,
    { opType: 'Gather', inputs: [shape.outputs[0], idx], attributes: { axis: { int: 0 } } },
    node,
  );
  const parts: Value[] = [];
  if (axis > 0) parts.push(addConst(graph, 'sizes_head', 'int64', [axis], sizes.slice(0, axis)));
  parts.push(dim.outputs[0] as Value);
  if (axis < sizes.length - 1)
    parts.push(addConst(graph, 'sizes_tail', 'int64', [sizes.length - axis - 1], sizes.slice(axis + 1)));
  const concat = addNode(graph, { opType: 'Concat', inputs: parts, attributes: { axis: { int: 0 } } }, node);
  setInput(node, 3, concat.outputs[0]);
  report.added(shape, dim, concat);
  return true;
}

const carries = (v: Value | undefined, name: string): boolean =>
  !!inferredDims(v)?.[0] && mentions(inferredDims(v)?.[0] ?? null, name);
const batchFree = (v: Value | undefined, name: string): boolean => {
  const d = inferredDims(v);
  return !!d && d.length > 0 && !d.some((x) => mentions(x, name));
};

/**
 * Where a tensor that does not depend on the batch meets one that does in an op that does not broadcast, the
 * batch-free one is grown to the batch. A batch-free tensor is the same for every image (the static export
 * computed it once, for its baked batch of 1), so repeating it is exact: `Expand` to [batch, ...] for a leading 1,
 * `Tile` along axis 0 for Gather data indexed by batch-dependent indices (flattened batch-major layouts).
 * Covers Concat off axis 0, Gather/GatherElements, plugin inputs and Reshapes to a batch-sized target;
 * broadcasting ops need nothing.
 */
function fixMeeting(model: Model, node: Node, name: string, batchDim: () => Value): number {
  const graph = model.graph;
  const grow = (slot: number, op: 'Expand' | 'Tile'): void => {
    const v = node.inputs[slot] as Value;
    const rank = inferredDims(v)?.length ?? 0;
    const ones = addConst(graph, 'batch_ones', 'int64', [rank - 1], new Array(rank - 1).fill(1));
    const shape = addNode(
      graph,
      { opType: 'Concat', inputs: [batchDim(), ones], attributes: { axis: { int: 0 } } },
      node,
    );
    const g = addNode(graph, { opType: op, inputs: [v, shape.outputs[0]] }, node);
    setInput(node, slot, g.outputs[0]);
  };
  const leadingOne = (v: Value | undefined) => inferredDims(v)?.[0] === 1;
  let fixed = 0;
  const op = node.opType;
  if (op === 'Reshape' && node.domain === '') {
    // A target computed from the batch reshaping a batch-free tensor (positional embeddings of a constant mask).
    if (!(batchFree(node.inputs[0], name) && leadingOne(node.inputs[0]) && carries(node.outputs[0], name)))
      return 0;
    grow(0, 'Expand');
    return 1;
  }
  if (node.domain !== '' || op === 'Concat') {
    const axis = op === 'Concat' ? attrInt(node, 'axis', 0) : -1;
    const rank = inferredDims(node.inputs[0])?.length ?? 0;
    if (op === 'Concat' && (axis === 0 || axis === -rank)) return 0;
    if (!node.inputs.some((v) => carries(v, name))) return 0;
    node.inputs.forEach((v, i) => {
      // Level geometry and other small integer inputs of plugins are not per image.
      if (node.domain !== '' && (inferredDims(v)?.length ?? 0) < 3) return;
      if (batchFree(v, name) && leadingOne(v)) {
        grow(i, 'Expand');
        fixed++;
      }
    });
    return fixed;
  }
  if (op === 'GatherElements') {
    const [data, idx] = node.inputs;
    if (batchFree(data, name) && leadingOne(data) && carries(idx, name)) grow(0, 'Expand');
    else if (batchFree(idx, name) && leadingOne(idx) && carries(data, name)) grow(1, 'Expand');
    else return 0;
    return 1;
  }
  if (op === 'Gather' && attrInt(node, 'axis', 0) === 0) {
    const [data, idx] = node.inputs;
    const idxDims = inferredDims(idx);
    if (
      batchFree(data, name) &&
      idxDims?.some((d) => mentions(d, name)) &&
      (inferredDims(data)?.length ?? 0) >= 1
    ) {
      grow(0, 'Tile');
      return 1;
    }
  }
  return 0;
}

/**
 * `dynamicShapes`: makes the batch dimension symbolic. The inputs' batch becomes a symbol and core's shape
 * inference carries it through the graph; every Reshape whose constant target baked the export's batch is
 * rewritten (0 = copy the input's batch axis, or -1 where the batch was merged, e.g. batch*heads), and Resize
 * `sizes` read the batch at run time. Inference runs again after each round of fixes, until nothing changes.
 * Reports what it fixed and where the batch could not be followed.
 */
export function dynamicShapesWith(options: DynamicShapesOptions = {}): Pass {
  const name = options.batchName ?? 'batch';
  const maxRounds = options.maxRounds ?? 200;
  return definePass({
    name: 'dynamicShapes',
    description: 'Make the batch dimension symbolic; Reshapes with a baked batch become 0/-1 forms.',
    apply(model, report) {
      const graph = model.graph;
      const inputs = graphInputs(graph).filter((v) => (dimsOf(v)?.length ?? 0) > 0);
      const batch = inputs.map((v) => dimsOf(v)?.[0]).find((d) => typeof d === 'number');
      if (typeof batch !== 'number') {
        report.note('no input with a static batch dimension: nothing to do');
        return;
      }
      const started = inputs.filter((v) => dimsOf(v)?.[0] === batch);
      for (const v of started) setDims(v, [name, ...(dimsOf(v) ?? []).slice(1)]);
      // Exporters record intermediate shapes with the batch baked in: inference decides them from here on.
      clearIntermediateShapes(graph);
      report.markChanged();
      // What could not be followed is decided by the last round: earlier rounds see half-fixed graphs.
      let lost = new Map<Node, string>();
      let reshapes = 0;
      let resizes = 0;
      let created = 0;
      let batchValue: Value | undefined;
      // The batch as a [1] int64 tensor, read off the first input at the start of the graph (made once).
      const batchDim = (): Value => {
        if (batchValue) return batchValue;
        const first = graph.nodes[0];
        const shape = addNode(graph, { opType: 'Shape', inputs: [started[0]] }, first);
        const slice = addNode(
          graph,
          {
            opType: 'Slice',
            inputs: [
              shape.outputs[0],
              addConst(graph, 'batch_start', 'int64', [1], [0]),
              addConst(graph, 'batch_end', 'int64', [1], [1]),
            ],
          },
          first,
        );
        report.added(shape, slice);
        batchValue = slice.outputs[0] as Value;
        return batchValue;
      };
      let rounds = 0;
      for (; rounds < maxRounds; rounds++) {
        prepareRanks(model);
        lost = new Map();
        let changed = 0;
        for (const node of [...graph.nodes]) {
          const std = node.domain === '' || node.domain === 'ai.onnx';
          if (std && node.opType === 'Reshape') {
            if (fixReshape(model, node, name, batch, lost)) {
              changed++;
              reshapes++;
            } else {
              const n = fixMeeting(model, node, name, batchDim);
              changed += n;
              created += n;
            }
          } else if (std && node.opType === 'Resize') {
            if (fixResize(model, node, name, batch, report)) {
              changed++;
              resizes++;
            }
          } else {
            const n = fixMeeting(model, node, name, batchDim);
            changed += n;
            created += n;
          }
        }
        if (changed === 0) break;
      }
      report
        .count('reshapesFixed', reshapes)
        .count('resizeSizesFixed', resizes)
        .count('grownToBatch', created)
        .count('inferenceRounds', rounds + 1);
      // Ops inference knows nothing about, reading the batch: the batch is not followed past them.
      for (const node of graph.nodes) {
        if (node.outputs.some((o) => o.inferred?.dims)) continue;
        if (node.inputs.some((v) => inferredDims(v)?.some((d) => mentions(d, name))))
          lost.set(node, node.opType);
      }
      for (const v of graph.outputs) {
        const d = inferredDims(v);
        if (!d?.some((x) => mentions(x, name))) continue;
        setDims(v, d.map((x) => (x === name || evalDim(x, name, batch) !== undefined ? x : null)) as never);
        report.outputTouched(v.name);
      }
      report.note(
        `batch ${batch} -> '${name}' on ${started.length} input(s); ${reshapes} Reshape(s) rewritten to 0/-1` +
          (resizes ? `; ${resizes} Resize sizes now read the batch from the input` : '') +
          (created ? `; ${created} batch-free input(s) grown to the batch where they meet batched ones` : ''),
      );
      if (lost.size) {
        const counts = new Map<string, number>();
        for (const why of lost.values()) counts.set(why, (counts.get(why) ?? 0) + 1);
        report.note(
          `batch not followed through: ${[...counts].map(([k, n]) => `${k} x${n}`).join(', ')} (check with a batch > 1 run)`,
        );
      }
    },
  });
}

export const dynamicShapes: Pass = dynamicShapesWith();
