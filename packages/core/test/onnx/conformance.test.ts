import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { equals, fromBinary } from '@bufbuild/protobuf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeModel,
  encodeModel,
  isExternal,
  ModelProtoSchema,
  readModel,
  tensorBytes,
  writeModel,
} from '../../src/index.js';
import { conformanceModels, fixtureModels } from './corpus.js';

const conformance = conformanceModels();
const fixtures = fixtureModels();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

describe('ONNX conformance data round trip', () => {
  it('finds the conformance models', () => {
    expect(conformance.length).toBeGreaterThan(1000);
  });

  it('decodes every model, and encode(decode(x)) is x byte for byte or parses to an equal message', () => {
    let identical = 0;
    const notEqual: string[] = [];
    for (const file of conformance) {
      const bytes = fs.readFileSync(file);
      const model = decodeModel(bytes);
      // The fast decoder must build what protobuf-es builds.
      if (!equals(ModelProtoSchema, model, fromBinary(ModelProtoSchema, bytes)))
        notEqual.push(`${file} (decoder)`);
      const again = encodeModel(model);
      if (sameBytes(again, bytes)) identical++;
      else if (
        !equals(ModelProtoSchema, fromBinary(ModelProtoSchema, again), fromBinary(ModelProtoSchema, bytes))
      ) {
        notEqual.push(file);
      }
    }
    expect(notEqual).toEqual([]);
    console.log(`[codec] ${identical}/${conformance.length} conformance models re-encode byte-identical`);
    expect(identical).toBe(conformance.length);
  });
});

describe('repository fixtures round trip', () => {
  it.runIf(fixtures.length > 0)(
    'decodes every fixture and re-encodes it to equal bytes or an equal message',
    async () => {
      for (const file of fixtures) {
        const loaded = await readModel(file);
        const bytes = fs.readFileSync(file);
        const again = encodeModel(loaded.model);
        if (!sameBytes(again, bytes)) {
          expect(equals(ModelProtoSchema, decodeModel(again), decodeModel(bytes)), file).toBe(true);
        }
        loaded.externalData.close();
      }
    },
  );
});

describe('writeModel output decodes to the same message', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trtkit-codec-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Models with weights exercise the chunked path; every fixture plus the conformance models that have initializers.
  // Models whose weights are already external keep them external on write (a new .data file), so byte identity with
  // encodeModel does not apply to them; they have their own test below.
  const withWeights = [...fixtures, ...conformance].filter((f) => {
    const m = decodeModel(fs.readFileSync(f));
    return (m.graph?.initializer.length ?? 0) > 0 && !m.graph!.initializer.some(isExternal);
  });
  const alreadyExternal = fixtures.filter((f) =>
    decodeModel(fs.readFileSync(f)).graph!.initializer.some(isExternal),
  );

  it('external fixtures: weights read back identical after inlining and after re-externalising', async () => {
    expect(alreadyExternal.length).toBeGreaterThan(0);
    for (const [i, file] of alreadyExternal.entries()) {
      const src = await readModel(file);
      const want = (src.model.graph?.initializer ?? []).map((t) => tensorBytes(t, src.externalData));
      for (const externalData of [false, { location: `re-${i}.bin`, threshold: 0 }] as const) {
        const out = path.join(dir, `extfx-${i}-${externalData ? 'ext' : 'inline'}.onnx`);
        await writeModel(out, src.model, { store: src.externalData, externalData });
        const back = await readModel(out);
        const inits = back.model.graph?.initializer ?? [];
        expect(inits.some(isExternal), out).toBe(externalData !== false);
        inits.forEach((t, k) => {
          expect(sameBytes(tensorBytes(t, back.externalData), want[k]!), `${file} ${t.name}`).toBe(true);
        });
        back.externalData.close();
      }
      src.externalData.close();
    }
  });

  it('finds models with initializers', () => {
    expect(withWeights.length).toBeGreaterThan(5);
  });

  it('inline: the chunked writer produces exactly encodeModel bytes', async () => {
    for (const [i, file] of withWeights.entries()) {
      const loaded = await readModel(file);
      const out = path.join(dir, `inline-${i}.onnx`);
      await writeModel(out, loaded.model, { store: loaded.externalData });
      const written = fs.readFileSync(out);
      expect(sameBytes(written, encodeModel(loaded.model)), file).toBe(true);
      loaded.externalData.close();
    }
  });

  it('lazy weights: left in the file, read on demand, written back byte for byte', async () => {
    let lazy = 0;
    for (const [i, file] of withWeights.entries()) {
      const eager = await readModel(file);
      const loaded = await readModel(file, { lazyWeights: 1 });
      lazy += loaded.lazyTensors;
      const eagerInits = eager.model.graph?.initializer ?? [];
      for (const [k, t] of (loaded.model.graph?.initializer ?? []).entries()) {
        const e = eagerInits[k] as (typeof eagerInits)[number];
        if (isExternal(t) && !isExternal(e)) {
          expect(sameBytes(tensorBytes(t, loaded.externalData), e.rawData), `${file} ${t.name}`).toBe(true);
        }
      }
      const out = path.join(dir, `lazy-${i}.onnx`);
      await writeModel(out, loaded.model, { store: loaded.externalData });
      expect(sameBytes(fs.readFileSync(out), fs.readFileSync(file)), file).toBe(true);
      loaded.externalData.close();
      eager.externalData.close();
    }
    expect(lazy).toBeGreaterThan(10);
  });

  it('external: weights move to one aligned file and back, messages stay equal', async () => {
    for (const [i, file] of withWeights.entries()) {
      const loaded = await readModel(file);
      const out = path.join(dir, `ext-${i}.onnx`);
      const res = await writeModel(out, loaded.model, {
        store: loaded.externalData,
        externalData: { location: `ext-${i}.bin`, threshold: 0 },
      });
      const back = await readModel(out);
      const tensors = back.model.graph?.initializer ?? [];
      // Every tensor that had raw_data moved out; typed-field tensors stay in place.
      const raw = (loaded.model.graph?.initializer ?? []).filter((t) => Object.hasOwn(t, 'rawData')).length;
      expect(res.externalTensors).toBe(raw);
      expect(tensors.filter((t) => t.dataLocation === 1).length).toBe(raw);
      // Bring the weights back in, then compare with the original message.
      const inl = path.join(dir, `ext-${i}-inline.onnx`);
      await writeModel(inl, back.model, { store: back.externalData });
      const again = await readModel(inl);
      expect(equals(ModelProtoSchema, again.model, loaded.model), file).toBe(true);
      for (const l of [loaded, back, again]) l.externalData.close();
    }
  });
});
