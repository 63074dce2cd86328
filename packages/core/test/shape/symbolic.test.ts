import { create } from '@bufbuild/protobuf';
import { FunctionProtoSchema, OperatorSetIdProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import { broadcast, dimProduct, inferModel } from '../../src/index.js';
import { f32, graph, i64, model, node, vi } from './build.js';

describe('symbolic dims', () => {
  it('broadcasts symbols against numbers and 1s, and says unknown for two different symbols', () => {
    expect(
      broadcast([
        ['N', 1, 4],
        [3, 1],
      ]),
    ).toEqual(['N', 3, 4]);
    expect(broadcast([['N'], ['M']])).toEqual([null]);
    expect(broadcast([[null], [1]])).toEqual([null]);
    expect(broadcast([[null], [5]])).toEqual([5]);
    expect(dimProduct(['N', 6])).toBe('6*N');
    expect(dimProduct([2, 3])).toBe(6);
    expect(dimProduct(['N', null])).toBe(null);
  });

  it('keeps the batch symbol through Shape -> Gather -> Unsqueeze -> Concat -> Reshape', () => {
    const m = model(
      graph(
        [
          node('Shape', ['x'], ['s']),
          node('Gather', ['s', 'zero'], ['b'], { axis: 0 }),
          node('Unsqueeze', ['b', 'ax0'], ['b1']),
          node('Concat', ['b1', 'minus1'], ['shape'], { axis: 0 }),
          node('Reshape', ['x', 'shape'], ['y']),
          node('Shape', ['x'], ['hw'], { start: 2 }),
          node('ConstantOfShape', ['hw'], ['mask'], { value: i64('v', [1], [1]) }),
        ],
        [vi('x', 'float32', ['N', 3, 8, 8])],
        [vi('y', 'float32'), vi('mask', 'int64')],
        [i64('zero', [], [0]), i64('ax0', [1], [0]), i64('minus1', [1], [-1])],
      ),
    );
    const r = inferModel(m);
    expect(r.infos.get('y')).toMatchObject({ dtype: 'float32', dims: ['N', 192] });
    expect(r.infos.get('shape')?.dimValues).toEqual(['N', -1]);
    expect(r.infos.get('mask')?.dims).toEqual([8, 8]);
    // A static part of the shape is a known constant, ready to fold.
    expect(Array.from(r.infos.get('hw')?.value?.data as BigInt64Array)).toEqual([8n, 8n]);
    expect(r.infos.get('s')?.value).toBeUndefined();
  });

  it("resolves the exporters' expand(-1) pattern: Where(Equal(shape, -1), ones, shape)", () => {
    const m = model(
      graph(
        [
          node('Shape', ['x'], ['s']),
          node('Gather', ['s', 'zero'], ['b'], { axis: 0 }),
          node('Unsqueeze', ['b', 'ax0'], ['b1']),
          node('Concat', ['b1', 'm1', 'm1'], ['shape'], { axis: 0 }),
          node('Reshape', ['shape', 'm1'], ['flat']),
          node('Equal', ['flat', 'm1'], ['eq']),
          node('Where', ['eq', 'ones', 'flat'], ['target']),
          node('Expand', ['q', 'target'], ['y']),
        ],
        [vi('x', 'float32', ['N', 7, 5])],
        [vi('y', 'float32')],
        [
          i64('zero', [], [0]),
          i64('ax0', [1], [0]),
          i64('m1', [1], [-1]),
          i64('ones', [3], [1, 1, 1]),
          f32('q', [1, 12, 4], new Array(48).fill(0)),
        ],
      ),
    );
    const r = inferModel(m);
    expect(Array.from(r.infos.get('eq')?.value?.data as Uint8Array)).toEqual([0, 1, 1]);
    expect(r.infos.get('target')?.dimValues).toEqual(['N', 1, 1]);
    expect(r.infos.get('y')?.dims).toEqual(['N', 12, 4]);
  });

  it('says unknown for data-dependent shapes instead of guessing', () => {
    const m = model(
      graph(
        [
          node('NonZero', ['x'], ['nz']),
          node('Transpose', ['nz'], ['t'], { perm: [1, 0] }),
          node('Custom', ['t'], ['c'], {}, 'my.domain'),
        ],
        [vi('x', 'float32', [4, 5])],
        [vi('c', 'float32')],
      ),
    );
    const r = inferModel(m);
    expect(r.infos.get('nz')?.dims).toEqual([2, null]);
    expect(r.infos.get('t')?.dims).toEqual([null, 2]);
    expect(r.infos.get('c')).toEqual({});
    expect([...r.unknownOps]).toEqual(['my.domain::Custom']);
  });

  it('infers through If (joining branches), Loop and Scan bodies', () => {
    const thenG = graph([node('Add', ['x', 'x'], ['a'])], [], [vi('a', 'float32')], [], 'then');
    const elseG = graph(
      [node('Transpose', ['x'], ['b'], { perm: [1, 0] })],
      [],
      [vi('b', 'float32')],
      [],
      'else',
    );
    const body = graph(
      [
        node('Identity', ['cond_in'], ['cond_out']),
        node('Mul', ['v_in', 'v_in'], ['v_out']),
        node('Relu', ['v_in'], ['scan_out']),
      ],
      [vi('i', 'int64', []), vi('cond_in', 'bool', []), vi('v_in', 'float32')],
      [vi('cond_out', 'bool'), vi('v_out', 'float32'), vi('scan_out', 'float32')],
      [],
      'body',
    );
    const scanBody = graph(
      [node('Add', ['s_in', 'row'], ['s_out']), node('Identity', ['row'], ['row_out'])],
      [vi('s_in', 'float32'), vi('row', 'float32')],
      [vi('s_out', 'float32'), vi('row_out', 'float32')],
      [],
      'scan',
    );
    const m = model(
      graph(
        [
          node('If', ['c'], ['y'], { then_branch: thenG, else_branch: elseG }),
          node('Loop', ['trip', '', 'x'], ['final', 'stacked'], { body }),
          node('Scan', ['init', 'x'], ['state', 'rows'], { body: scanBody, num_scan_inputs: 1 }),
        ],
        [
          vi('c', 'bool', []),
          vi('x', 'float32', [3, 'K']),
          vi('trip', 'int64', []),
          vi('init', 'float32', ['K']),
        ],
        [
          vi('y', 'float32'),
          vi('final', 'float32'),
          vi('stacked', 'float32'),
          vi('state', 'float32'),
          vi('rows', 'float32'),
        ],
      ),
    );
    const r = inferModel(m);
    // then: [3,K]; else: [K,3]: both rank 2, dims unknown unless equal.
    expect(r.infos.get('y')).toEqual({ dtype: 'float32', dims: [null, null] });
    expect(r.infos.get('final')?.dims).toEqual([3, 'K']);
    expect(r.infos.get('stacked')?.dims).toEqual([null, 3, 'K']);
    expect(r.infos.get('state')?.dims).toEqual(['K']);
    expect(r.infos.get('rows')?.dims).toEqual([3, 'K']);
  });

  it('infers through local functions, resolving attribute references', () => {
    const fn = create(FunctionProtoSchema, {
      name: 'Squash',
      domain: 'local',
      input: ['a'],
      output: ['z'],
      attribute: ['perm'],
      opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: 17n })],
      node: [
        node('Transpose', ['a'], ['t']),
        node('ReduceSum', ['t', 'ax'], ['z'], { keepdims: 0 }),
        node('Constant', [], ['ax'], { value: i64('c', [1], [0]) }),
      ],
    });
    // Transpose's perm refers to the caller's attribute.
    const tr = fn.node[0];
    const ref = node('X', [], [], { perm: [0] }).attribute[0];
    if (tr && ref) {
      ref.refAttrName = 'perm';
      ref.ints = [];
      tr.attribute = [ref];
    }
    // Constant must come first in a valid body.
    fn.node = [fn.node[2], fn.node[0], fn.node[1]] as typeof fn.node;
    const m = model(
      graph(
        [node('Squash', ['x'], ['y'], { perm: [2, 0, 1] }, 'local')],
        [vi('x', 'float32', [2, 3, 'L'])],
        [vi('y', 'float32')],
      ),
      17,
      [fn],
    );
    const r = inferModel(m);
    // Transpose(perm [2,0,1]) -> [L,2,3]; ReduceSum over axis 0 without keepdims -> [2,3].
    expect(r.infos.get('y')).toMatchObject({ dtype: 'float32', dims: [2, 3] });
  });

  it('computes small constant values and leaves large ones alone', () => {
    const m = model(
      graph(
        [
          node('Range', ['s', 'l', 'd'], ['r']),
          node('Mul', ['r', 'two'], ['m']),
          node('Expand', ['one', 'big'], ['e']),
        ],
        [],
        [vi('m', 'int64'), vi('e', 'float32')],
        [
          i64('s', [], [0]),
          i64('l', [], [5]),
          i64('d', [], [1]),
          i64('two', [], [2]),
          f32('one', [1], [1]),
          i64('big', [2], [1000, 1000]),
        ],
      ),
    );
    const r = inferModel(m, { maxValueElements: 4096 });
    expect(Array.from(r.infos.get('m')?.value?.data as BigInt64Array).map(Number)).toEqual([0, 2, 4, 6, 8]);
    expect(r.infos.get('e')?.dims).toEqual([1000, 1000]);
    expect(r.infos.get('e')?.value).toBeUndefined();
  });
});
