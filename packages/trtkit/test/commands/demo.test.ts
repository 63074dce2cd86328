import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadImage } from '@trtkit/models';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/index.js';

describe('trtkit demo (the README main job)', () => {
  it('optimises the bundled models with verification, runs them and writes an annotated PNG', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'trtkit-demo-')), 'demo.png');
    const lines: string[] = [];
    const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
    expect(await runCli(['demo', '--out', out], io)).toBe(0);
    const text = lines.join('\n');
    expect(text).toMatch(/removeAuxHeads\s+-\d+/);
    expect(text).toMatch(/fuseDeformableAttention\s+-\d+ \+\d+ nodes: 5 MSDA/);
    expect(text).toMatch(/detect {3}(circle|square|triangle) \d+%/);
    expect(text).toMatch(/segment {2}square|segment {2}circle|segment {2}triangle/);
    const png = await loadImage(out);
    expect([png.width, png.height]).toEqual([512, 512]);
    // A second run must not replace the file unless asked.
    expect(await runCli(['demo', '--out', out], io)).toBe(1);
    expect(await runCli(['demo', '--out', out, '--force'], io)).toBe(0);
  });
});
