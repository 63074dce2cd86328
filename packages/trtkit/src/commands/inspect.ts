import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  externalRef,
  type GraphProto,
  InvalidArgumentError,
  infoFromValueInfo,
  isExternal,
  readModel,
  tensorByteLength,
  type ValueInfoProto,
} from '@trtkit/core';
import type { Command } from '../cli/command.js';

function io(v: ValueInfoProto) {
  const info = infoFromValueInfo(v);
  return { name: v.name, dtype: info?.dtype ?? 'unknown', shape: info?.dims ?? null };
}

// Nodes in the main graph and every subgraph (If/Loop/Scan bodies), with how deep each subgraph sits.
function walk(graph: GraphProto, visit: (g: GraphProto, depth: number) => void, depth = 0): void {
  visit(graph, depth);
  for (const n of graph.node) {
    for (const a of n.attribute) {
      if (a.g) walk(a.g, visit, depth + 1);
      for (const g of a.graphs) walk(g, visit, depth + 1);
    }
  }
}

/** `trtkit inspect`: what a model is, without running it. */
export const inspect: Command = {
  name: 'inspect',
  summary: 'summarise a model: IR version, opsets, inputs/outputs, op histogram, weights, external data',
  usage: 'trtkit inspect <model.onnx> [--json]',
  async run(argv, out) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { json: { type: 'boolean' } },
    });
    const path = positionals[0];
    if (!path) throw new InvalidArgumentError('inspect needs a model path', { hint: inspect.usage });
    const loaded = await readModel(path, { lazyWeights: true });
    const m = loaded.model;
    const g = m.graph;
    const ops = new Map<string, number>();
    let nodes = 0;
    let subgraphs = 0;
    if (g) {
      walk(g, (graph, depth) => {
        if (depth > 0) subgraphs++;
        for (const n of graph.node) {
          nodes++;
          const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}::${n.opType}` : n.opType;
          ops.set(key, (ops.get(key) ?? 0) + 1);
        }
      });
    }
    const inits = g?.initializer ?? [];
    const external = new Map<string, number>();
    let weightBytes = 0;
    for (const t of inits) {
      const bytes = tensorByteLength(t) ?? 0;
      weightBytes += bytes;
      if (isExternal(t)) {
        const ref = externalRef(t);
        if (ref.location !== '') external.set(ref.location, (external.get(ref.location) ?? 0) + bytes);
      }
    }
    const initNames = new Set(inits.map((t) => t.name));
    const report = {
      file: path,
      fileBytes: statSync(path).size,
      irVersion: Number(m.irVersion),
      producer: [m.producerName, m.producerVersion].filter(Boolean).join(' '),
      opsets: Object.fromEntries(m.opsetImport.map((o) => [o.domain || 'ai.onnx', Number(o.version)])),
      inputs: (g?.input ?? []).filter((v) => !initNames.has(v.name)).map(io),
      outputs: (g?.output ?? []).map(io),
      nodes,
      subgraphs,
      functions: m.functions.map((f) => `${f.domain}::${f.name}`),
      ops: Object.fromEntries([...ops].sort((a, b) => b[1] - a[1])),
      initializers: inits.length,
      weightBytes,
      externalData: Object.fromEntries(
        [...external].map(([loc, bytes]) => [
          loc,
          { bytes, fileBytes: statSync(join(loaded.dir, loc)).size },
        ]),
      ),
    };
    if (values.json) {
      out.out(JSON.stringify(report, null, 2));
      return 0;
    }
    const shape = (s: readonly unknown[] | null) =>
      s ? `[${s.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '?';
    out.out(`${path}: IR ${report.irVersion}, ${report.producer || 'unknown producer'}`);
    out.out(
      `  opsets   ${Object.entries(report.opsets)
        .map(([d, v]) => `${d} ${v}`)
        .join(', ')}`,
    );
    for (const i of report.inputs) out.out(`  input    ${i.name} ${i.dtype}${shape(i.shape)}`);
    for (const o of report.outputs) out.out(`  output   ${o.name} ${o.dtype}${shape(o.shape)}`);
    out.out(
      `  nodes    ${nodes}${subgraphs ? ` (${subgraphs} subgraphs)` : ''}, ${report.functions.length} local functions`,
    );
    out.out(`  weights  ${inits.length} initializers, ${(weightBytes / 2 ** 20).toFixed(2)} MiB`);
    for (const [loc, e] of Object.entries(report.externalData))
      out.out(`  external ${loc}: ${e.bytes} bytes used of ${e.fileBytes}`);
    out.out(
      `  ops      ${Object.entries(report.ops)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    return 0;
  },
};
