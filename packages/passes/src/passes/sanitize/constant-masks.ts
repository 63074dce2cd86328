import {
  addConst,
  constTensor,
  dimsOf,
  type Graph,
  isGraphOutput,
  type Node,
  removeNode,
  replaceValue,
  type Value,
} from '../../pass/graph/index.js';
import type { ReportBuilder } from '../../pass/report-builder.js';

/** IsNaN / IsInf / Not on a constant become a constant bool (padding-mask chains from an all-ones mask). */
function foldPredicate(graph: Graph, node: Node, report: ReportBuilder): boolean {
  if (node.domain !== '' || !['IsNaN', 'IsInf', 'Not'].includes(node.opType)) return false;
  const t = constTensor(graph, node.inputs[0]);
  if (!t) return false;
  const n = t.data.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = Number(t.data[i]);
    out[i] =
      node.opType === 'Not'
        ? x
          ? 0
          : 1
        : node.opType === 'IsNaN'
          ? Number.isNaN(x)
            ? 1
            : 0
          : Number.isFinite(x) || Number.isNaN(x)
            ? 0
            : 1;
  }
  if (node.opType === 'IsInf') {
    // detect_negative / detect_positive default to 1: both infinities count; honoured as defaults only.
  }
  const c = addConst(graph, `${node.opType.toLowerCase()}_folded`, 'bool', t.dims, out);
  const touched = replaceValue(graph, node.outputs[0] as Value, c);
  if (touched) report.outputTouched(touched);
  removeNode(graph, node);
  report.removed(node).count('maskOpsFolded');
  return true;
}

function sameDims(
  a: readonly (number | string | null)[] | undefined,
  b: readonly (number | string | null)[] | undefined,
): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => typeof d === 'number' && d === b[i]);
}

/** Whether broadcasting `others` against `dims` leaves `dims` unchanged (all static). */
function broadcastKeeps(
  dims: readonly (number | string | null)[] | undefined,
  others: readonly (readonly (number | string | null)[] | undefined)[],
): boolean {
  if (!dims || dims.some((d) => typeof d !== 'number')) return false;
  for (const o of others) {
    if (!o || o.length > dims.length) return false;
    for (let i = 1; i <= o.length; i++) {
      const d = o[o.length - i];
      if (d !== 1 && d !== dims[dims.length - i]) return false;
    }
  }
  return true;
}

/** Where(c, x, y) with a uniformly true (false) constant `c` is x (y), when that branch already has the output's shape. */
function foldWhere(graph: Graph, node: Node, report: ReportBuilder): boolean {
  if (node.domain !== '' || node.opType !== 'Where') return false;
  const cond = constTensor(graph, node.inputs[0]);
  if (!cond || cond.data.length === 0) return false;
  const first = Number(cond.data[0]) !== 0;
  for (let i = 1; i < cond.data.length; i++) if ((Number(cond.data[i]) !== 0) !== first) return false;
  const pick = node.inputs[first ? 1 : 2];
  const other = node.inputs[first ? 2 : 1];
  const out = node.outputs[0] as Value;
  if (!pick || !other) return false;
  const shapeKept =
    sameDims(dimsOf(pick), dimsOf(out)) || broadcastKeeps(dimsOf(pick), [cond.dims, dimsOf(other)]);
  if (!shapeKept) return false;
  // A graph input picked straight through to a graph output needs a node in between; leave that rare case.
  if (isGraphOutput(graph, out) && !pick.producer && !constTensor(graph, pick)) return false;
  const touched = replaceValue(graph, out, pick);
  if (touched) report.outputTouched(touched);
  removeNode(graph, node);
  report.removed(node).count('constantWhereFolded');
  return true;
}

/** Folds constant mask chains; returns how many nodes went. */
export function foldConstantMasks(graph: Graph, report: ReportBuilder): number {
  let n = 0;
  for (const node of [...graph.nodes]) {
    if (foldPredicate(graph, node, report) || foldWhere(graph, node, report)) n++;
  }
  return n;
}
