import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// Same path logic as scripts/ensure-test-data.mjs (run by `npm test`, it installs the data when missing).
export const ONNX_TEST_DATA = process.env.ONNX_TEST_DATA ?? '/usr/include/onnx/backend/test/data';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Every file under `dir` (following symlinks) whose name passes `want`, sorted for stable test order. */
export function findFiles(dir: string, want: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = fs.readdirSync(d);
    } catch {
      return;
    }
    for (const name of entries) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = path.join(d, name);
      const st = fs.statSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p);
      else if (st?.isFile() && want(name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** The ~1,070 model.onnx files of the ONNX conformance data. */
export function conformanceModels(): string[] {
  return findFiles(ONNX_TEST_DATA, (n) => n === 'model.onnx');
}

/** Every .onnx committed under fixtures/ (whatever exists when the tests run). */
export function fixtureModels(): string[] {
  return findFiles(path.join(REPO_ROOT, 'fixtures'), (n) => n.endsWith('.onnx'));
}
