import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeModel,
  extractModel,
  findMatches,
  GraphCycleError,
  inferShapes,
  isSelfContained,
  Model,
  matchValue,
  P,
  UndefinedTensorError,
} from '../../src/index.js';
import { REPO_ROOT } from '../onnx/corpus.js';
import { f32, graph, model, node, vi } from '../shape/build.js';

// y = Relu(x + b) * 2 ; z = Sigmoid(y)
const small = () =>
  model(
    graph(
      [
        node('Add', ['x', 'b'], ['s']),
        node('Relu', ['s'], ['r']),
        node('Mul', ['r', 'two'], ['y']),
        node('Sigmoid', ['y'], ['z']),
      ],
      [vi('x', 'float32', ['N', 4])],
      [vi('z', 'float32', ['N', 4])],
      [f32('b', [4], [1, 2, 3, 4]), f32('two', [], [2])],
    ),
  );

describe('IR edits keep producer/use links true', () => {
  it('insert, reroute, remove and clean up', () => {
    const m = Model.fromProto(small());
    const g = m.graph;
    const [add, relu, mul] = g.nodes;
    const s = add?.outputs[0];
    expect(s?.uses.map((u) => u.node)).toEqual([relu]);
    // Insert Tanh between Add and Relu.
    const tanh = g.insertNode({ opType: 'Tanh', inputs: [s], outputs: 1 }, relu);
    const t = tanh.outputs[0];
    relu?.setInput(0, t);
    expect(s?.uses.map((u) => u.node)).toEqual([tanh]);
    expect(t?.uses.map((u) => u.node)).toEqual([relu]);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Add', 'Tanh', 'Relu', 'Mul', 'Sigmoid']);
    // Bypass Mul: every reader of y reads r instead; Mul becomes dead and goes with removeUnused.
    g.replaceAllUses(mul?.outputs[0] as never, relu?.outputs[0] as never);
    const removed = g.removeUnused();
    expect(removed.map((n) => n.opType)).toEqual(['Mul']);
    expect(g.initializers.map((v) => v.name)).toEqual(['b']);
    const back = m.toProto();
    expect(back.graph?.node.map((n) => n.opType)).toEqual(['Add', 'Tanh', 'Relu', 'Sigmoid']);
    expect(back.graph?.node[3]?.input).toEqual(['r']);
    expect(back.graph?.initializer.map((t) => t.name)).toEqual(['b']);
  });

  it('sorts nodes listed out of order, stably', () => {
    const p = small();
    const g = p.graph;
    if (g) g.node = [3, 1, 0, 2].map((i) => g.node[i]).filter((n) => n !== undefined);
    const m = Model.fromProto(p);
    expect(m.graph.nodes.map((n) => n.opType)).toEqual(['Add', 'Relu', 'Mul', 'Sigmoid']);
  });

  it('refuses reads of undefined tensors and cycles with typed errors', () => {
    const p = small();
    p.graph?.node.push(node('Neg', ['nowhere'], ['q']));
    expect(() => Model.fromProto(p)).toThrow(UndefinedTensorError);
    const c = small();
    const n0 = c.graph?.node[0];
    if (n0) n0.input = ['x', 'z'];
    expect(() => Model.fromProto(c)).toThrow(GraphCycleError);
  });

  it('matches structure with shared variables and commutative inputs', () => {
    const m = Model.fromProto(small());
    const pat = P.op(
      'Mul',
      [P.op('Relu', [P.op('Add', [P.v('x'), P.const('bias')], { commutative: true })]), P.scalar(2)],
      {
        commutative: true,
        as: 'mul',
      },
    );
    const found = findMatches(m.graph, pat);
    expect(found).toHaveLength(1);
    const hit = found[0];
    expect(hit?.values.get('x')?.name).toBe('x');
    expect(hit?.values.get('bias')?.name).toBe('b');
    expect(hit?.covered.map((n) => n.opType)).toEqual(['Mul', 'Relu', 'Add']);
    expect(hit && isSelfContained(m.graph, hit)).toBe(true);
    expect(findMatches(m.graph, P.op('Mul', [P.any(), P.scalar(3)], { commutative: true }))).toHaveLength(0);
    // A variable used twice must bind the same value: Add(x, b) is not Add(v, v).
    expect(findMatches(m.graph, P.op('Add', [P.v('a'), P.v('a')]))).toHaveLength(0);
  });

  it('tries alternative spellings, optional trailing inputs, and matches from a value', () => {
    const m = Model.fromProto(small());
    const relu = m.graph.nodes[1];
    const viaOneOf = P.op('Mul', [
      P.oneOf(P.op('Sigmoid', [P.any()]), P.op('Relu', [P.v('r')], { as: 'relu' })),
      P.any(),
    ]);
    const hit = findMatches(m.graph, viaOneOf)[0];
    expect(hit?.nodes.get('relu')).toBe(relu);
    // Relu has one input: a pattern with an optional second input still matches it; a required one does not.
    expect(findMatches(m.graph, P.op('Relu', [P.any(), P.opt(P.const())]))).toHaveLength(1);
    expect(findMatches(m.graph, P.op('Relu', [P.any(), P.const()]))).toHaveLength(0);
    const y = m.graph.nodes[2]?.outputs[0];
    if (!y) throw new Error('no y');
    expect(
      matchValue(P.oneOf(P.op('Add', undefined), P.op('Mul', undefined, { as: 'm' })), y)?.nodes.get('m'),
    ).toBe(m.graph.nodes[2]);
    expect(matchValue(P.op('Add', undefined), y)).toBeUndefined();
  });

  it('extracts the part between tensors as a runnable model', () => {
    const m = Model.fromProto(small());
    const part = extractModel(m, ['s'], ['y']);
    const p = part.toProto();
    expect(p.graph?.node.map((n) => n.opType)).toEqual(['Relu', 'Mul']);
    expect(p.graph?.input.map((i) => i.name)).toEqual(['s']);
    expect(p.graph?.initializer.map((t) => t.name)).toEqual(['two']);
    expect(() => extractModel(m, [], ['y'])).toThrow(/graph input "x"/);
  });

  it('stores inferred shapes on values', () => {
    const m = Model.fromProto(small());
    inferShapes(m);
    const y = m.graph.nodes[2]?.outputs[0];
    expect(y?.inferred?.dims).toEqual(['N', 4]);
    expect(y?.shape).toEqual(['N', 4]);
    expect(y?.type).toBe('float32');
  });

  it('loads a real export, edits nothing, and infers a rank for every float tensor of the trained DETR', () => {
    const file = path.join(REPO_ROOT, 'fixtures/trained/detr_original.onnx');
    const m = Model.fromProto(decodeModel(fs.readFileSync(file)));
    inferShapes(m);
    const unranked = m.graph.nodes.flatMap((n) => n.outputs).filter((o) => o.rank === undefined);
    expect(unranked.map((o) => o.name)).toEqual([]);
  });
});
