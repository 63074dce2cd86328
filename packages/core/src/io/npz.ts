import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { FileError } from '../errors/index.js';
import type { HostTensor } from '../tensor/host-tensor.js';
import { decodeNpy, encodeNpy, NpyFormatError } from './npy.js';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Decodes an .npz (a zip of .npy files, stored or deflated) into named tensors, in archive order. */
export function decodeNpz(bytes: Uint8Array, label = '<npz>'): Record<string, HostTensor> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new NpyFormatError(`${label}: not a zip archive (no end-of-directory record)`);
  const entries = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  if (p === 0xffffffff || entries === 0xffff) {
    throw new NpyFormatError(`${label}: zip64 archives are not supported`, {
      hint: 'save fewer/smaller arrays per file',
    });
  }
  const out: Record<string, HostTensor> = {};
  for (let e = 0; e < entries; e++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) {
      throw new NpyFormatError(`${label}: corrupt central directory at byte ${p}`);
    }
    const method = view.getUint16(p + 10, true);
    const compressed = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (compressed === 0xffffffff || size === 0xffffffff || local === 0xffffffff) {
      throw new NpyFormatError(`${label}: entry '${name}' needs zip64, which is not supported`);
    }
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL) {
      throw new NpyFormatError(`${label}: entry '${name}' points at a corrupt local header (byte ${local})`);
    }
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compressed > bytes.length) throw new NpyFormatError(`${label}: entry '${name}' is truncated`);
    const stored = bytes.subarray(start, start + compressed);
    let data: Uint8Array;
    if (method === 0) data = stored;
    else if (method === 8) {
      try {
        data = inflateRawSync(stored, { maxOutputLength: Math.max(size, 1) });
      } catch (cause) {
        throw new NpyFormatError(`${label}: entry '${name}' does not inflate`, { cause });
      }
    } else
      throw new NpyFormatError(
        `${label}: entry '${name}' uses zip method ${method}; only stored and deflate are read`,
      );
    if (data.length !== size)
      throw new NpyFormatError(`${label}: entry '${name}' has ${data.length} bytes, expected ${size}`);
    out[name.replace(/\.npy$/, '')] = decodeNpy(data, `${label}:${name}`);
  }
  return out;
}

/** Encodes named tensors as .npz (deflated when `compress`, as np.savez_compressed). */
export function encodeNpz(tensors: Readonly<Record<string, HostTensor>>, compress = false): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [key, t] of Object.entries(tensors)) {
    const name = new TextEncoder().encode(`${key}.npy`);
    const raw = encodeNpy(t);
    const body = compress ? deflateRawSync(raw) : raw;
    const crc = crc32(raw);
    const head = new Uint8Array(30 + name.length);
    const h = new DataView(head.buffer);
    h.setUint32(0, LOCAL, true);
    h.setUint16(4, 20, true);
    h.setUint16(8, compress ? 8 : 0, true);
    h.setUint32(14, crc, true);
    h.setUint32(18, body.length, true);
    h.setUint32(22, raw.length, true);
    h.setUint16(26, name.length, true);
    head.set(name, 30);
    const cen = new Uint8Array(46 + name.length);
    const c = new DataView(cen.buffer);
    c.setUint32(0, CENTRAL, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(10, compress ? 8 : 0, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, body.length, true);
    c.setUint32(24, raw.length, true);
    c.setUint16(28, name.length, true);
    c.setUint32(42, offset, true);
    cen.set(name, 46);
    locals.push(head, body);
    centrals.push(cen);
    offset += head.length + body.length;
  }
  const cdSize = centrals.reduce((a, b) => a + b.length, 0);
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, EOCD, true);
  e.setUint16(8, centrals.length, true);
  e.setUint16(10, centrals.length, true);
  e.setUint32(12, cdSize, true);
  e.setUint32(16, offset, true);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** Reads a .npz or .npy file (a .npy gives one tensor named after the file). */
export function readTensors(path: string): Record<string, HostTensor> {
  if (!existsSync(path)) throw new FileError(path, 'no such file');
  const bytes = new Uint8Array(readFileSync(path));
  if (path.endsWith('.npy')) {
    const name = path
      .split('/')
      .pop()!
      .replace(/\.npy$/, '');
    return { [name]: decodeNpy(bytes, path) };
  }
  return decodeNpz(bytes, path);
}

/** Writes tensors as .npz atomically; an existing file is replaced only with `overwrite`. */
export function writeNpz(
  path: string,
  tensors: Readonly<Record<string, HostTensor>>,
  options: { compress?: boolean; overwrite?: boolean } = {},
): void {
  if (!options.overwrite && existsSync(path)) {
    throw new FileError(path, 'exists', { hint: 'pass overwrite (CLI: --force) to replace it' });
  }
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeNpz(tensors, options.compress ?? false));
  renameSync(tmp, path);
}
