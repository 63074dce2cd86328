// Real exports from the fixture zoo (fixtures/<family>/<variant>.onnx), when present in this checkout.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeModel } from '@trtkit/core';
import { PModel } from '../../../src/pass/graph/proto-model.js';

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

/** Fixture files (relative to fixtures/) whose path matches `re`. */
export function listFixtures(re: RegExp): string[] {
  if (!fs.existsSync(FIXTURES)) return [];
  const out: string[] = [];
  for (const dir of fs.readdirSync(FIXTURES)) {
    const full = `${FIXTURES}${dir}`;
    if (!fs.statSync(full).isDirectory()) continue;
    for (const f of fs.readdirSync(full))
      if (f.endsWith('.onnx') && re.test(`${dir}/${f}`)) out.push(`${dir}/${f}`);
  }
  return out.sort();
}
