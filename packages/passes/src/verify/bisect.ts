import { type Backend, encodeModel, type HostTensor, type ModelProto } from '@trtkit/core';
import { withReferenceDefinitions } from '../passes/msda-reference/index.js';
import { compareTensor, DEFAULT_TOLERANCE, type OutputComparison, type Tolerance } from './compare.js';
import { topoNodes, withOutputs } from './mark-outputs.js';

export interface BisectResult {
  /** The first node, in topological order, whose output diverges beyond tolerance; undefined when none does. */
  readonly firstDivergent?: {
    readonly nodeName: string;
    readonly opType: string;
    readonly domain: string;
    readonly output: string;
    readonly comparison: OutputComparison;
  };
  /** Tensors compared (present in both models by name). */
  readonly compared: number;
}

export interface BisectOptions {
  readonly tolerance?: Tolerance;
  /** Tensors marked per run; large graphs are observed in chunks to bound memory. */
  readonly chunk?: number;
}

/**
 * Runs both models on the same inputs, observing every intermediate tensor the two share by name, and names the first
 * candidate node whose output diverges from the reference. Polygraphy's "mark all" workflow, without changing what
 * either model computes.
 */
export async function bisect(
  backend: Backend,
  reference: ModelProto,
  candidate: ModelProto,
  inputs: Readonly<Record<string, HostTensor>>,
  options: BisectOptions = {},
): Promise<BisectResult> {
  const tol = options.tolerance ?? DEFAULT_TOLERANCE;
  const refNames = new Set(topoNodes(reference).flatMap((n) => n.output));
  const order = topoNodes(candidate).flatMap((node) =>
    node.output.filter((o) => o && refNames.has(o)).map((output) => ({ node, output })),
  );
  const chunk = options.chunk ?? 2000;
  let compared = 0;
  for (let start = 0; start < order.length; start += chunk) {
    const slice = order.slice(start, start + chunk);
    const names = slice.map((s) => s.output);
    const [ref, cand] = await Promise.all(
      [reference, candidate].map(async (m) => {
        const engine = await backend.build(encodeModel(withReferenceDefinitions(withOutputs(m, names))));
        try {
          const feeds = Object.fromEntries(engine.inputs.map((i) => [i.name, inputs[i.name]!]));
          return await engine.run(feeds, { outputs: names });
        } finally {
          await engine.dispose();
        }
      }),
    );
    for (const { node, output } of slice) {
      const a = ref![output];
      const b = cand![output];
      if (!a || !b || a.dtype === 'string') continue;
      compared++;
      const comparison = compareTensor(output, a, b, tol);
      if (!comparison.pass) {
        return {
          firstDivergent: {
            nodeName: node.name,
            opType: node.opType,
            domain: node.domain,
            output,
            comparison,
          },
          compared,
        };
      }
    }
  }
  return { compared };
}
