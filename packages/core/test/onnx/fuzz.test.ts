import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { equals, fromBinary, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, ModelProtoSchema, OnnxDecodeError, readModel } from '../../src/index.js';
import { conformanceModels, fixtureModels } from './corpus.js';

/** mulberry32: a small seeded PRNG so every run mutates the same way. */
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

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

type Mutation = (src: Uint8Array, rnd: () => number, pick: () => Uint8Array) => Uint8Array;
const int = (rnd: () => number, n: number) => Math.floor(rnd() * n);

const MUTATIONS: Record<string, Mutation> = {
  bitFlips(src, rnd) {
    const out = Uint8Array.from(src);
    const flips = 1 + int(rnd, 8);
    for (let i = 0; i < flips && out.length > 0; i++) out[int(rnd, out.length)]! ^= 1 << int(rnd, 8);
    return out;
  },
  truncate(src, rnd) {
    return src.subarray(0, int(rnd, src.length));
  },
  splice(src, rnd, pick) {
    const other = pick();
    const a = int(rnd, src.length + 1);
    const b = int(rnd, other.length + 1);
    const out = new Uint8Array(a + other.length - b);
    out.set(src.subarray(0, a));
    out.set(other.subarray(b), a);
    return out;
  },
  absurdLength(src, rnd) {
    // Overwrite a few bytes with a huge varint, as a corrupted length prefix looks.
    const at = int(rnd, src.length);
    const big = varint([0x7fffffff, 0xffffffff, 2 ** 40, 2 ** 53 - 1, 1 + int(rnd, 1 << 20)][int(rnd, 5)]!);
    const out = new Uint8Array(src.length + big.length);
    out.set(src.subarray(0, at));
    out.set(big, at);
    out.set(src.subarray(at), at + big.length);
    return out;
  },
  garbage(_src, rnd) {
    const out = new Uint8Array(int(rnd, 512));
    for (let i = 0; i < out.length; i++) out[i] = int(rnd, 256);
    return out;
  },
  duplicateRange(src, rnd) {
    const a = int(rnd, src.length);
    const b = a + int(rnd, Math.min(64, src.length - a) + 1);
    const at = int(rnd, src.length);
    const out = new Uint8Array(src.length + b - a);
    out.set(src.subarray(0, at));
    out.set(src.subarray(a, b), at);
    out.set(src.subarray(at), at + b - a);
    return out;
  },
};

describe('decodeModel on mutated bytes', () => {
  // Fixtures plus a seeded sample of conformance models (bounded size keeps the run short).
  const files = [...fixtureModels(), ...conformanceModels()];
  const seeds = files.map((f) => new Uint8Array(fs.readFileSync(f))).filter((b) => b.length < 64 * 1024);

  it('yields a model or an OnnxDecodeError, never anything else', () => {
    expect(seeds.length).toBeGreaterThan(100);
    const rnd = prng(20261122);
    const pick = () => seeds[int(rnd, seeds.length)]!;
    const names = Object.keys(MUTATIONS);
    const counts = { ok: 0, rejected: 0 };
    const offsets = new Set<number>();
    const started = Date.now();
    const CASES = 25_000;
    for (let i = 0; i < CASES; i++) {
      const name = names[i % names.length]!;
      const src = pick();
      const bytes = (MUTATIONS[name] as Mutation)(src, rnd, pick);
      try {
        const m = decodeModel(bytes);
        // Whatever decodes must decode as protobuf-es decodes it, and encode the same way.
        const reference = fromBinary(ModelProtoSchema, bytes);
        if (
          !equals(ModelProtoSchema, m, reference) ||
          !sameBytes(encodeModel(m), toBinary(ModelProtoSchema, reference))
        ) {
          throw new Error(`mutation ${name} #${i} decoded differently from protobuf-es`);
        }
        counts.ok++;
      } catch (e) {
        if (!(e instanceof OnnxDecodeError)) {
          throw new Error(
            `mutation ${name} #${i} threw ${String(e)} (bytes: ${Buffer.from(bytes).toString('base64')})`,
          );
        }
        expect(e._tag).toBe('OnnxDecodeError');
        if (e.offset !== undefined) {
          expect(e.offset).toBeGreaterThanOrEqual(0);
          expect(e.offset).toBeLessThanOrEqual(bytes.length);
          offsets.add(e.offset);
        }
        counts.rejected++;
      }
    }
    console.log(
      `[fuzz] ${CASES} cases in ${Date.now() - started} ms: ${counts.ok} decoded, ${counts.rejected} rejected`,
    );
    // Both outcomes must occur, or the mutations are not exercising the decoder.
    expect(counts.rejected).toBeGreaterThan(CASES / 10);
    expect(counts.ok).toBeGreaterThan(CASES / 20);
  });

  it('readModel with lazy weights sees the same: a model or a typed error', async () => {
    // The lazy path walks the file itself before decoding; mutated models with weights exercise it.
    const withWeights = seeds.filter((b) => {
      try {
        return (decodeModel(b).graph?.initializer.length ?? 0) > 0;
      } catch {
        return false;
      }
    });
    expect(withWeights.length).toBeGreaterThan(5);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trtkit-fuzz-'));
    const rnd = prng(7);
    const file = path.join(dir, 'm.onnx');
    let ok = 0;
    try {
      for (let i = 0; i < 600; i++) {
        const src = withWeights[int(rnd, withWeights.length)] as Uint8Array;
        const mutate = [MUTATIONS.bitFlips, MUTATIONS.truncate, MUTATIONS.absurdLength][i % 3] as Mutation;
        fs.writeFileSync(
          file,
          mutate(src, rnd, () => src),
        );
        try {
          const loaded = await readModel(file, { lazyWeights: 1 });
          loaded.externalData.close();
          ok++;
        } catch (e) {
          if (!(e instanceof OnnxDecodeError)) throw new Error(`lazy read #${i} threw ${String(e)}`);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(ok).toBeGreaterThan(0);
  });

  it('rejects specific malformed inputs with the offset of the problem', () => {
    // ModelProto.ir_version (field 1, varint) sent as length-delimited: wrong wire type at byte 0.
    expect(() => decodeModel(Uint8Array.of(0x0a, 0x01, 0x00))).toThrow(OnnxDecodeError);
    const e = thrown(() => decodeModel(Uint8Array.of(0x08, 0x07, 0x0a, 0x01, 0x00)));
    expect(e).toBeInstanceOf(OnnxDecodeError);
    expect((e as OnnxDecodeError).offset).toBe(2);
    expect((e as Error).message).toMatch(/wire type/);
    // graph (field 7) claiming 2^31 bytes in a 6-byte buffer.
    const absurd = Uint8Array.of(0x3a, ...varint(2 ** 31));
    expect(() => decodeModel(absurd)).toThrow(/exceeds/);
    // truncated varint
    expect(() => decodeModel(Uint8Array.of(0x08, 0xff, 0xff))).toThrow(OnnxDecodeError);
    // field number 0
    expect(() => decodeModel(Uint8Array.of(0x00, 0x00))).toThrow(/field number 0/);
  });

  it('limits nesting depth instead of overflowing the stack', () => {
    // Graph -> Node -> Attribute -> Graph ... 2,000 levels deep, built from the inside out.
    let inner = new Uint8Array(0);
    const wrap = (field: number, body: Uint8Array) =>
      Uint8Array.of(field * 8 + 2, ...varint(body.length), ...body);
    for (let i = 0; i < 700; i++) {
      const attr = wrap(6, inner); // AttributeProto.g
      const node = wrap(5, attr); // NodeProto.attribute
      inner = wrap(1, node); // GraphProto.node
    }
    const model = wrap(7, inner);
    expect(() => decodeModel(model)).toThrow(/nested deeper/);
  });
});
