import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeNpy,
  decodeNpz,
  encodeNpz,
  FileError,
  NpyFormatError,
  readTensors,
  tensor,
  writeNpz,
} from '../../src/index.js';

// Files in data/ were written by numpy 2.4 (np.save / np.savez / np.savez_compressed); expected.json holds the values.
const data = join(__dirname, 'data');
const expected = JSON.parse(readFileSync(join(data, 'expected.json'), 'utf8'));
const hasNumpy = (() => {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const load = (f: string) => decodeNpy(new Uint8Array(readFileSync(join(data, f))), f);

describe('.npy written by numpy', () => {
  it('reads float32 in C and Fortran order to the same C-order values', () => {
    for (const f of ['f32_c.npy', 'f32_fortran.npy']) {
      const t = load(f);
      expect(t.dtype).toBe('float32');
      expect(t.dims).toEqual(expected.f32_shape);
      expect([...(t.data as Float32Array)]).toEqual(expected.f32.map(Math.fround));
    }
  });
  it('reads big-endian float64, int64, uint8, bool, float16 bits and 0-d arrays', () => {
    expect([...(load('f64_be.npy').data as Float64Array)]).toEqual(expected.f64_be);
    expect([...(load('i64.npy').data as BigInt64Array)].map(Number)).toEqual(expected.i64);
    expect([...(load('u8.npy').data as Uint8Array)]).toEqual(expected.u8);
    expect(load('bool.npy')).toMatchObject({ dtype: 'bool', dims: [2, 2] });
    expect([...(load('bool.npy').data as Uint8Array)]).toEqual([1, 0, 0, 1]);
    expect([...(load('f16.npy').data as Uint16Array)]).toEqual(expected.f16_bits);
    const s = load('scalar.npy');
    expect(s.dims).toEqual([]);
    expect(s.data[0]).toBe(3.25);
  });
  it('refuses object arrays and garbage with typed errors', () => {
    expect(() => load('objects.npy')).toThrow(NpyFormatError);
    expect(() => load('objects.npy')).toThrow(/object and string arrays cannot be read/);
    expect(() => decodeNpy(new Uint8Array([1, 2, 3]))).toThrow(/bad magic/);
    const cut = new Uint8Array(readFileSync(join(data, 'f32_c.npy'))).subarray(0, 200);
    expect(() => decodeNpy(cut)).toThrow(/truncated/);
  });
});

describe('.npz', () => {
  it('reads stored and deflated archives from numpy', () => {
    for (const f of ['plain.npz', 'compressed.npz']) {
      const m = readTensors(join(data, f));
      expect(Object.keys(m)).toEqual(['x', 'idx']);
      expect([...(m.x!.data as Float32Array)]).toEqual(expected.f32.map(Math.fround));
      expect(m.idx).toMatchObject({ dtype: 'int32', dims: [2, 3] });
    }
  });
  it('round-trips our own archives, compressed or not', () => {
    const tensors = {
      a: tensor('float32', [2, 2], new Float32Array([1, 2, 3, 4])),
      b: tensor('int64', [3], new BigInt64Array([1n, -2n, 3n])),
      c: tensor('bool', [1], new Uint8Array([1])),
    };
    for (const compress of [false, true]) {
      const back = decodeNpz(encodeNpz(tensors, compress));
      expect(back).toEqual(tensors);
    }
  });
  it.runIf(hasNumpy)('writes files numpy can read back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trtkit-npz-'));
    const file = join(dir, 'out.npz');
    writeNpz(
      file,
      { w: tensor('float32', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6.5])) },
      { compress: true },
    );
    const py = 'import numpy as np,sys; z=np.load(sys.argv[1]); print(z["w"].shape, float(z["w"].sum()))';
    expect(execFileSync('python3', ['-c', py, file], { encoding: 'utf8' }).trim()).toBe('(2, 3) 21.5');
    writeFileSync(join(dir, 'keep.npz'), 'mine');
    expect(() => writeNpz(join(dir, 'keep.npz'), {})).toThrow(FileError);
    expect(readFileSync(join(dir, 'keep.npz'), 'utf8')).toBe('mine');
  });
  it('refuses corrupt archives with typed errors, never a crash', () => {
    const bytes = new Uint8Array(readFileSync(join(data, 'compressed.npz')));
    for (let cut = 0; cut < bytes.length; cut += 37) {
      const broken = bytes.slice(0, cut);
      expect(() => decodeNpz(broken)).toThrow(NpyFormatError);
    }
  });
});
