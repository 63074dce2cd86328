// Runs models on ONNX Runtime (the reference backend) and compares outputs.

import type { Model as PModel } from '@trtkit/core';
import { encodeModel, type HostTensor, tensor } from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import { withReferenceDefinitions } from '../../../src/passes/msda-reference/index.js';
import { randn } from './build-model.js';

const backend = new OrtBackend({ graphOptimizationLevel: 'disabled' });

export async function runModel(
  model: PModel,
  feeds: Record<string, HostTensor>,
): Promise<Record<string, HostTensor>> {
  // Fused custom ops (MSDA) run through their reference bodies.
  const engine = await backend.build(encodeModel(withReferenceDefinitions(model.toProto())));
  try {
    return await engine.run(feeds);
  } finally {
    await engine.dispose();
  }
}

/** Random float inputs for every declared input (symbolic dims -> `symbolic`). */
export function randomFeeds(model: PModel, symbolic = 1, seed = 7): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const v of model.graph.inputs) {
    const dims = (v.dims ?? []).map((d) => (typeof d === 'number' ? d : symbolic));
    const n = dims.reduce((a, b) => a * b, 1);
    feeds[v.name] = tensor('float32', dims, Float32Array.from(randn(n, seed)));
  }
  return feeds;
}

/** Largest |a - b| relative to max |b| over all outputs; Infinity when names or dims differ. */
export function worstRelativeError(a: Record<string, HostTensor>, b: Record<string, HostTensor>): number {
  let worst = 0;
  for (const [name, ref] of Object.entries(b)) {
    const got = a[name];
    if (!got || got.dims.join() !== ref.dims.join()) return Number.POSITIVE_INFINITY;
    const x = got.data as ArrayLike<number>;
    const y = ref.data as ArrayLike<number>;
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < y.length; i++) {
      scale = Math.max(scale, Math.abs(Number(y[i])));
      diff = Math.max(diff, Math.abs(Number(x[i]) - Number(y[i])));
    }
    worst = Math.max(worst, scale === 0 ? diff : diff / scale);
  }
  return worst;
}

/** Runs both models on the same random inputs; returns the worst relative error. */
export async function compareModels(before: PModel, after: PModel, symbolic = 1): Promise<number> {
  const feeds = randomFeeds(before, symbolic);
  const [a, b] = [await runModel(after, feeds), await runModel(before, feeds)];
  return worstRelativeError(a, b);
}

export const opCount = (m: PModel, op: string): number => m.graph.nodes.filter((n) => n.opType === op).length;
