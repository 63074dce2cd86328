import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel } from '@trtkit/core';
import { describe, expect, it } from 'vitest';
import { buildProto } from '../../../passes/test/passes/support/build-model.js';
import { runCli } from '../../src/index.js';

const fixture = fileURLToPath(new URL('../../../../fixtures/trained/detr_original.onnx', import.meta.url));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe.skipIf(!fs.existsSync(fixture))('trtkit optimize / lint', () => {
  it('optimize --passes removeAuxHeads,fixGather --verify --json writes a smaller model and reports', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trtkit-opt-'));
    const out = path.join(dir, 'out.onnx');
    const c = capture();
    const code = await runCli(
      ['optimize', fixture, '-o', out, '--passes', 'removeAuxHeads,fixGather', '--verify', '--json'],
      c.io,
    );
    expect(c.err).toEqual([]);
    expect(code).toBe(0);
    const report = JSON.parse(c.out.join('\n'));
    expect(report.verified).toBe(true);
    expect(report.reports.map((r: { pass: string }) => r.pass)).toEqual(['removeAuxHeads', 'fixGather']);
    expect(report.reports[0].nodesRemoved).toBeGreaterThan(0);
    expect(fs.statSync(out).size).toBeGreaterThan(1000);
    // Refuses to overwrite without --force.
    const again = capture();
    expect(await runCli(['optimize', fixture, '-o', out, '--passes', 'fixGather'], again.io)).toBe(1);
    expect(again.err.join('\n')).toMatch(/exists/);
    expect(
      await runCli(['optimize', fixture, '-o', out, '--passes', 'fixGather', '--force'], capture().io),
    ).toBe(0);
    fs.rmSync(dir, { recursive: true });
  });

  it('optimize passes its pass options on: --input-shape freezes, --batch-name renames, --strict fails', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trtkit-opt-'));
    const frozen = path.join(dir, 'frozen.onnx');
    const c = capture();
    const args = ['--passes', 'simplify', '--input-shape', 'pixel_values:1x3x128x128', '--json'];
    expect(await runCli(['optimize', fixture, '-o', frozen, ...args], c.io)).toBe(0);
    expect(JSON.parse(c.out.join('\n')).reports[0].changed).toBe(true);
    const { decodeModel, infoFromValueInfo } = await import('@trtkit/core');
    const input = decodeModel(fs.readFileSync(frozen)).graph?.input[0];
    expect(input && infoFromValueInfo(input).dims).toEqual([1, 3, 128, 128]);
    // dynamicShapes on the frozen model gives the batch back under the requested name.
    const dyn = path.join(dir, 'dyn.onnx');
    const d = capture();
    const code = await runCli(
      ['optimize', frozen, '-o', dyn, '--passes', 'dynamicShapes', '--batch-name', 'images', '--verify'],
      d.io,
    );
    expect(d.err).toEqual([]);
    expect(code).toBe(0);
    const dynIn = decodeModel(fs.readFileSync(dyn)).graph?.input[0];
    expect(dynIn && infoFromValueInfo(dynIn).dims?.[0]).toBe('images');
    // No deformable attention in DETR: --strict turns "nothing to fuse" into an error.
    const s = capture();
    expect(
      await runCli(
        [
          'optimize',
          fixture,
          '-o',
          path.join(dir, 's.onnx'),
          '--passes',
          'fuseDeformableAttention',
          '--strict',
        ],
        s.io,
      ),
    ).toBe(1);
    expect(s.err.join('\n')).toMatch(/PatternNotFound|no .*found|pattern/i);
    // --skip leaves simplify's named sub-steps out: without dead-code removal, fewer nodes go.
    const all = capture();
    const none = capture();
    await runCli(
      ['optimize', fixture, '-o', path.join(dir, 'a.onnx'), '--passes', 'simplify', '--json'],
      all.io,
    );
    await runCli(
      [
        'optimize',
        fixture,
        '-o',
        path.join(dir, 'n.onnx'),
        '--passes',
        'simplify',
        '--skip',
        'fold-constants,dead-code',
        '--json',
      ],
      none.io,
    );
    const removed = (c: ReturnType<typeof capture>) => JSON.parse(c.out.join('\n')).reports[0].nodesRemoved;
    expect(removed(none)).toBeLessThan(removed(all));
    const typo = capture();
    expect(
      await runCli(
        ['optimize', fixture, '-o', path.join(dir, 't.onnx'), '--passes', 'simplify', '--skip', 'nope'],
        typo.io,
      ),
    ).toBe(1);
    expect(typo.err.join('\n')).toMatch(/no simplify step 'nope'[\s\S]*dead-code/);
    // Bad option values are typed errors.
    const bad = capture();
    expect(
      await runCli(
        ['optimize', fixture, '-o', path.join(dir, 'b.onnx'), '--passes', 'sanitize', '--tensorrt', '9'],
        bad.io,
      ),
    ).toBe(1);
    expect(bad.err.join('\n')).toMatch(/--tensorrt must be 10 or 11/);
    fs.rmSync(dir, { recursive: true });
  });

  it('optimize --passes toMixedPrecision takes --keep-fp32, --calibrate and --io-dtype', async () => {
    const seg = fileURLToPath(new URL('../../../../fixtures/trained/segformer.onnx', import.meta.url));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trtkit-fp16-'));
    const { decodeModel } = await import('@trtkit/core');
    const convWeightsHalf = (file: string) => {
      const g = decodeModel(fs.readFileSync(file)).graph;
      const inits = new Map((g?.initializer ?? []).map((t) => [t.name, t.dataType]));
      return (g?.node ?? []).filter((n) => n.opType === 'Conv' && inits.get(n.input[1] ?? '') === 10).length;
    };
    const plain = path.join(dir, 'half.onnx');
    expect(
      await runCli(
        ['optimize', seg, '-o', plain, '--passes', 'toMixedPrecision', '--calibrate'],
        capture().io,
      ),
    ).toBe(0);
    expect(convWeightsHalf(plain)).toBeGreaterThan(0);
    const kept = path.join(dir, 'kept.onnx');
    const c = capture();
    expect(
      await runCli(
        ['optimize', seg, '-o', kept, '--passes', 'toMixedPrecision', '--keep-fp32', 'Conv', '--json'],
        c.io,
      ),
    ).toBe(0);
    expect(convWeightsHalf(kept)).toBe(0);
    const bad = capture();
    expect(
      await runCli(
        [
          'optimize',
          seg,
          '-o',
          path.join(dir, 'b.onnx'),
          '--passes',
          'toMixedPrecision',
          '--io-dtype',
          'int8',
        ],
        bad.io,
      ),
    ).toBe(1);
    expect(bad.err.join('\n')).toMatch(/--io-dtype must be keep or float16/);
    fs.rmSync(dir, { recursive: true });
  });

  it('optimize names the known passes on an unknown one', async () => {
    const c = capture();
    expect(await runCli(['optimize', fixture, '-o', '/tmp/x.onnx', '--passes', 'nope'], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/unknown pass 'nope'[\s\S]*removeAuxHeads/);
  });

  it('lint names the node TensorRT cannot build and exits 1 (--json lists findings)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trtkit-lint-'));
    const file = path.join(dir, 'aten.onnx');
    const proto = buildProto({
      opset: 17,
      inputs: [{ name: 'x', dims: [4] }],
      outputs: [{ name: 'y', dims: [4] }],
      nodes: [{ op: 'ATen', inputs: ['x'], outputs: ['y'], domain: 'org.pytorch.aten' }],
    });
    fs.writeFileSync(file, encodeModel(proto));
    const c = capture();
    expect(await runCli(['lint', file, '--json'], c.io)).toBe(1);
    const report = JSON.parse(c.out.join('\n'));
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ opType: 'ATen', rule: 'aten' });
    fs.rmSync(dir, { recursive: true });
  });

  it('lint exits 0 on a clean model and 2 on a bad --tensorrt', async () => {
    const c = capture();
    expect(await runCli(['lint', fixture, '--tensorrt', '10'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/no findings/);
    expect(await runCli(['lint', fixture, '--tensorrt', '7'], capture().io)).toBe(1);
  });
});
