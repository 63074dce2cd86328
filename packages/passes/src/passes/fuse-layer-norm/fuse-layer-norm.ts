import { definePass } from '../../pass/define-pass.js';
import {
  addConst,
  addNode,
  constFloats,
  dimsOf,
  dtypeOf,
  type Graph,
  type Model,
  opsetOf,
  prepareRanks,
  removeNode,
  replaceValue,
  setOpset,
  type Value,
} from '../../pass/graph/index.js';
import type { ReportBuilder } from '../../pass/report-builder.js';
import { type DecomposedLayerNorm, matchLayerNorm } from './match.js';

/** Opset 17 introduced LayerNormalization; from 13 on, every op we may meet reads the same at 17. */
const LAYER_NORM_OPSET = 17;
const OLDEST_RAISABLE = 13;

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** The normalised shape as numbers, from x's dims or, failing that, from gamma/beta sizes (one axis). */
function normalizedShape(
  graph: Graph,
  ln: DecomposedLayerNorm,
  lastAxes: readonly number[],
): number[] | undefined {
  const dims = dimsOf(ln.x);
  if (dims && ln.rank !== undefined) {
    const out = lastAxes.map((a) => dims[a < 0 ? a + ln.rank! : a]);
    if (out.every((d): d is number => typeof d === 'number' && d > 0)) return out;
  }
  if (lastAxes.length === 1) {
    for (const v of [ln.gamma, ln.beta]) {
      const n = constFloats(graph, v)?.length;
      if (n && n > 1) return [n];
    }
  }
  return undefined;
}

/** Affine parameter as a constant of exactly the normalised shape, or undefined when it does not fit. */
function affineParam(
  graph: Graph,
  v: Value | undefined,
  shape: readonly number[],
  fill: number,
  hint: string,
  dtype: string,
): Value | undefined {
  const size = product(shape);
  const src = v ? constFloats(graph, v) : undefined;
  if (v && !src) return undefined;
  const data = new Float32Array(size);
  if (!src) data.fill(fill);
  else if (src.length === size) data.set(src);
  else if (src.length === 1) data.fill(src[0] as number);
  else return undefined;
  return addConst(graph, hint, dtype === 'float16' ? 'float16' : 'float32', shape, data);
}

/** Trailing-axes LayerNorm on x: returns the first axis, or undefined when the axes are not trailing. */
function trailingAxis(ln: DecomposedLayerNorm): number | undefined {
  const { axes, rank } = ln;
  const last = axes[axes.length - 1] as number;
  const contiguous = axes.every((a, i) => i === 0 || a === (axes[i - 1] as number) + 1);
  if (!contiguous) return undefined;
  if (rank === undefined) return last === -1 ? (axes[0] as number) : undefined;
  return last === rank - 1 ? (axes[0] as number) : undefined;
}

function fuseOne(model: Model, ln: DecomposedLayerNorm, report: ReportBuilder): string | undefined {
  const graph = model.graph;
  const dtype = dtypeOf(ln.x) ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float16') return `input is ${dtype}`;
  const anchor = ln.nodes[ln.nodes.length - 1];
  const axis = trailingAxis(ln);
  let input = ln.x;
  let lnAxes: number[];
  let channelFirst = false;
  if (axis !== undefined) {
    lnAxes = ln.axes.map((a) => a);
  } else if (ln.rank !== undefined && ln.axes.length === 1 && ln.axes[0] === 1 && ln.rank >= 3) {
    // Channel-first (N, C, ...): move C last, normalise it, move it back.
    channelFirst = true;
    lnAxes = [ln.rank - 1];
  } else return `axes [${ln.axes.join(', ')}] are not trailing`;

  const shape = channelFirst
    ? (() => {
        const c = dimsOf(ln.x)?.[1];
        return typeof c === 'number' && c > 0 ? [c] : normalizedShape(graph, ln, [-1]);
      })()
    : normalizedShape(graph, ln, lnAxes);
  if (!shape) return 'normalised shape unknown';
  const scale = affineParam(graph, ln.gamma, shape, 1, 'ln_scale', dtype);
  const bias = ln.beta ? affineParam(graph, ln.beta, shape, 0, 'ln_bias', dtype) : undefined;
  if (!scale || (ln.beta && !bias)) return 'scale or bias does not match the normalised shape';

  const added = [];
  const rank = ln.rank as number;
  if (channelFirst) {
    const perm = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
    const t = addNode(
      graph,
      { opType: 'Transpose', inputs: [ln.x], attributes: { perm: { ints: perm } } },
      anchor,
    );
    added.push(t);
    input = t.outputs[0] as Value;
  }
  const first = channelFirst ? -1 : (lnAxes[0] as number);
  const node = addNode(
    graph,
    {
      opType: 'LayerNormalization',
      inputs: bias ? [input, scale, bias] : [input, scale],
      attributes: { axis: { int: first }, epsilon: { float: ln.epsilon } },
    },
    anchor,
  );
  added.push(node);
  let out = node.outputs[0] as Value;
  if (channelFirst) {
    const back = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
    const t = addNode(
      graph,
      { opType: 'Transpose', inputs: [out], attributes: { perm: { ints: back } } },
      anchor,
    );
    added.push(t);
    out = t.outputs[0] as Value;
  }
  const touched = replaceValue(graph, ln.y, out);
  if (touched) report.outputTouched(touched);
  for (const n of [...ln.nodes].reverse()) removeNode(graph, n);
  report
    .removed(...ln.nodes)
    .added(...added)
    .count(channelFirst ? 'channelFirstFused' : 'fused');
  return undefined;
}

export const fuseLayerNorm = definePass({
  name: 'fuseLayerNorm',
  description:
    'Fuse decomposed LayerNorm (ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div[/Mul/Add] and variants, channel-first ' +
    'included) into LayerNormalization, raising the default opset to 17 when needed.',
  apply(model, report) {
    prepareRanks(model);
    const opset = opsetOf(model);
    const matches = model.graph.nodes.flatMap((n) => {
      const m = matchLayerNorm(model.graph, n);
      return m ? [m] : [];
    });
    if (matches.length === 0) return;
    if (opset < OLDEST_RAISABLE) {
      report.note(
        `${matches.length} decomposed LayerNorm(s) left: opset ${opset} is below ${OLDEST_RAISABLE}; convert the model to opset 17 first`,
      );
      return;
    }
    const skipped = new Map<string, number>();
    for (const ln of matches) {
      const why = fuseOne(model, ln, report);
      if (why) skipped.set(why, (skipped.get(why) ?? 0) + 1);
    }
    if (!report.changed) return;
    if (opset < LAYER_NORM_OPSET) {
      setOpset(model, '', LAYER_NORM_OPSET);
      report.note(`default opset raised from ${opset} to ${LAYER_NORM_OPSET} for LayerNormalization`);
    }
    report.note(
      `${report.build().counters.fused ?? 0} LayerNorm(s) fused, ${report.build().counters.channelFirstFused ?? 0} channel-first`,
    );
    for (const [why, n] of skipped) report.note(`${n} match(es) left decomposed: ${why}`);
  },
});
