import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRootFrom } from '../src/package-root.js';

describe('packageRootFrom', () => {
  it('finds the nearest package.json above a folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trtkit-root-'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{}');
    fs.mkdirSync(path.join(dir, 'dist', 'deep'), { recursive: true });
    expect(packageRootFrom(path.join(dir, 'dist', 'deep'))).toBe(dir);
  });

  it('returns the starting folder when no package.json exists up to the root (a bundle copied to /tmp)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trtkit-noroot-'));
    // os.tmpdir() normally has no package.json above it; if one exists, the nearest one is the answer.
    const want = (() => {
      let d = dir;
      for (;;) {
        if (fs.existsSync(path.join(d, 'package.json'))) return d;
        const up = path.dirname(d);
        if (up === d) return dir;
        d = up;
      }
    })();
    expect(packageRootFrom(dir)).toBe(want);
  });
});
