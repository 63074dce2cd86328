import { describe, expect, it } from 'vitest';
import { runCli } from '../src/index.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('trtkit CLI', () => {
  it('lists commands and fails on an unknown one', async () => {
    const c = capture();
    expect(await runCli(['nope'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/unknown command 'nope'/);
    expect(c.out.join('\n')).toMatch(/doctor/);
  });
  it('doctor --json reports the native build status', async () => {
    const c = capture();
    expect(await runCli(['doctor', '--json'], c.io)).toBe(0);
    const report = JSON.parse(c.out.join('\n'));
    expect(report.node).toBe(process.version);
    expect(typeof report.cudaAddon.built).toBe('boolean');
  });
  it('rejects unknown flags with usage and exit 2', async () => {
    const c = capture();
    expect(await runCli(['doctor', '--bogus'], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(/Usage|trtkit doctor/);
  });
});
