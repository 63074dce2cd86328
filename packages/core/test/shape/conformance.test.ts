import { describe, expect, it } from 'vitest';
import { runAll } from './conformance.js';

// Agreement with the output shapes recorded in the ONNX backend node tests (Debian libonnx-testdata).
// Levels measured when this test was written; a regression fails it, an improvement should raise them.
describe('shape inference vs ONNX conformance data', () => {
  for (const [mode, evaluate, floor] of [
    ['rules and evaluator', true, 860],
    ['rules only', false, 835],
  ] as const) {
    it(`${mode}: no covered op disagrees, agreement stays at its level`, () => {
      const r = runAll(evaluate);
      const by = (v: string) => r.filter((x) => x.verdict === v);
      expect(by('disagree').map((x) => `${x.test}: ${x.detail}`)).toEqual([]);
      expect(by('agree').length).toBeGreaterThanOrEqual(floor);
      expect(by('uncovered').length).toBeLessThanOrEqual(28);
      const uncovered = new Set(by('uncovered').flatMap((x) => x.detail.split(',')));
      // The ops without a rule (their outputs are reported unknown): string ops, DFT/STFT, optionals, training.
      for (const op of uncovered)
        expect(['Conv', 'Reshape', 'Slice', 'Gather', 'Resize', 'GridSample']).not.toContain(op);
      console.info(
        `[shape conformance, ${mode}] ${by('agree').length}/${r.length} agree, ${by('unknown').length} unknown, ` +
          `${by('uncovered').length} uncovered (${[...uncovered].sort().join(', ')})`,
      );
    });
  }
});
