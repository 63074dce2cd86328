import { describe, expect, it } from 'vitest';
import { runEvalCases } from './node-tests.js';

describe('evaluator vs ONNX backend node test outputs', () => {
  const cases = runEvalCases();
  const by = (s: string) => cases.filter((c) => c.status === s);

  it('matches every recorded output it computes', () => {
    // Unsupported cases are dtypes left to the reference backend (float16, bfloat16, strings, sequences).
    expect(by('mismatch').map((c) => `${c.test}: ${c.detail}`)).toEqual([]);
    expect(by('error').map((c) => `${c.test}: ${c.detail}`)).toEqual([]);
  });

  it('covers the shape-computation ops broadly', () => {
    const ops = new Set(by('match').map((c) => c.op));
    for (const op of [
      'Shape',
      'Gather',
      'Slice',
      'Concat',
      'Unsqueeze',
      'Squeeze',
      'Reshape',
      'Cast',
      'Range',
      'Equal',
      'Where',
      'ConstantOfShape',
      'Expand',
      'Tile',
      'Transpose',
      'Mod',
      'Div',
    ]) {
      expect(ops, op).toContain(op);
    }
    expect(by('match').length).toBeGreaterThanOrEqual(254);
  });
});
