import {
  Attrs,
  type Attrs as AttrsT,
  dtypeFromOnnx,
  type InferResult,
  type NodeProto,
  type TensorInfo,
} from '@trtkit/core';
import type { ProtoGraph } from './proto-graph.js';

const sameKnownDims = (a: TensorInfo | undefined, b: TensorInfo | undefined): boolean =>
  !!a?.dims &&
  !!b?.dims &&
  a.dims.length === b.dims.length &&
  a.dims.every((d, i) => typeof d === 'number' && d === b.dims?.[i]);

function allEqual(info: TensorInfo | undefined, x: number): boolean {
  const v = info?.value;
  if (!v || v.dtype === 'string' || v.dtype === 'float16' || v.dtype === 'bfloat16') return false;
  const d = v.data as ArrayLike<number | bigint>;
  for (let i = 0; i < d.length; i++) if (Number(d[i]) !== x) return false;
  return d.length > 0;
}

/**
 * When `node` passes its first input through unchanged (same dtype, same shape, same values), the index of
 * that input; undefined otherwise.
 */
function passThrough(
  node: NodeProto,
  info: (n: string) => TensorInfo | undefined,
  opset: number,
): number | undefined {
  const x = info(node.input[0] ?? '');
  const y = info(node.output[0] ?? '');
  const attrs: AttrsT = Attrs.of(node);
  switch (node.opType) {
    case 'Identity':
      return 0;
    case 'Dropout': {
      // Inference: identity unless training_mode (opset 12+) is a true constant; the mask must be unused.
      if (opset >= 12 && node.input[2]) {
        const t = info(node.input[2]);
        if (!t?.value || Number((t.value.data as ArrayLike<number>)[0]) !== 0) return undefined;
      }
      if (opset < 7 && attrs.int('is_test', 0) === 0) return undefined;
      return 0;
    }
    case 'Cast':
      return x?.dtype && dtypeFromOnnx(attrs.int('to', 0)) === x.dtype ? 0 : undefined;
    case 'CastLike':
      return x?.dtype && x.dtype === info(node.input[1] ?? '')?.dtype ? 0 : undefined;
    case 'Reshape':
    case 'Expand':
    case 'Flatten':
    case 'Squeeze':
    case 'Unsqueeze':
      return sameKnownDims(x, y) && x?.dtype === y?.dtype ? 0 : undefined;
    case 'Transpose': {
      const perm = attrs.ints('perm');
      return perm?.every((p, i) => p === i) ? 0 : undefined;
    }
    case 'Concat':
      return node.input.filter(Boolean).length === 1 ? 0 : undefined;
    case 'Slice': {
      if (opset < 10 || !sameKnownDims(x, y)) return undefined;
      const starts = info(node.input[1] ?? '');
      const steps = node.input[4] ? info(node.input[4]) : undefined;
      if (!allEqual(starts, 0)) return undefined;
      if (node.input[4] && !allEqual(steps, 1)) return undefined;
      return 0;
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Pow': {
      const neutral = node.opType === 'Add' || node.opType === 'Sub' ? 0 : 1;
      const a = info(node.input[0] ?? '');
      const b = info(node.input[1] ?? '');
      // x op c with c neutral; for commutative ops also c op x. Shapes and dtypes must not change.
      const keep = (i: number, other: TensorInfo | undefined) => {
        const xi = info(node.input[i] ?? '');
        return allEqual(other, neutral) && sameKnownDims(xi, y) && xi?.dtype === y?.dtype ? i : undefined;
      };
      const first = keep(0, b);
      if (first !== undefined) return first;
      if (node.opType === 'Add' || node.opType === 'Mul') return keep(1, a);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Removes nodes that only pass a value through. Returns the number removed. */
export function removeIdentities(
  pg: ProtoGraph,
  inferred: InferResult,
  opset: number,
  names: string[],
): number {
  const info = (n: string) => inferred.infos.get(n);
  let removed = 0;
  for (const node of pg.graph.node) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') continue;
    const keep = passThrough(node, info, opset);
    if (keep === undefined) continue;
    const src = node.input[keep];
    const out = node.output[0];
    if (!src || !out) continue;
    // Extra outputs (Dropout's mask) must be unused.
    if (node.output.slice(1).some((o) => o && (pg.usesOf(o).length > 0 || pg.outputs.has(o)))) continue;
    if (pg.outputs.has(out)) {
      // Keep the graph's output name: rename the source instead, when it is a plain intermediate value.
      if (!pg.producer.has(src) || pg.outputs.has(src) || pg.inputs.has(src) || pg.usesOf(src).length !== 1)
        continue;
      pg.remove(node);
      pg.rename(src, out);
    } else {
      pg.remove(node);
      pg.replaceUses(out, src);
    }
    names.push(node.name || node.opType);
    removed++;
  }
  pg.commit();
  return removed;
}
