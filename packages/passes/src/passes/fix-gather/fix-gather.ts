import { definePass } from '../../pass/define-pass.js';
import {
  addConst,
  attrInt,
  attrInts,
  constInts,
  dimsOf,
  type Graph,
  hasAttr,
  type Model,
  type Node,
  opsetOf,
  prepareRanks,
  rankOf,
  setAttrInt,
  setAttrInts,
  setInput,
  type Value,
} from '../../pass/graph/index.js';
import type { ReportBuilder } from '../../pass/report-builder.js';
import { AXIS_SLOTS } from './axis-slots.js';
import { staticDim } from './static-dim.js';

function slotRank(node: Node, rankFrom: 'input' | 'output'): number | undefined {
  return rankOf(rankFrom === 'input' ? node.inputs[0] : node.outputs[0]);
}

/** Rewrites a negative axis/axes (attribute or constant input) as non-negative; true when it changed. */
function fixAxes(graph: Graph, opset: number, node: Node): boolean {
  const slot = AXIS_SLOTS[node.opType];
  if (!slot || node.domain !== '') return false;
  let rank = slotRank(node, slot.rankOf);
  const asInput = slot.input !== undefined && slot.since !== undefined && opset >= slot.since;
  if (asInput) {
    const v = node.inputs[slot.input as number];
    const axes = constInts(graph, v);
    if (!v || !axes) return false;
    if (rank === undefined && node.opType === 'Unsqueeze') {
      const r = rankOf(node.inputs[0]);
      rank = r === undefined ? undefined : r + axes.length;
    }
    if (rank === undefined || axes.every((a) => a >= 0)) return false;
    const fixed = axes.map((a) => (a < 0 ? a + rank! : a));
    const scalar = rankOf(v) === 0;
    setInput(
      node,
      slot.input as number,
      addConst(graph, `${node.opType.toLowerCase()}_axes`, 'int64', scalar ? [] : [fixed.length], fixed),
    );
    return true;
  }
  if (slot.many) {
    const axes = attrInts(node, slot.attribute);
    if (!axes) return false;
    if (rank === undefined && node.opType === 'Unsqueeze') {
      const r = rankOf(node.inputs[0]);
      rank = r === undefined ? undefined : r + axes.length;
    }
    if (rank === undefined || axes.every((a) => a >= 0)) return false;
    setAttrInts(
      node,
      slot.attribute,
      axes.map((a) => (a < 0 ? a + rank! : a)),
    );
    return true;
  }
  if (rank === undefined) return false;
  const present = hasAttr(node, slot.attribute);
  // Softmax-like defaults were 1 (coerce-to-2D) before opset 13: only make the modern default explicit.
  if (
    !present &&
    (slot.default === undefined || (slot.default < 0 && opset < 13 && node.opType !== 'LayerNormalization'))
  )
    return false;
  const a = present ? attrInt(node, slot.attribute, 0) : (slot.default as number);
  if (a >= 0 && present) return false;
  setAttrInt(node, slot.attribute, a < 0 ? a + rank : a);
  return true;
}

/** Gather / GatherElements with constant negative indices: add the (static) axis length. */
function fixIndices(graph: Graph, node: Node): boolean {
  if ((node.opType !== 'Gather' && node.opType !== 'GatherElements') || node.domain !== '') return false;
  const idx = node.inputs[1];
  const values = constInts(graph, idx);
  if (!idx || !values || values.every((i) => i >= 0)) return false;
  const rank = rankOf(node.inputs[0]);
  if (rank === undefined) return false;
  const raw = attrInt(node, 'axis', 0);
  const dim = staticDim(graph, node.inputs[0], raw < 0 ? raw + rank : raw);
  if (typeof dim !== 'number' || dim <= 0) return false;
  if (values.some((i) => i < -dim)) return false;
  const fixed = values.map((i) => (i < 0 ? i + dim : i));
  setInput(
    node,
    1,
    addConst(graph, 'gather_index', 'int64', (dimsOf(idx) as number[] | undefined) ?? [fixed.length], fixed),
  );
  return true;
}

/** Slice with constant negative starts/ends on static dims (opset >= 10, where they are inputs). */
function fixSlice(graph: Graph, opset: number, node: Node): boolean {
  if (node.opType !== 'Slice' || node.domain !== '' || opset < 10) return false;
  const data = node.inputs[0];
  const dims = dimsOf(data);
  const rank = rankOf(data);
  const starts = constInts(graph, node.inputs[1]);
  const ends = constInts(graph, node.inputs[2]);
  if (!dims || rank === undefined || !starts || !ends) return false;
  const axesIn = node.inputs[3] ? constInts(graph, node.inputs[3]) : starts.map((_, i) => i);
  const steps = node.inputs[4] ? constInts(graph, node.inputs[4]) : starts.map(() => 1);
  if (!axesIn || !steps) return false;
  const axes = axesIn.map((a) => (a < 0 ? a + rank : a));
  let changed = axes.some((a, i) => a !== axesIn[i]);
  const fix = (v: number, i: number, isEnd: boolean): number => {
    const dim = dims[axes[i] as number];
    if (typeof dim !== 'number' || dim < 0 || v >= 0) return v;
    // A backward slice's end below -dim means "through index 0": no non-negative spelling exists.
    if (v < -dim) return isEnd && (steps[i] as number) < 0 ? v : 0;
    return v + dim;
  };
  const s2 = starts.map((v, i) => fix(v, i, false));
  const e2 = ends.map((v, i) => fix(v, i, true));
  changed ||= s2.some((v, i) => v !== starts[i]) || e2.some((v, i) => v !== ends[i]);
  if (!changed) return false;
  const n = [starts.length];
  setInput(node, 1, addConst(graph, 'slice_starts', 'int64', n, s2));
  setInput(node, 2, addConst(graph, 'slice_ends', 'int64', n, e2));
  if (node.inputs[3]) setInput(node, 3, addConst(graph, 'slice_axes', 'int64', n, axes));
  return true;
}

export function fixNode(model: Model, node: Node, report: ReportBuilder): void {
  const graph = model.graph;
  const opset = opsetOf(model);
  if (fixAxes(graph, opset, node)) report.count(`${node.opType}.axis`).markChanged();
  if (fixIndices(graph, node)) report.count(`${node.opType}.indices`).markChanged();
  if (fixSlice(graph, opset, node)) report.count('Slice.bounds').markChanged();
}

export const fixGather = definePass({
  name: 'fixGather',
  description:
    'Make negative indices and axes explicit where shapes are known: Gather/GatherElements indices, Slice ' +
    'starts/ends/axes, and the axis of Split, Squeeze/Unsqueeze, Concat, ReduceX, Softmax and friends.',
  apply(model, report) {
    prepareRanks(model);
    for (const node of [...model.graph.nodes]) fixNode(model, node, report);
    const c = report.build().counters;
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    if (total > 0)
      report.note(
        `${total} negative index/axis rewrite(s): ${Object.entries(c)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
  },
});

export type { Value };
