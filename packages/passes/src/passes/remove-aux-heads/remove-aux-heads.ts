import { Effect } from 'effect';
import { definePass } from '../../pass/define-pass.js';
import { PatternNotFound } from '../../pass/errors.js';
import {
  attrInt,
  cloneNodeWith,
  constInts,
  type Graph,
  type Model,
  type Node,
  normAxis,
  opsetOf,
  prepareRanks,
  producer,
  prune,
  rankOf,
  removeNode,
  replaceValue,
  setAttrInt,
  type Value,
} from '../../pass/graph/index.js';
import type { Pass } from '../../pass/pass.js';
import type { ReportBuilder } from '../../pass/report-builder.js';
import { asStack, type Stack } from './find-stack.js';
import { isLayerwise, type LayerwiseStep } from './layerwise.js';

/** A constant-index Gather that reads one layer of a stack, possibly through per-layer ops. */
export interface LayerSelect {
  readonly gather: Node;
  readonly stack: Stack;
  /** Layer index, made non-negative. */
  readonly layer: number;
  /** Whether the index was a scalar (the stacked axis disappears) or a one-element vector (it stays, size 1). */
  readonly scalar: boolean;
  /** Per-layer ops between the stack and the Gather, stack side first. */
  readonly path: readonly LayerwiseStep[];
}

/** Finds the stack a constant-index Gather selects from; a reason string when there is none. */
export function findLayerSelect(model: Model, gather: Node): LayerSelect | string {
  const graph = model.graph;
  if (gather.opType !== 'Gather' || gather.domain !== '') return 'not a Gather';
  const index = constInts(graph, gather.inputs[1]);
  const indexRank = rankOf(gather.inputs[1]);
  if (index?.length !== 1 || (indexRank !== 0 && indexRank !== 1)) return 'index is not one constant';
  const path: LayerwiseStep[] = [];
  let v: Value | undefined = gather.inputs[0];
  // Walk up through ops with a single non-constant input until a stack (or give up).
  for (let depth = 0; v && depth < 64; depth++) {
    const p = producer(v);
    if (!p) return 'data does not come from a stack';
    const stack = asStack(graph, p);
    if (stack) {
      const axis = normAxis(attrInt(gather, 'axis', 0), stack.rank);
      if (axis !== stack.axis) return `Gather axis ${axis} is not the stacked axis ${stack.axis}`;
      const n = stack.layers.length;
      const raw = index[0] as number;
      if (raw < -n || raw >= n) return `index ${raw} is out of range for ${n} layers`;
      for (const step of path) {
        const ok = isLayerwise(opsetOf(model), step.node, step.input, stack.rank, stack.axis);
        if (ok !== true) return ok;
      }
      return { gather, stack, layer: raw < 0 ? raw + n : raw, scalar: indexRank === 0, path: path.reverse() };
    }
    const dynamic = p.inputs.flatMap((x, i) =>
      x && constInts(graph, x) === undefined && !isConstant(graph, x) ? [i] : [],
    );
    // Several computed inputs: the stacked one keeps the stack's rank; the others must stay below the stacked
    // axis (checked by isLayerwise once the stack is found) and are reused as they are.
    const dataRank = rankOf(gather.inputs[0]);
    const candidates =
      dynamic.length === 1
        ? dynamic
        : dynamic.filter((i) => dataRank !== undefined && rankOf(p.inputs[i]) === dataRank);
    if (candidates.length !== 1) return `${p.opType} mixes several computed inputs`;
    const k = candidates[0] as number;
    path.push({ node: p, input: k });
    v = p.inputs[k];
  }
  return 'data does not come from a stack';
}

function isConstant(graph: Graph, v: Value): boolean {
  return constInts(graph, v) !== undefined || isInitializerOrConstant(graph, v);
}

import { isInitializerOrConstant } from '../../pass/graph/index.js';

/** Replays `select.path` on the selected layer only and reroutes the Gather's users to it. */
function rewrite(model: Model, select: LayerSelect, report: ReportBuilder): void {
  const graph = model.graph;
  const { stack, scalar, layer } = select;
  let current: Value = (scalar ? stack.layers[layer] : stack.unsqueezed[layer]) as Value;
  for (const step of select.path) {
    const clone = cloneNodeWith(graph, step.node, { [step.input]: current }, select.gather);
    const raw = attrInt(step.node, 'axis', -1);
    // Positive axes past the stacked axis move down by one once that axis is gone; negative ones still fit.
    if (
      scalar &&
      (step.node.opType === 'Softmax' ||
        step.node.opType === 'LogSoftmax' ||
        step.node.opType === 'LayerNormalization') &&
      raw > stack.axis
    )
      setAttrInt(clone, 'axis', raw - 1);
    report.added(clone);
    current = clone.outputs[0] as Value;
  }
  const out = select.gather.outputs[0] as Value;
  const touched = replaceValue(graph, out, current);
  if (touched) report.outputTouched(touched);
  removeNode(graph, select.gather);
  report.removed(select.gather);
}

export interface RemoveAuxHeadsOptions {
  /** Fail with `PatternNotFound` when the model has no select over stacked layers (default: report no change). */
  readonly strict?: boolean;
}

/** `removeAuxHeads` with options; `removeAuxHeads` itself is the lenient default. */
export const removeAuxHeadsWith = (options: RemoveAuxHeadsOptions = {}): Pass =>
  definePass({
    name: 'removeAuxHeads',
    description:
      'Run detection heads on the last decoder layer only: resolve constant selects over stacked per-layer tensors ' +
      '(Gather(axis a, i) over Concat(Unsqueeze(...))), replay per-layer ops on the one layer, drop what is then unused.',
    apply(model, report) {
      prepareRanks(model);
      const graph = model.graph;
      for (const node of [...graph.nodes]) {
        if (node.opType !== 'Gather') continue;
        const found = findLayerSelect(model, node);
        if (typeof found === 'string') continue;
        const n = found.stack.layers.length;
        rewrite(model, found, report);
        report.count('selectsResolved');
        report.note(
          `Gather(axis ${found.stack.axis}, index ${found.layer}) over ${n} stacked layers resolved to layer ${found.layer}` +
            (found.path.length ? `; ${found.path.length} per-layer op(s) now run on that layer only` : ''),
        );
      }
      if (!report.changed)
        return options.strict
          ? Effect.fail(
              new PatternNotFound(
                'removeAuxHeads',
                'a constant Gather over Concat(Unsqueeze(...)) of per-layer tensors',
              ),
            )
          : undefined;
      const dead = prune(graph);
      report.removed(...dead);
      if (dead.length) report.note(`${dead.length} node(s) only used by the other layers removed`);
    },
    ensures: [
      {
        name: 'no select over stacked layers',
        check: (m) => {
          const left = m.graph.nodes.filter(
            (n) => n.opType === 'Gather' && typeof findLayerSelect(m, n) !== 'string',
          );
          return left.length === 0
            ? true
            : `${left.length} Gather(s) still select from a stack: ${left.map((n) => n.name).join(', ')}`;
        },
      },
    ],
  });

export const removeAuxHeads: Pass = removeAuxHeadsWith();
