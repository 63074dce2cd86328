import * as fs from 'node:fs';
import * as path from 'node:path';
import { type TensorProto, TensorProto_DataLocation } from 'onnx-buf';
import { FileError } from '../errors/index.js';
import { ExternalDataPathError, ExternalDataRangeError } from './errors.js';
import { tensorByteLength } from './tensor-bytes.js';

/** Where a tensor's bytes live, from its external_data entries. `length` undefined: to the end of the file. */
export interface ExternalRef {
  readonly location: string;
  readonly offset: number;
  readonly length: number | undefined;
  readonly checksum: string | undefined;
}

export function isExternal(t: TensorProto): boolean {
  return t.dataLocation === TensorProto_DataLocation.EXTERNAL;
}

function parseInteger(t: TensorProto, key: string, value: string): number {
  // Decimal digits only: "1e3", "0x10", " 5" and negatives are not offsets.
  if (!/^[0-9]{1,16}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new ExternalDataRangeError(
      t.name,
      `external_data ${key} ${JSON.stringify(value)} is not a byte count`,
    );
  }
  return Number(value);
}

/** Parse a tensor's external_data entries (location, offset, length, checksum). */
export function externalRef(t: TensorProto): ExternalRef {
  let location: string | undefined;
  let offset = 0;
  let length: number | undefined;
  let checksum: string | undefined;
  for (const e of t.externalData) {
    if (e.key === 'location') location = e.value;
    else if (e.key === 'offset') offset = parseInteger(t, 'offset', e.value);
    else if (e.key === 'length') length = parseInteger(t, 'length', e.value);
    else if (e.key === 'checksum') checksum = e.value;
  }
  if (location === undefined || location === '') {
    throw new ExternalDataRangeError(t.name, 'data_location is EXTERNAL but external_data has no location');
  }
  return { location, offset, length, checksum };
}

/**
 * Check a location names a file inside `dir` (before following symlinks): relative, no NUL, no `..` that leaves
 * the directory. Returns the joined path.
 */
export function safeJoin(dir: string, location: string): string {
  if (location.includes('\0')) throw new ExternalDataPathError(location, 'contains a NUL byte');
  if (path.isAbsolute(location) || /^[A-Za-z]:[\\/]/.test(location) || location.startsWith('\\')) {
    throw new ExternalDataPathError(location, 'absolute paths are not allowed');
  }
  const joined = path.resolve(dir, location);
  const rel = path.relative(path.resolve(dir), joined);
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new ExternalDataPathError(location, 'resolves outside the model directory');
  }
  return joined;
}

export interface ExternalDataStoreOptions {
  /** Largest single read, in bytes (default 64 MiB); Node refuses one read above 2^31-1. */
  readonly chunkSize?: number;
}

interface OpenFile {
  readonly fd: number;
  readonly size: number;
}

/**
 * Reads external tensor data lazily from files next to the model. File handles stay open for reuse until
 * `close()`. Every location is checked to stay inside the model directory, also after resolving symlinks.
 */
export class ExternalDataStore {
  readonly dir: string;
  private readonly chunkSize: number;
  private readonly files = new Map<string, OpenFile>();
  private realDir: string | undefined;

  constructor(dir: string, options?: ExternalDataStoreOptions) {
    this.dir = path.resolve(dir);
    this.chunkSize = Math.max(1, Math.min(options?.chunkSize ?? 64 * 1024 * 1024, 0x7fffffff));
  }

  /** The checked absolute path of a location, symlinks resolved. */
  resolve(location: string): string {
    const joined = safeJoin(this.dir, location);
    this.realDir ??= realpathOrThrow(this.dir, this.dir);
    const real = realpathOrThrow(joined, joined);
    const rel = path.relative(this.realDir, real);
    if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
      throw new ExternalDataPathError(location, `is a symlink to ${real}, outside the model directory`);
    }
    return real;
  }

  private open(location: string): OpenFile {
    const real = this.resolve(location);
    let f = this.files.get(real);
    if (f) return f;
    let fd: number;
    try {
      fd = fs.openSync(real, 'r');
    } catch (cause) {
      throw new FileError(real, 'cannot open external data file', {
        cause,
        hint: 'check the file exists and is readable',
      });
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      fs.closeSync(fd);
      throw new ExternalDataPathError(location, 'is not a regular file');
    }
    f = { fd, size: st.size };
    this.files.set(real, f);
    return f;
  }

  /** The file, offset and length of a tensor's bytes, checked against the file size and the tensor's shape. */
  locate(t: TensorProto): { fd: number; offset: number; length: number; path: string } {
    const ref = externalRef(t);
    const f = this.open(ref.location);
    if (ref.offset > f.size) {
      throw new ExternalDataRangeError(
        t.name,
        `offset ${ref.offset} is past the end of ${ref.location} (${f.size} bytes)`,
      );
    }
    const length = ref.length ?? f.size - ref.offset;
    if (ref.offset + length > f.size) {
      throw new ExternalDataRangeError(
        t.name,
        `bytes ${ref.offset}..${ref.offset + length} are past the end of ${ref.location} (${f.size} bytes)`,
      );
    }
    const expected = tensorByteLength(t);
    if (expected !== undefined && expected !== length) {
      throw new ExternalDataRangeError(
        t.name,
        `external data holds ${length} bytes, its shape [${t.dims.join(', ')}] needs ${expected}`,
      );
    }
    return { fd: f.fd, offset: ref.offset, length, path: ref.location };
  }

  /** Read a tensor's bytes, in chunks of at most `chunkSize`. */
  readSync(t: TensorProto): Uint8Array<ArrayBuffer> {
    const { fd, offset, length } = this.locate(t);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, out, done, Math.min(this.chunkSize, length - done), offset + done);
      if (n === 0) throw new ExternalDataRangeError(t.name, 'external data file shrank while reading');
      done += n;
    }
    return out;
  }

  /** Read a tensor's bytes without blocking the event loop. */
  async read(t: TensorProto): Promise<Uint8Array<ArrayBuffer>> {
    const { fd, offset, length } = this.locate(t);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = await new Promise<number>((resolve, reject) => {
        fs.read(fd, out, done, Math.min(this.chunkSize, length - done), offset + done, (err, bytesRead) =>
          err ? reject(err) : resolve(bytesRead),
        );
      });
      if (n === 0) throw new ExternalDataRangeError(t.name, 'external data file shrank while reading');
      done += n;
    }
    return out;
  }

  /** Stream a tensor's bytes to `sink` in chunks (one reused buffer): for copying tensors larger than memory. */
  copySync(t: TensorProto, sink: (chunk: Uint8Array) => void): number {
    const { fd, offset, length } = this.locate(t);
    const buf = new Uint8Array(Math.min(this.chunkSize, Math.max(length, 1)));
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, length - done), offset + done);
      if (n === 0) throw new ExternalDataRangeError(t.name, 'external data file shrank while reading');
      sink(buf.subarray(0, n));
      done += n;
    }
    return length;
  }

  /** Close every cached file handle. The store can still be used afterwards (files reopen on demand). */
  close(): void {
    for (const f of this.files.values()) fs.closeSync(f.fd);
    this.files.clear();
  }
}

function realpathOrThrow(p: string, shown: string): string {
  try {
    return fs.realpathSync(p);
  } catch (cause) {
    throw new FileError(shown, 'external data file not found', {
      cause,
      hint: 'external data files must be next to the model, as named in external_data location',
    });
  }
}
