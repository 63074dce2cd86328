import {
  cloneProto,
  createProto,
  type ModelProto,
  ModelProtoSchema,
  type NodeProto,
  ValueInfoProtoSchema,
} from '@trtkit/core';

/** Nodes in an order where each runs after the producers of its inputs (exporters sometimes emit other orders). */
export function topoNodes(model: ModelProto): NodeProto[] {
  const nodes = model.graph?.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.output) if (o) producer.set(o, i);
  });
  const done = new Uint8Array(nodes.length);
  const order: NodeProto[] = [];
  const visit = (i: number) => {
    // Iterative DFS: graphs with thousands of nodes in a chain must not overflow the stack.
    const stack: [number, number][] = [[i, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const [k, j] = top;
      if (done[k] === 2) {
        stack.pop();
        continue;
      }
      done[k] = 1;
      const inputs = nodes[k]!.input;
      if (j < inputs.length) {
        top[1]++;
        const p = producer.get(inputs[j]!);
        if (p !== undefined && done[p] === 0) stack.push([p, 0]);
        continue;
      }
      done[k] = 2;
      order.push(nodes[k]!);
      stack.pop();
    }
  };
  nodes.forEach((_, i) => {
    if (!done[i]) visit(i);
  });
  return order;
}

/**
 * A copy of the model whose graph also outputs the named intermediate tensors. What the model computes does not
 * change: only graph outputs are added (ONNX Runtime returns declared outputs only).
 */
export function withOutputs(model: ModelProto, names: readonly string[]): ModelProto {
  const copy = cloneProto(ModelProtoSchema, model);
  const graph = copy.graph!;
  const have = new Set(graph.output.map((o) => o.name));
  for (const name of names) {
    if (have.has(name)) continue;
    have.add(name);
    const known = graph.valueInfo.find((v) => v.name === name);
    graph.output.push(
      known ? cloneProto(ValueInfoProtoSchema, known) : createProto(ValueInfoProtoSchema, { name }),
    );
  }
  return copy;
}

/** Every node output in topological order (the tensors bisect can observe). */
export function intermediateNames(model: ModelProto): string[] {
  return topoNodes(model).flatMap((n) => n.output.filter((o) => o.length > 0));
}
