import {
  addConst,
  attrInt,
  constTensor,
  dtypeOf,
  type Graph,
  isGraphOutput,
  type Node,
  removeNode,
  replaceValue,
  setAttrInt,
  setDtype,
  setInput,
  users,
  type Value,
} from '../../pass/graph/index.js';
import type { ReportBuilder } from '../../pass/report-builder.js';

const DOUBLE = 11;
const FLOAT = 1;

/** Ops whose float64 version computes the same thing in float32, up to rounding. */
const SAFE = new Set([
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Neg',
  'Abs',
  'Sqrt',
  'Pow',
  'Exp',
  'Log',
  'Sin',
  'Cos',
  'Tanh',
  'Sigmoid',
  'Floor',
  'Ceil',
  'Round',
  'Reciprocal',
  'Min',
  'Max',
  'Clip',
  'Concat',
  'Unsqueeze',
  'Squeeze',
  'Reshape',
  'Transpose',
  'Gather',
  'Slice',
  'Expand',
  'Tile',
  'Flatten',
  'Identity',
  'ReduceSum',
  'ReduceMean',
  'ReduceMax',
  'ReduceMin',
  'CumSum',
  'MatMul',
  'Where',
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'Cast',
  'Range',
  'Softmax',
  'Erf',
]);

const TO_BOOL = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual']);

/** A region node's output is float64 when recorded so, or (unrecorded) when the op keeps its input type. */
function isDouble(o: Value, n: Node): boolean {
  const t = dtypeOf(o);
  if (t !== undefined) return t === 'float64';
  return !TO_BOOL.has(n.opType) && n.opType !== 'Cast' && n.opType !== 'Shape';
}

interface Region {
  readonly entries: Node[]; // Cast(to=DOUBLE) from a non-double
  readonly nodes: Set<Node>; // computing in double
  readonly exits: Node[]; // Cast from double to float32
  readonly constants: Value[]; // double constants read by the region
}

/**
 * Grows the float64 region reached from one Cast(to=DOUBLE). Fails (undefined) when double escapes it other than
 * through a Cast to float32 or an integer/bool type: a graph output, an unsafe op, or a double from elsewhere.
 */
function growRegion(graph: Graph, start: Node): Region | undefined {
  const region: Region = { entries: [start], nodes: new Set(), exits: [], constants: [] };
  const queue: Value[] = [start.outputs[0] as Value];
  const seen = new Set<Value>();
  while (queue.length) {
    const v = queue.pop() as Value;
    if (seen.has(v)) continue;
    seen.add(v);
    if (isGraphOutput(graph, v)) return undefined;
    for (const n of users(v)) {
      if (region.nodes.has(n) || region.exits.includes(n)) continue;
      if (n.domain !== '' || !SAFE.has(n.opType)) return undefined;
      if (n.opType === 'Cast' && attrInt(n, 'to', 0) !== DOUBLE) {
        region.exits.push(n);
        continue;
      }
      region.nodes.add(n);
      for (const inp of n.inputs) {
        if (
          !inp ||
          seen.has(inp) ||
          (dtypeOf(inp) !== 'float64' && !(inp.producer && region.nodes.has(inp.producer)))
        )
          continue;
        const p = inp.producer;
        if (!p) {
          if (constTensor(graph, inp)) {
            region.constants.push(inp);
            seen.add(inp);
          } else return undefined; // a float64 graph input
        } else if (p.opType === 'Cast' && attrInt(p, 'to', 0) === DOUBLE) {
          if (!region.entries.includes(p)) region.entries.push(p);
          queue.push(inp);
        } else if (p.opType === 'Constant') {
          region.constants.push(inp);
          seen.add(inp);
        } else if (!region.nodes.has(p)) return undefined; // double from a node outside the region
      }
      for (const o of n.outputs) if (isDouble(o, n)) queue.push(o);
    }
  }
  return region;
}

/** Float64 computation between casts becomes float32; returns the number of regions rewritten. */
export function narrowFloat64(graph: Graph, report: ReportBuilder): number {
  let regions = 0;
  const done = new Set<Node>();
  for (const node of [...graph.nodes]) {
    if (node.opType !== 'Cast' || attrInt(node, 'to', 0) !== DOUBLE || done.has(node)) continue;
    const region = growRegion(graph, node);
    if (!region) continue;
    for (const e of region.entries) {
      done.add(e);
      setAttrInt(e, 'to', FLOAT);
      setDtype(e.outputs[0] as Value, 'float32');
    }
    for (const c of region.constants) {
      const t = constTensor(graph, c);
      if (!t) continue;
      const f = addConst(graph, 'f32', 'float32', t.dims, Float32Array.from(t.data as ArrayLike<number>));
      for (const n of region.nodes)
        n.inputs.forEach((inp, i) => {
          if (inp === c) setInput(n, i, f);
        });
    }
    for (const n of region.nodes) {
      if (n.opType === 'Cast') setAttrInt(n, 'to', FLOAT);
      for (const o of n.outputs) if (isDouble(o, n)) setDtype(o, 'float32');
    }
    for (const x of region.exits) {
      if (attrInt(x, 'to', 0) !== FLOAT) continue; // Cast to int/bool stays: it now reads float32.
      const touched = replaceValue(graph, x.outputs[0] as Value, x.inputs[0] as Value);
      if (touched) report.outputTouched(touched);
      removeNode(graph, x);
      report.removed(x);
    }
    report.markChanged().count('float64Regions');
    report.note(`float64 region of ${region.nodes.size} node(s) computed in float32 instead`);
    regions++;
  }
  return regions;
}
