import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The bin shim in a scratch package whose dist/cli.js reports what the CLI would see.
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trtkit-bin-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist'));
  copyFileSync(join(__dirname, '..', 'bin', 'trtkit.cjs'), join(dir, 'bin', 'trtkit.cjs'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(
    join(dir, 'dist', 'cli.js'),
    "import { stat } from 'node:fs'; import { pbkdf2 } from 'node:crypto';\n" +
      // Five slow pool jobs, then a cheap one: it finishes at once only if the pool has more than 5 threads.
      "const t = performance.now(); for (let i = 0; i < 5; i++) pbkdf2('x', 'y', 2e6, 32, 'sha256', () => {});\n" +
      "stat('.', () => console.log(JSON.stringify({ size: process.env.UV_THREADPOOL_SIZE, ms: performance.now() - t, argv: process.argv.slice(2) })));\n",
  );
  return dir;
}

describe('trtkit bin shim', () => {
  it('sizes libuv’s pool to the cores before the CLI loads, and leaves a size the user set', () => {
    const dir = scratch();
    const env = { ...process.env };
    delete env.UV_THREADPOOL_SIZE;
    const run = (e: NodeJS.ProcessEnv) =>
      JSON.parse(
        spawnSync(process.execPath, [join(dir, 'bin', 'trtkit.cjs'), 'infer', 'x.jpg'], {
          env: e,
          encoding: 'utf8',
        }).stdout,
      );
    const auto = run(env);
    expect(auto.size).toBe(String(Math.min(availableParallelism(), 64)));
    expect(auto.argv).toEqual(['infer', 'x.jpg']);
    const own = run({ ...env, UV_THREADPOOL_SIZE: '8' });
    expect(own.size).toBe('8');
    // The size took effect: with 8 threads the cheap job does not wait behind the five slow ones.
    const slowJob = run({ ...env, UV_THREADPOOL_SIZE: '2' });
    expect(own.ms).toBeLessThan(slowJob.ms);
  });

  it('takes --image-threads N anywhere on the line, removes it, and refuses bad values', () => {
    const dir = scratch();
    const bin = join(dir, 'bin', 'trtkit.cjs');
    const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
    const a = JSON.parse(run(['infer', '--image-threads', '3', 'x.jpg']).stdout);
    expect(a).toMatchObject({ size: '3', argv: ['infer', 'x.jpg'] });
    const b = JSON.parse(run(['--image-threads=12', 'eval']).stdout);
    expect(b).toMatchObject({ size: '12', argv: ['eval'] });
    for (const bad of [
      ['--image-threads', 'many'],
      ['--image-threads'],
      ['--image-threads=0'],
      ['--image-threads', '5000'],
    ]) {
      const r = run(['infer', ...bad]);
      expect(r.status, bad.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--image-threads takes a whole number/);
    }
  });
});
