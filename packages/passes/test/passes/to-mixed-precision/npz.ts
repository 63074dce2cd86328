// Minimal .npz reader for the fixtures' saved inputs/outputs (zip of .npy; stored or deflated).
import * as fs from 'node:fs';
import { inflateRawSync } from 'node:zlib';

export interface NpyArray {
  readonly dtype: string;
  readonly shape: number[];
  readonly data: Float32Array | Int32Array | BigInt64Array;
}

function parseNpy(buf: Buffer): NpyArray {
  const major = buf[6] as number;
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.subarray(start, start + hlen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1] ?? '';
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const body = buf.subarray(start + hlen);
  const copy = new Uint8Array(body).buffer;
  const data =
    descr === '<f4'
      ? new Float32Array(copy)
      : descr === '<i4'
        ? new Int32Array(copy)
        : new BigInt64Array(copy);
  return { dtype: descr, shape, data };
}

export function readNpz(path: string): Map<string, NpyArray> {
  const buf = fs.readFileSync(path);
  const out = new Map<string, NpyArray>();
  // Central directory: find the end record, then walk entries.
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    let csize = buf.readUInt32LE(p + 20);
    const nlen = buf.readUInt16LE(p + 28);
    const xlen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    let local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8');
    // zip64 extra field (numpy writes it for large members)
    const extra = buf.subarray(p + 46 + nlen, p + 46 + nlen + xlen);
    for (let q = 0; q + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(q);
      const sz = extra.readUInt16LE(q + 2);
      if (id === 1) {
        let r = q + 4;
        if (buf.readUInt32LE(p + 24) === 0xffffffff) r += 8;
        if (csize === 0xffffffff) {
          csize = Number(extra.readBigUInt64LE(r));
          r += 8;
        }
        if (local === 0xffffffff) local = Number(extra.readBigUInt64LE(r));
      }
      q += 4 + sz;
    }
    const lnlen = buf.readUInt16LE(local + 26);
    const lxlen = buf.readUInt16LE(local + 28);
    const dataAt = local + 30 + lnlen + lxlen;
    const raw = buf.subarray(dataAt, dataAt + csize);
    const npy = method === 8 ? inflateRawSync(raw) : raw;
    out.set(name.replace(/\.npy$/, ''), parseNpy(Buffer.from(npy)));
    p += 46 + nlen + xlen + clen;
  }
  return out;
}
