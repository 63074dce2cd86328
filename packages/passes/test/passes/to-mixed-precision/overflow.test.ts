// A planted overflow: one weight column scaled so an activation passes 65504.
import { encodeModel, type HostTensor, tensor } from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import { describe, expect, it } from 'vitest';
import { VerificationFailed } from '../../../src/pass/errors.js';
import type { Model } from '../../../src/pass/graph/index.js';
import { convertMixedPrecision } from '../../../src/passes/to-mixed-precision/index.js';
import { buildModel, randn } from '../support/build-model.js';

const backend = new OrtBackend({ graphOptimizationLevel: 'disabled' });

function planted(): Model {
  const w1 = randn(16 * 16, 3);
  for (let r = 0; r < 16; r++) w1[r * 16 + 3] = 1e4; // column 3: x in [0.5, 1) gives |h| >= 8e4
  return buildModel({
    opset: 17,
    inputs: [{ name: 'x', dims: [1, 16] }],
    outputs: [{ name: 'y', dims: [1, 4] }],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h'] },
      { op: 'Relu', inputs: ['h'], outputs: ['h2'] },
      { op: 'Mul', inputs: ['h2', 's'], outputs: ['h3'] },
      { op: 'MatMul', inputs: ['h3', 'w2'], outputs: ['y'] },
    ],
    consts: {
      w1: { dtype: 'float32', dims: [16, 16], data: w1 },
      s: { dtype: 'float32', dims: [1], data: [1e-3] },
      w2: { dtype: 'float32', dims: [16, 4], data: randn(64, 5) },
    },
  });
}

const feeds = [1, 2].map((seed) => ({
  x: tensor(
    'float32',
    [1, 16],
    Float32Array.from(randn(16, seed), (v) => 0.75 + v / 4),
  ),
}));

async function run(m: Model, f: Record<string, HostTensor>): Promise<Float32Array> {
  const e = await backend.build(encodeModel(m.toProto()));
  try {
    return (await e.run(f)).y?.data as Float32Array;
  } finally {
    await e.dispose();
  }
}

function expectClose(got: Float32Array, ref: Float32Array): void {
  const scale = Math.max(...Array.from(ref, Math.abs));
  for (let i = 0; i < ref.length; i++) {
    expect(Number.isFinite(got[i])).toBe(true);
    expect(Math.abs((got[i] as number) - (ref[i] as number)) / scale).toBeLessThan(1e-2);
  }
}

const fp32NodeOps = (islands: readonly { nodes: readonly string[]; reason: string }[]) =>
  islands.flatMap((i) => i.nodes.map((n) => ({ n, reason: i.reason })));

describe('planted overflow', () => {
  it('rules alone put the overflowing MatMul in FP16 and FP16 storage breaks the output (the plant works)', async () => {
    const r = await convertMixedPrecision(planted(), { fp16: true });
    expect(r.stats.heavyFp16).toBe(2);
    const failed = await convertMixedPrecision(planted(), {
      fp16: true,
      calibration: { backend, feeds, ranges: false, maxIterations: 0 },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(VerificationFailed);
    expect(String((failed as Error).message)).toMatch(/emulation: 'y': \d+ NaN\/Inf/);
  });

  it('range analysis keeps the overflowing region FP32 and the outputs stay right', async () => {
    const m = planted();
    const r = await convertMixedPrecision(m, { fp16: true, calibration: { backend, feeds } });
    const kept = fp32NodeOps(r.islands);
    const h = kept.find((k) => k.n === 'n0_MatMul');
    expect(h?.reason).toMatch(/observed \|x\| up to/);
    expect(kept.map((k) => k.n)).toContain('n1_Relu'); // reads the over-range tensor
    expect(kept.map((k) => k.n)).not.toContain('n3_MatMul'); // downstream of the scale: back in FP16
    expect(r.ranges?.get('h')?.absMax).toBeGreaterThan(65504);
    expect(r.iterations).toBe(1); // verified on the first try
    // Strongly typed: the FP16 MatMul's weight is float16, the FP32 one's stays float32.
    const inits = new Map(
      r.model.graph.nodes
        .flatMap((n) => n.inputs)
        .filter((v) => v?.initializer)
        .map((v) => [v?.name, v?.initializer?.dtype]),
    );
    expect([...inits].find(([k]) => k?.startsWith('w2'))?.[1]).toBe('float16');
    expect(inits.get('w1')).toBe('float32');
    for (const f of feeds) expectClose(await run(r.model, f), await run(m, f));
  });

  it('without range analysis, verification finds the overflow, moves it to FP32 and retries', async () => {
    const m = planted();
    const r = await convertMixedPrecision(m, { fp16: true, calibration: { backend, feeds, ranges: false } });
    expect(r.iterations).toBeGreaterThan(1);
    const kept = fp32NodeOps(r.islands);
    expect(kept.find((k) => k.n === 'n0_MatMul')?.reason).toMatch(/^verification/);
    expect(r.stats.heavyFp16).toBe(1);
    for (const f of feeds) expectClose(await run(r.model, f), await run(m, f));
  });
});

describe('planted underflow', () => {
  it('keeps a mostly-subnormal region FP32 and the outputs stay right', async () => {
    // Weights ~1e-7 make every activation ~1e-6: below float16's smallest normal (6.1e-5).
    const m = buildModel({
      opset: 17,
      inputs: [{ name: 'x', dims: [1, 16] }],
      outputs: [{ name: 'y', dims: [1, 16] }],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['t'] },
        { op: 'Mul', inputs: ['t', 'k'], outputs: ['y'] },
      ],
      consts: {
        w: { dtype: 'float32', dims: [16, 16], data: randn(256, 8).map((v) => v * 1e-7) },
        k: { dtype: 'float32', dims: [1], data: [1e6] },
      },
    });
    // Without observation the weights go float16 (mostly subnormal) and the output is visibly off.
    const naive = await convertMixedPrecision(m, { fp16: true });
    const [na, nb] = [
      await run(naive.model, feeds[0] as Record<string, HostTensor>),
      await run(m, feeds[0] as Record<string, HostTensor>),
    ];
    const nScale = Math.max(...Array.from(nb, Math.abs));
    expect(Math.max(...Array.from(na, (v, i) => Math.abs(v - (nb[i] as number)))) / nScale).toBeGreaterThan(
      1e-2,
    );
    const r = await convertMixedPrecision(m, { fp16: true, calibration: { backend, feeds } });
    const kept = fp32NodeOps(r.islands);
    expect(kept.find((k) => k.n === 'n0_MatMul')?.reason).toMatch(/float16 subnormal/);
    for (const f of feeds) {
      const [a, b] = [await run(r.model, f), await run(m, f)];
      const scale = Math.max(...Array.from(b, Math.abs));
      for (let i = 0; i < b.length; i++)
        expect(Math.abs((a[i] as number) - (b[i] as number)) / scale).toBeLessThan(1e-2);
    }
  });
});
