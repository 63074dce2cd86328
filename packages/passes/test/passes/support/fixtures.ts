// Real exports from the fixture zoo (fixtures/<family>/<variant>.onnx), when present in this checkout.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  decodeModel,
  isExternal,
  type ModelProto,
  Model as PModel,
  readModel,
  TensorProto_DataLocation,
  tensorBytes,
} from '@trtkit/core';

export const FIXTURES = fileURLToPath(new URL('../../../../../fixtures/', import.meta.url));

export function fixturePath(rel: string): string | undefined {
  const p = `${FIXTURES}${rel}`;
  return fs.existsSync(p) ? p : undefined;
}

export function loadFixture(rel: string): PModel {
  const p = fixturePath(rel);
  if (!p) throw new Error(`fixture ${rel} missing`);
  return PModel.fromProto(decodeModel(fs.readFileSync(p)));
}

/** A fixture as ModelProto with any external weights read in, so it can be passed to a backend as bytes. */
export async function loadFixtureProto(rel: string): Promise<ModelProto> {
  const p = fixturePath(rel);
  if (!p) throw new Error(`fixture ${rel} missing`);
  const loaded = await readModel(p);
  for (const t of loaded.model.graph?.initializer ?? []) {
    if (!isExternal(t)) continue;
    t.rawData = new Uint8Array(tensorBytes(t, loaded.externalData));
    t.dataLocation = TensorProto_DataLocation.DEFAULT;
    t.externalData = [];
  }
  loaded.externalData.close();
  return loaded.model;
}

interface ManifestEntry {
  readonly file?: string;
  readonly family?: string;
  readonly ortCheck?: { readonly error?: string };
  readonly modelConfig?: Readonly<Record<string, unknown>>;
}

const manifest = (): ManifestEntry[] => {
  const file = `${FIXTURES}manifest.json`;
  if (!fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { fixtures: ManifestEntry[] }).fixtures;
};

/** The zoo manifest's entry for a fixture (family, exporter, model config, ORT check), if recorded. */
export function manifestEntry(rel: string): ManifestEntry | undefined {
  return manifest().find((f) => f.file === rel);
}

/**
 * Fixtures ONNX Runtime refuses to run (the TorchScript exporter's GridSample at opsets 16/17): nothing can verify a pass
 * on them, so the suites leave them out. The manifest records each refusal.
 */
export const ORT_REFUSES: ReadonlySet<string> = (() => {
  return new Set(
    manifest()
      .filter((f) => f.file && f.ortCheck?.error)
      .map((f) => f.file as string),
  );
})();

/**
 * Gaps the fixture zoo exposes, per suite: each listed fixture runs with `it.fails`, so the gap stays visible and the
 * test turns red (asking for the entry to go) once it is fixed. Empty since the passes run on core's IR and shape
 * inference: the earlier gaps (fixGather ranks, opset-14 LayerNorm, the chain on TorchScript exports) all closed.
 */
export const KNOWN_GAPS: Readonly<Record<string, readonly string[]>> = {};

/** Splits fixtures into those expected to pass and the suite's known gaps. */
export function splitGaps(list: readonly string[], suite: string): [string[], string[]] {
  const gaps = new Set(KNOWN_GAPS[suite] ?? []);
  return [list.filter((f) => !gaps.has(f)), list.filter((f) => gaps.has(f))];
}

/**
 * Fixture files (relative to fixtures/) whose path matches `re`, leaving out those ONNX Runtime refuses unless
 * asked (they run once their deformable attention is fused).
 */
export function listFixtures(re: RegExp, options: { includeRefused?: boolean } = {}): string[] {
  if (!fs.existsSync(FIXTURES)) return [];
  const out: string[] = [];
  for (const dir of fs.readdirSync(FIXTURES)) {
    const full = `${FIXTURES}${dir}`;
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full))
      if (
        f.endsWith('.onnx') &&
        re.test(`${dir}/${f}`) &&
        (options.includeRefused || !ORT_REFUSES.has(`${dir}/${f}`))
      )
        out.push(`${dir}/${f}`);
  }
  return out.sort();
}
