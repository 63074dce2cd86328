import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, inferShapes, Model, TrtkitError } from '../../src/index.js';
import { conformanceModels, fixtureModels } from '../onnx/corpus.js';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Bytes that still decode but describe broken graphs (renamed tensors, cut lists, swapped fields) must reach the
// user as typed errors from the IR and shape inference, never as crashes.
describe('IR and shape inference on mutated models', () => {
  const seeds = [...fixtureModels(), ...conformanceModels()]
    .map((f) => new Uint8Array(fs.readFileSync(f)))
    .filter((b) => b.length < 64 * 1024);

  it('build, infer and encode, or throw a TrtkitError', () => {
    const rnd = prng(20261123);
    const counts = { built: 0, typed: 0, undecodable: 0 };
    for (let i = 0; i < 4000; i++) {
      const src = seeds[Math.floor(rnd() * seeds.length)] as Uint8Array;
      const bytes = Uint8Array.from(src);
      const flips = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < flips; k++) bytes[Math.floor(rnd() * bytes.length)]! ^= 1 << Math.floor(rnd() * 8);
      let proto: ReturnType<typeof decodeModel>;
      try {
        proto = decodeModel(bytes);
      } catch {
        counts.undecodable++;
        continue;
      }
      try {
        const m = Model.fromProto(proto);
        inferShapes(m);
        encodeModel(m.toProto());
        counts.built++;
      } catch (e) {
        if (!(e instanceof TrtkitError))
          throw new Error(`case ${i}: ${String(e)} (${Buffer.from(bytes).toString('base64')})`);
        counts.typed++;
      }
    }
    console.log(`[fuzz-ir] ${JSON.stringify(counts)}`);
    expect(counts.built).toBeGreaterThan(100);
    expect(counts.typed).toBeGreaterThan(10);
  });
});
