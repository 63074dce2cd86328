import { create } from '@bufbuild/protobuf';
import { type ModelProto, ValueInfoProtoSchema } from '../onnx/schema.js';
import { GraphEditError } from './errors.js';
import { withFields } from './message.js';
import { Model } from './model.js';
import type { Value } from './value.js';
import { valueInfoOf } from './value-info.js';

/**
 * The part of `model` that computes `outputs` from `inputs` (tensor names), as a new model: the nodes between
 * them, the weights they read, and the given tensors as graph inputs/outputs. A path from an output back to a
 * graph input that is not among `inputs` is an error naming that input.
 */
export function extractModel(model: Model, inputs: readonly string[], outputs: readonly string[]): Model {
  const g = model.graph;
  const byName = g.valuesByName();
  const pick = (name: string, role: string): Value => {
    const v = byName.get(name);
    if (!v) throw new GraphEditError(`extract: no tensor named ${JSON.stringify(name)} (${role})`);
    return v;
  };
  const ins = new Set(inputs.map((n) => pick(n, 'input')));
  const outs = outputs.map((n) => pick(n, 'output'));
  const keep = new Set<unknown>();
  const weights = new Set<Value>();
  const stack = [...outs];
  const seen = new Set<Value>();
  while (stack.length) {
    const v = stack.pop() as Value;
    if (seen.has(v)) continue;
    seen.add(v);
    if (ins.has(v)) continue;
    if (v.initializer) {
      weights.add(v);
      continue;
    }
    const p = v.producer;
    if (!p) {
      throw new GraphEditError(`extract: output depends on graph input ${JSON.stringify(v.name)}`, {
        hint: 'add it to the inputs of the extracted part',
      });
    }
    keep.add(p);
    for (const i of p.inputs) if (i) stack.push(i);
  }
  const src = model.toProto();
  const graph = src.graph;
  if (!graph) throw new GraphEditError('extract: the model has no graph');
  const info = (v: Value) => (v.dtype ? valueInfoOf(v) : create(ValueInfoProtoSchema, { name: v.name }));
  const kept = g.nodes.filter((n) => keep.has(n));
  const nodeKeys = new Set(kept.map((n) => n.outputs.map((o) => o.name).join('\u0000')));
  const computed = new Set(kept.flatMap((n) => n.outputs.map((o) => o.name)));
  const weightNames = new Set([...weights].map((w) => w.name));
  const proto: ModelProto = withFields(src, {
    graph: withFields(graph, {
      node: graph.node.filter((n) => nodeKeys.has(n.output.join('\u0000'))),
      initializer: graph.initializer.filter((t) => weightNames.has(t.name)),
      input: [...ins].map(info),
      output: outs.map(info),
      valueInfo: graph.valueInfo.filter((vi) => computed.has(vi.name) && !outputs.includes(vi.name)),
    }),
  });
  const m = Model.fromProto(proto);
  m.graph.removeUnused();
  return m;
}
