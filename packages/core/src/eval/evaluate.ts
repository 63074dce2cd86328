import type { Attrs } from '../shape/attrs.js';
import type { HostTensor } from '../tensor/index.js';
import { type ETensor, EvaluatorError, fromHost, toHost } from './etensor.js';
import { FLOAT_OPS } from './float-ops.js';
import { type EvalFn, EVAL_OPS as SHAPE_OPS } from './ops.js';

const EVAL_OPS: Readonly<Record<string, EvalFn>> = { ...SHAPE_OPS, ...FLOAT_OPS };

/** Whether the evaluator implements this standard-domain op. */
export function canEvaluate(opType: string, domain = ''): boolean {
  return (domain === '' || domain === 'ai.onnx') && Object.hasOwn(EVAL_OPS, opType);
}

/**
 * Computes one node on host tensors. Returns undefined when the op or an input dtype is outside what the
 * evaluator handles (the caller then leaves the node alone or asks the reference backend). Throws `EvaluatorError`
 * when the node itself is invalid for these inputs (indices out of range, shapes that do not broadcast).
 */
export function evaluateNode(
  opType: string,
  inputs: readonly (HostTensor | undefined)[],
  attrs: Attrs,
  opset: number,
  nOutputs = 1,
): HostTensor[] | undefined {
  const fn = EVAL_OPS[opType];
  if (!fn) return undefined;
  const es: (ETensor | undefined)[] = [];
  for (const t of inputs) {
    if (t === undefined) {
      es.push(undefined);
      continue;
    }
    const e = fromHost(t);
    if (!e) return undefined;
    es.push(e);
  }
  const outs = fn(es, attrs, opset, nOutputs);
  if (outs.length < nOutputs)
    throw new EvaluatorError(`${opType}: computed ${outs.length} outputs, graph wants ${nOutputs}`);
  return outs.slice(0, nOutputs).map(toHost);
}
