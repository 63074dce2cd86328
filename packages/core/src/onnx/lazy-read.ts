import * as fs from 'node:fs';

// Reads an .onnx file without its large weights. Walks Model -> graph (7) -> initializer (5) -> raw_data (9)
// with positional reads, copies every other byte into a "skeleton" protobuf (with rewritten length prefixes)
// and records where each skipped raw_data lies in the file. Anything unusual (groups, a repeated graph field,
// tensors already external) makes the caller fall back to reading the whole file, which validates fully.

/** A skipped raw_data: the k-th top-level initializer, its bytes at [offset, offset + length) of the file. */
export interface SkippedWeight {
  readonly initializer: number;
  readonly offset: number;
  readonly length: number;
}

type Part = { readonly pos: number; readonly len: number } | Uint8Array;

class Unusual extends Error {}

/** Small positional reads through a window of the file. */
class Window {
  private buf = new Uint8Array(64 * 1024);
  private start = 0;
  private end = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  byte(pos: number): number {
    if (pos >= this.size) throw new Unusual('past the end');
    if (pos < this.start || pos >= this.end) {
      this.start = pos;
      this.end = pos + fs.readSync(this.fd, this.buf, 0, Math.min(this.buf.length, this.size - pos), pos);
    }
    return this.buf[pos - this.start] as number;
  }

  /** A varint at pos (bounded by `end`): [value, next position]. */
  varint(pos: number, end: number): [number, number] {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new Unusual('varint past the end');
      const b = this.byte(pos++);
      result += (b & 0x7f) * mul;
      if (b < 0x80) return [result, pos];
      mul *= 128;
    }
    throw new Unusual('varint too long');
  }

  /** End position of the field whose value starts at `pos` (after the tag). */
  skip(wire: number, pos: number, end: number): number {
    let next: number;
    if (wire === 0) next = this.varint(pos, end)[1];
    else if (wire === 1) next = pos + 8;
    else if (wire === 5) next = pos + 4;
    else if (wire === 2) {
      const [len, p] = this.varint(pos, end);
      next = p + len;
    } else throw new Unusual('group or invalid wire type');
    if (next > end) throw new Unusual('field past the end of its message');
    return next;
  }
}

function varintBytes(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}

function partsLength(parts: readonly Part[]): number {
  let n = 0;
  for (const p of parts) n += p instanceof Uint8Array ? p.length : p.len;
  return n;
}

/**
 * The file's bytes minus raw_data payloads of at least `threshold` bytes in top-level initializers, and where
 * those payloads are. Returns undefined when the file has a shape this fast path does not handle.
 */
export function readSkeleton(
  fd: number,
  size: number,
  threshold: number,
): { skeleton: Uint8Array; skipped: SkippedWeight[] } | undefined {
  const w = new Window(fd, size);
  const skipped: SkippedWeight[] = [];
  try {
    const parts: Part[] = [];
    let pos = 0;
    let graphs = 0;
    while (pos < size) {
      const fieldStart = pos;
      const [tag, p] = w.varint(pos, size);
      const no = Math.floor(tag / 8);
      if (no === 7 && (tag & 7) === 2) {
        if (++graphs > 1) return undefined;
        const [len, body] = w.varint(p, size);
        if (body + len > size) return undefined;
        const graph = graphParts(w, body, body + len, skipped, threshold);
        parts.push({ pos: fieldStart, len: p - fieldStart }, varintBytes(partsLength(graph)), ...graph);
        pos = body + len;
      } else {
        pos = w.skip(tag & 7, p, size);
        parts.push({ pos: fieldStart, len: pos - fieldStart });
      }
    }
    if (skipped.length === 0) return undefined; // nothing to skip: the plain read is as fast
    return { skeleton: assemble(fd, parts), skipped };
  } catch (e) {
    if (e instanceof Unusual) return undefined;
    throw e;
  }
}

function graphParts(
  w: Window,
  start: number,
  end: number,
  skipped: SkippedWeight[],
  threshold: number,
): Part[] {
  const parts: Part[] = [];
  let pos = start;
  let initializer = 0;
  while (pos < end) {
    const fieldStart = pos;
    const [tag, p] = w.varint(pos, end);
    pos = w.skip(tag & 7, p, end);
    if (Math.floor(tag / 8) === 5 && (tag & 7) === 2) {
      const [len, body] = w.varint(p, end);
      const weight = rawDataOf(w, body, body + len);
      if (weight && weight.length >= threshold) {
        // The tensor without its raw_data field.
        const head = { pos: body, len: weight.fieldStart - body };
        const tail = {
          pos: weight.offset + weight.length,
          len: body + len - (weight.offset + weight.length),
        };
        parts.push({ pos: fieldStart, len: p - fieldStart }, varintBytes(head.len + tail.len), head, tail);
        skipped.push({ initializer, offset: weight.offset, length: weight.length });
      } else {
        parts.push({ pos: fieldStart, len: pos - fieldStart });
      }
      initializer++;
    } else {
      parts.push({ pos: fieldStart, len: pos - fieldStart });
    }
  }
  return parts;
}

/** The single raw_data field of a tensor, if it has exactly one and no external data fields. */
function rawDataOf(
  w: Window,
  start: number,
  end: number,
): { fieldStart: number; offset: number; length: number } | undefined {
  let found: { fieldStart: number; offset: number; length: number } | undefined;
  let pos = start;
  while (pos < end) {
    const fieldStart = pos;
    const [tag, p] = w.varint(pos, end);
    const no = Math.floor(tag / 8);
    pos = w.skip(tag & 7, p, end);
    if (no === 13 || no === 14) return undefined; // external_data / data_location: leave such tensors alone
    if (no === 9) {
      if (found || (tag & 7) !== 2) return undefined;
      const [len, body] = w.varint(p, end);
      found = { fieldStart, offset: body, length: len };
    }
  }
  return found;
}

/** Read the kept ranges (merging neighbours) and the rewritten prefixes into one buffer. */
function assemble(fd: number, parts: readonly Part[]): Uint8Array {
  const out = new Uint8Array(partsLength(parts));
  let at = 0;
  let i = 0;
  while (i < parts.length) {
    const p = parts[i] as Part;
    if (p instanceof Uint8Array) {
      out.set(p, at);
      at += p.length;
      i++;
      continue;
    }
    let pos = p.pos;
    let len = p.len;
    // Merge following ranges that continue this one in the file.
    while (i + 1 < parts.length) {
      const q = parts[i + 1] as Part;
      if (q instanceof Uint8Array || q.pos !== pos + len) break;
      len += q.len;
      i++;
    }
    let done = 0;
    while (done < len) {
      const n = fs.readSync(fd, out, at + done, Math.min(len - done, 0x40000000), pos + done);
      if (n === 0) throw new Unusual('file shrank');
      done += n;
    }
    at += len;
    pos += len;
    i++;
  }
  return out;
}
