import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeModel, encodeModel, isExternal, readModel, tensorBytes } from '@trtkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

// A conformance model with float initializers in raw_data (present wherever libonnx-testdata is installed).
const DATA = process.env.ONNX_TEST_DATA ?? '/usr/include/onnx/backend/test/data';
const SOURCE = path.join(DATA, 'pytorch-converted/test_Conv2d/model.onnx');

describe('trtkit convert', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trtkit-convert-'));
    fs.copyFileSync(SOURCE, path.join(dir, 'in.onnx'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips a model to identical bytes', async () => {
    const c = capture();
    expect(await runCli(['convert', path.join(dir, 'in.onnx'), path.join(dir, 'same.onnx')], c.io)).toBe(0);
    expect(Buffer.compare(fs.readFileSync(path.join(dir, 'same.onnx')), fs.readFileSync(SOURCE))).toBe(0);
  });

  it('moves weights to external data and back in, keeping every value', async () => {
    const c = capture();
    const ext = path.join(dir, 'ext.onnx');
    expect(
      await runCli(
        ['convert', path.join(dir, 'in.onnx'), ext, '--external-data', 'ext.bin', '--threshold', '0'],
        c.io,
      ),
    ).toBe(0);
    expect(c.out.join('\n')).toMatch(/ext\.bin/);
    const loaded = await readModel(ext);
    const inits = loaded.model.graph?.initializer ?? [];
    expect(inits.length).toBeGreaterThan(0);
    expect(inits.every(isExternal)).toBe(true);
    const original = decodeModel(fs.readFileSync(SOURCE)).graph?.initializer ?? [];
    inits.forEach((t, i) => {
      expect(Buffer.compare(tensorBytes(t, loaded.externalData), tensorBytes(original[i] as typeof t))).toBe(
        0,
      );
    });
    loaded.externalData.close();
    // Without a flag, external data stays external (in <out>.data); --inline brings it back byte for byte.
    expect(
      await runCli(['convert', ext, path.join(dir, 'kept.onnx'), '--threshold', '0'], capture().io),
    ).toBe(0);
    expect(fs.existsSync(path.join(dir, 'kept.onnx.data'))).toBe(true);
    expect(await runCli(['convert', ext, path.join(dir, 'back.onnx'), '--inline'], capture().io)).toBe(0);
    expect(Buffer.compare(fs.readFileSync(path.join(dir, 'back.onnx')), fs.readFileSync(SOURCE))).toBe(0);
  });

  it('refuses to overwrite without --force and reports bad input as typed errors', async () => {
    const out = path.join(dir, 'taken.onnx');
    fs.writeFileSync(out, 'mine');
    let c = capture();
    expect(await runCli(['convert', path.join(dir, 'in.onnx'), out], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/already exists/);
    expect(fs.readFileSync(out, 'utf8')).toBe('mine');
    expect(await runCli(['convert', path.join(dir, 'in.onnx'), out, '--force'], capture().io)).toBe(0);
    expect(encodeModel(decodeModel(fs.readFileSync(out))).length).toBe(fs.statSync(SOURCE).size);

    fs.writeFileSync(path.join(dir, 'junk.onnx'), Buffer.from('not a model at all'));
    c = capture();
    expect(await runCli(['convert', path.join(dir, 'junk.onnx'), path.join(dir, 'j.onnx')], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/invalid ONNX protobuf/);
    c = capture();
    expect(await runCli(['convert', path.join(dir, 'in.onnx')], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/exactly/);
    c = capture();
    expect(
      await runCli(['convert', path.join(dir, 'in.onnx'), out, '--inline', '--external-data', 'x.bin'], c.io),
    ).toBe(1);
  });
});
