import { addConst, constInts, type Graph, setInput } from '../../pass/graph/index.js';
import type { ReportBuilder } from '../../pass/report-builder.js';

const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

/**
 * Slice bounds like INT64_MAX ("to the end") overflow TensorRT's int32 shape arithmetic. Slice clamps bounds to the
 * dimension anyway, so clamping the constants to the int32 range keeps the meaning exactly.
 */
export function clampSliceBounds(graph: Graph, report: ReportBuilder): number {
  let n = 0;
  for (const node of graph.nodes) {
    if (node.opType !== 'Slice' || node.domain !== '') continue;
    for (const i of [1, 2]) {
      const v = node.inputs[i];
      const values = constInts(graph, v);
      if (!v || !values || values.every((x) => x <= INT32_MAX && x >= INT32_MIN)) continue;
      const clamped = values.map((x) => Math.min(INT32_MAX, Math.max(INT32_MIN, x)));
      setInput(
        node,
        i,
        addConst(graph, i === 1 ? 'slice_starts' : 'slice_ends', 'int64', [clamped.length], clamped),
      );
      n++;
    }
  }
  if (n)
    report
      .markChanged()
      .count('sliceBoundsClamped', n)
      .note(`${n} Slice bound tensor(s) clamped to the int32 range`);
  return n;
}
