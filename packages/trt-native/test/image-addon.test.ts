import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type ImageAxisTaps, loadImageAddon, nativeStatus } from '../src/index.js';

const hasCmake = spawnSync('sh', ['-c', 'command -v cmake']).status === 0;
const addon = loadImageAddon();

// One output pixel per input pixel (weight 1.0 at precision 8): the resize is then a pure copy.
function identity(size: number): ImageAxisTaps {
  return {
    size,
    ksize: 1,
    precision: 8,
    start: Int32Array.from({ length: size }, (_, i) => i),
    count: new Int32Array(size).fill(1),
    weights: new Int32Array(size).fill(256),
  };
}

function rgb(width: number, height: number): Uint8Array {
  return Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + 11) % 251);
}

describe('image addon', () => {
  it('is built wherever cmake exists, and says why not elsewhere', () => {
    const status = nativeStatus();
    if (hasCmake && process.env.TRTKIT_NATIVE !== 'skip') {
      expect(status.image).toMatchObject({ built: true });
      expect(addon).toBeDefined();
    } else {
      expect(status.image?.built ?? false).toBe(false);
    }
  });

  it.runIf(addon)(
    'orients pixels as EXIF says (the displayed pixel at x, y for each orientation 1..8)',
    () => {
      const [w, h] = [5, 3];
      const src = rgb(w, h);
      // Where displayed (x, y) comes from in the stored image, written out per orientation (EXIF 2.32, 4.6.4).
      const from: Record<number, (x: number, y: number) => [number, number]> = {
        1: (x, y) => [x, y],
        2: (x, y) => [w - 1 - x, y],
        3: (x, y) => [w - 1 - x, h - 1 - y],
        4: (x, y) => [x, h - 1 - y],
        5: (x, y) => [y, x],
        6: (x, y) => [y, h - 1 - x],
        7: (x, y) => [w - 1 - y, h - 1 - x],
        8: (x, y) => [w - 1 - y, x],
      };
      for (let o = 1; o <= 8; o++) {
        const out = new Uint8Array(src.length);
        addon!.orientSync({ src, width: w, height: h, orientation: o, out });
        const [dw, dh] = o >= 5 ? [h, w] : [w, h];
        for (let y = 0; y < dh; y++) {
          for (let x = 0; x < dw; x++) {
            const [sx, sy] = from[o]!(x, y);
            for (let c = 0; c < 3; c++) expect(out[(y * dw + x) * 3 + c]).toBe(src[(sy * w + sx) * 3 + c]);
          }
        }
      }
    },
  );

  it.runIf(addon)(
    'copies exactly with identity taps, to bytes and to planes through the tables',
    async () => {
      const [w, h] = [7, 4];
      const src = rgb(w, h);
      const out = new Uint8Array(src.length);
      const copy = { src, width: w, height: h, xAlongRows: false, x: identity(w), y: identity(h) };
      await addon!.resize({ ...copy, out });
      expect(out).toEqual(src);
      const tables = Float32Array.from({ length: 768 }, (_, i) => (i >> 8) * 1000 + (i & 255));
      const planes = new Float32Array(2 + 3 * 5 * 9).fill(-1);
      const mask = new BigInt64Array(3 + 5 * 9).fill(-1n);
      await addon!.resize({
        ...copy,
        planes,
        offset: 2,
        rowPitch: 9,
        planeSize: 45,
        tables,
        mask,
        maskOffset: 3,
      });
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < 5; y++)
          for (let x = 0; x < 9; x++) {
            const v = planes[2 + c * 45 + y * 9 + x];
            expect(v).toBe(y < h && x < w ? c * 1000 + src[(y * w + x) * 3 + c]! : -1);
          }
      // The mask: 1 over the image, everything else untouched.
      for (let i = 0; i < mask.length; i++) {
        const [y, x] = [Math.floor((i - 3) / 9), (i - 3) % 9];
        expect(mask[i]).toBe(i >= 3 && y < h && x < w ? 1n : -1n);
      }
    },
  );

  it.runIf(addon)(
    'keeps the taps it checked: arrays rewritten while the job runs change nothing',
    async () => {
      const [w, h] = [300, 200];
      const src = rgb(w, h);
      const out = new Uint8Array(src.length);
      const x = identity(w);
      const y = identity(h);
      const job = addon!.resize({ src, width: w, height: h, xAlongRows: false, x, y, out });
      x.start.fill(1 << 30); // would read far outside the image if the job used the live array
      y.weights.fill(1 << 20);
      await job;
      expect(Buffer.compare(Buffer.from(out), Buffer.from(src))).toBe(0);
    },
  );

  it.runIf(addon)('refuses arguments that would read or write outside the arrays, before any work', () => {
    const src = rgb(4, 4);
    const out = new Uint8Array(48);
    const base = { src, width: 4, height: 4, xAlongRows: false, x: identity(4), y: identity(4), out };
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['short source', { src: new Uint8Array(47) }, /src holds 47 values, needs 48/],
      ['short output', { out: new Uint8Array(10) }, /out holds 10/],
      [
        'taps past the edge',
        { x: { ...identity(4), start: Int32Array.of(0, 1, 2, 4) } },
        /x taps of output 3 read outside/,
      ],
      ['negative start', { y: { ...identity(4), start: Int32Array.of(-1, 0, 1, 2) } }, /y taps of output 0/],
      [
        'count above ksize',
        { x: { ...identity(4), count: Int32Array.of(2, 1, 1, 1) } },
        /x taps of output 0/,
      ],
      [
        'overflowing weights',
        { x: { ...identity(4), weights: new Int32Array(4).fill(1 << 24) } },
        /too large/,
      ],
      ['precision', { x: { ...identity(4), precision: 40 } }, /precision must be an integer in 0..22/],
      ['width', { width: 0 }, /width must be an integer/],
      ['fractional height', { height: 2.5 }, /height must be an integer/],
      ['threads', { threads: 65 }, /threads must be an integer in 1..64/],
      ['float source', { src: new Float32Array(48) }, /src must be a Uint8Array/],
      ['taps type', { x: { ...identity(4), start: [0, 1, 2, 3] } }, /start must be a Int32Array/],
      [
        'planes too short',
        {
          out: undefined,
          planes: new Float32Array(40),
          offset: 0,
          rowPitch: 4,
          planeSize: 16,
          tables: new Float32Array(768),
        },
        /planes holds 40/,
      ],
      [
        'plane smaller than the image',
        {
          out: undefined,
          planes: new Float32Array(100),
          offset: 0,
          rowPitch: 4,
          planeSize: 8,
          tables: new Float32Array(768),
        },
        /planeSize/,
      ],
      [
        'short tables',
        {
          out: undefined,
          planes: new Float32Array(100),
          offset: 0,
          rowPitch: 4,
          planeSize: 16,
          tables: new Float32Array(10),
        },
        /tables holds 10/,
      ],
    ];
    for (const [what, patch, message] of bad) {
      expect(() => addon!.resize({ ...base, ...patch } as never), what).toThrow(message);
    }
    expect(() => addon!.orientSync({ src, width: 4, height: 4, orientation: 9, out })).toThrow(/orientation/);
    expect(() => addon!.orient({ src, width: 4, height: 4, orientation: 1, out: new Uint8Array(3) })).toThrow(
      /out holds 3/,
    );
  });
});
