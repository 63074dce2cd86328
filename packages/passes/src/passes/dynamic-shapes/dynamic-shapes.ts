import { definePass } from '../../pass/define-pass.js';
import {
  addConst,
  addNode,
  clearIntermediateShapes,
  constInts,
  dimsOf,
  graphInputs,
  type Node,
  prepareRanks,
  setDims,
  setInput,
  type Value,
} from '../../pass/graph/index.js';
import type { Pass } from '../../pass/pass.js';
import { type BatchAxis, traceBatch } from './batch-axis.js';

export interface DynamicShapesOptions {
  /** Name of the symbolic batch dimension; 'batch' by default. */
  readonly batchName?: string;
}

/**
 * `dynamicShapes`: makes the batch dimension symbolic. Follows the batch axis from the inputs through the graph and
 * rewrites every Reshape whose constant shape baked the export's batch size: the entry becomes 0 (copy the input's
 * batch dim) or -1 (when batch was merged with another dim, e.g. batch*heads). Intermediate shapes recorded by the
 * exporter are dropped (they baked the batch too). Reports Reshapes fixed and values it could not follow.
 */
export function dynamicShapesWith(options: DynamicShapesOptions = {}): Pass {
  const name = options.batchName ?? 'batch';
  return definePass({
    name: 'dynamicShapes',
    description: 'Make the batch dimension symbolic; Reshapes with a baked batch become 0/-1 forms.',
    apply(model, report) {
      prepareRanks(model);
      const graph = model.graph;
      const inputs = graphInputs(graph).filter((v) => {
        const d = dimsOf(v);
        return !!d && d.length > 0;
      });
      const staticBatch = inputs
        .map((v) => (dimsOf(v) as (number | string | null)[])[0])
        .find((d) => typeof d === 'number');
      if (typeof staticBatch !== 'number') {
        report.note('no input with a static batch dimension: nothing to do');
        return;
      }
      const start = new Map<Value, BatchAxis>();
      for (const v of inputs)
        if ((dimsOf(v) as unknown[])[0] === staticBatch) start.set(v, { axis: 0, factor: 1 });

      const rewrites: { node: Node; shape: number[] }[] = [];
      const lost = new Map<string, number>();
      const traced = traceBatch(
        graph,
        start,
        staticBatch,
        (node, shape, j, input) => {
          if (shape[j] === 0) return; // already copies
          const inputDims = dimsOf(node.inputs[0]) as number[];
          const copy = j === input.axis && shape[j] === inputDims[j];
          const next = [...shape];
          const other = shape.indexOf(-1);
          const outDims = dimsOf(node.outputs[0]);
          if (copy) next[j] = 0;
          else if (other < 0) next[j] = -1;
          else if (typeof outDims?.[other] === 'number') {
            // The existing -1 stands for a batch-free size we know statically: spell it out, move -1 to the batch.
            next[other] = outDims[other] as number;
            next[j] = -1;
          } else {
            lost.set(
              `Reshape with -1 and a merged batch`,
              (lost.get('Reshape with -1 and a merged batch') ?? 0) + 1,
            );
            return;
          }
          rewrites.push({ node, shape: next });
        },
        (node) => lost.set(node.opType, (lost.get(node.opType) ?? 0) + 1),
      );
      // Resize with constant `sizes` bakes the batch too (and 0 means 0 there): read it from the input at run time.
      for (const node of [...graph.nodes]) {
        if (node.opType !== 'Resize' || node.domain !== '') continue;
        const x = node.inputs[0];
        const b = x ? traced.get(x) : undefined;
        const sizes = constInts(graph, node.inputs[3]);
        if (!x || !b || b.factor !== 1 || !sizes || sizes[b.axis] !== staticBatch) continue;
        const shape = addNode(graph, { opType: 'Shape', inputs: [x] }, node);
        const idx = addConst(graph, 'batch_axis', 'int64', [1], [b.axis]);
        const dim = addNode(
          graph,
          { opType: 'Gather', inputs: [shape.outputs[0], idx], attributes: { axis: { int: 0 } } },
          node,
        );
        const parts: Value[] = [];
        if (b.axis > 0) parts.push(addConst(graph, 'sizes_head', 'int64', [b.axis], sizes.slice(0, b.axis)));
        parts.push(dim.outputs[0] as Value);
        if (b.axis < sizes.length - 1)
          parts.push(
            addConst(graph, 'sizes_tail', 'int64', [sizes.length - b.axis - 1], sizes.slice(b.axis + 1)),
          );
        const concat = addNode(
          graph,
          { opType: 'Concat', inputs: parts, attributes: { axis: { int: 0 } } },
          node,
        );
        setInput(node, 3, concat.outputs[0]);
        report.added(shape, dim, concat).count('resizeSizesFixed');
      }
      for (const { node, shape } of rewrites) {
        setInput(node, 1, addConst(graph, 'reshape_shape', 'int64', [shape.length], shape));
        report.count('reshapesFixed').markChanged();
      }
      for (const v of inputs) {
        if (!start.has(v)) continue;
        setDims(v, [name, ...(dimsOf(v) as (number | string | null)[]).slice(1)]);
        report.markChanged();
      }
      for (const v of graph.outputs) {
        const b = traced.get(v);
        const d = dimsOf(v);
        if (!d) continue;
        if (b && b.factor === 1)
          setDims(
            v,
            d.map((x, i) => (i === b.axis ? name : x)),
          );
        else if (b)
          setDims(
            v,
            d.map((x, i) => (i === b.axis ? null : x)),
          );
        else continue;
        report.outputTouched(v.name);
      }
      clearIntermediateShapes(graph);
      const resizes = report.build().counters.resizeSizesFixed ?? 0;
      report.note(
        `batch ${staticBatch} -> '${name}' on ${start.size} input(s); ${rewrites.length} Reshape(s) rewritten to 0/-1` +
          (resizes ? `; ${resizes} Resize sizes now read the batch from the input` : ''),
      );
      if (lost.size)
        report.note(
          `batch not followed through: ${[...lost].map(([k, n]) => `${k} x${n}`).join(', ')} (check with a batch > 1 run)`,
        );
    },
  });
}

export const dynamicShapes: Pass = dynamicShapesWith();
