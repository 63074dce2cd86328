import { create, type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import { OnnxDecodeError } from './errors.js';

// A decoder for the ONNX schema that builds the same objects as protobuf-es `fromBinary` (same prototypes,
// same own properties, unknown fields kept the same way), about 3x faster on node-heavy graphs: objects come
// from per-type constructors with a stable shape, ASCII strings skip TextDecoder, and every tag, wire type,
// varint and length is checked against the bytes that remain, so malformed input fails with its byte offset.
// The tests compare its output with protobuf-es on the whole conformance corpus.

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const SGROUP = 3;
const EGROUP = 4;
const I32 = 5;

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true }); // non-fatal, like protobuf-es for proto2 strings
type Slice = (this: Uint8Array, s: number, e: number) => string;
// Node's native latin1 slice; elsewhere a UTF-8 decode, whose result is then correct as it stands.
const latin1Slice: Slice =
  (Buffer.prototype as unknown as { latin1Slice?: Slice }).latin1Slice ??
  function (this: Uint8Array, s: number, e: number) {
    return utf8.decode(this.subarray(s, e));
  };
const NON_ASCII = /[\u0080-\u00ff]/; // a latin1 string of only ASCII bytes has none of these

type Msg = Record<string, unknown> & { $unknown?: { no: number; wireType: number; data: Uint8Array }[] };

class Reader {
  pos = 0;
  readonly view: DataView;
  /** Node lists of graphs, by graph message: byte ranges read on first access (`lazyNodes`). */
  readonly pendingNodes: Map<Msg, number[]> | undefined;
  constructor(
    readonly buf: Uint8Array,
    readonly maxDepth: number,
    lazyNodes = false,
  ) {
    this.pendingNodes = lazyNodes ? new Map() : undefined;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  fail(at: number, detail: string): never {
    throw new OnnxDecodeError(at, detail);
  }
  /** A varint as a JS number (exact below 2^53): tags and lengths. */
  num(end: number): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < end) {
      const b = buf[pos] as number;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    const start = pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) this.fail(start, 'varint runs past the end of its message');
      const b = buf[pos++] as number;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return result;
      }
      mul *= 128;
    }
    return this.fail(start, 'varint longer than 10 bytes');
  }
  /** The low and high 32 bits of a varint (hi in this.hi). */
  hi = 0;
  lo(end: number): number {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) this.fail(start, 'varint runs past the end of its message');
      const b = buf[pos++] as number;
      const v = b & 0x7f;
      if (shift < 28) lo |= v << shift;
      else if (shift === 28) {
        lo |= (v & 0x0f) << 28;
        hi = v >>> 4;
      } else hi |= v << (shift - 32);
      if (b < 0x80) {
        this.pos = pos;
        this.hi = hi;
        return lo;
      }
      shift += 7;
    }
    return this.fail(start, 'varint longer than 10 bytes');
  }
  length(end: number, what: string): number {
    const at = this.pos;
    const len = this.num(end);
    if (len > end - this.pos) {
      this.fail(
        at,
        `${what}: length ${len} exceeds the ${end - this.pos} bytes left in the enclosing message`,
      );
    }
    return len;
  }
  string(end: number, what: string): string {
    const len = this.length(end, what);
    const buf = this.buf;
    const start = this.pos;
    const stop = start + len;
    this.pos = stop;
    // Names are nearly always ASCII: a native latin1 slice, checked, is several times cheaper than TextDecoder.
    const s = latin1Slice.call(buf, start, stop);
    if (!NON_ASCII.test(s)) return s;
    return utf8.decode(buf.subarray(start, stop));
  }
  /** Skip a field's value; returns nothing, leaves pos after it. */
  skip(wire: number, no: number, end: number, depth: number, what: string): void {
    const maxDepth = this.maxDepth;
    switch (wire) {
      case VARINT:
        this.num(end);
        return;
      case I64:
      case I32: {
        const size = wire === I64 ? 8 : 4;
        if (end - this.pos < size) this.fail(this.pos, `${what}: ${size}-byte value runs past the end`);
        this.pos += size;
        return;
      }
      case LEN: {
        const len = this.length(end, what); // first: it moves pos past the length prefix
        this.pos += len;
        return;
      }
      case SGROUP: {
        if (depth >= maxDepth) this.fail(this.pos, `${what}: groups nested deeper than ${maxDepth}`);
        for (;;) {
          const at = this.pos;
          const tag = this.num(end);
          const w = tag & 7;
          const n = Math.floor(tag / 8);
          if (w === EGROUP) {
            if (n !== no) this.fail(at, `${what}: end-group tag ${n} does not match start-group ${no}`);
            return;
          }
          if (n === 0) this.fail(at, `${what}: invalid field number 0 in group`);
          this.skip(w, n, end, depth + 1, what);
        }
      }
      default:
        this.fail(this.pos, `${what}: invalid wire type ${wire}`);
    }
  }
}

type FieldReader = (m: Msg, r: Reader, wire: number, end: number, depth: number, tagAt: number) => void;

interface Decoder {
  readonly name: string;
  make: () => Msg;
  readonly fields: (FieldReader | undefined)[];
  /** List fields: trimmed to their length when the message is done (push leaves room for 16 more). */
  readonly lists: string[];
}

const decoders = new WeakMap<DescMessage, Decoder>();

/** A constructor that builds what `create(schema)` builds: same prototype, same own properties in order. */
function maker(desc: DescMessage): () => Msg {
  const sample = create(desc) as unknown as Record<string, unknown>;
  const proto = Object.getPrototypeOf(sample) as object;
  const lines: string[] = [];
  const consts: unknown[] = [];
  for (const key of Object.keys(sample)) {
    const v = sample[key];
    const k = JSON.stringify(key);
    if (Array.isArray(v)) lines.push(`this[${k}] = [];`);
    else if (v !== null && typeof v === 'object' && 'case' in v)
      lines.push(`this[${k}] = { case: undefined };`);
    else if (v !== null && typeof v === 'object') lines.push(`this[${k}] = {};`);
    else {
      consts.push(v);
      lines.push(`this[${k}] = c[${consts.length - 1}];`);
    }
  }
  // A generated constructor gives every message of a type one hidden class, which keeps decoding fast.
  const Ctor = new Function('c', `return function Msg() { ${lines.join(' ')} };`)(consts) as new () => Msg;
  Ctor.prototype = proto;
  return () => new Ctor();
}

function wireOf(t: ScalarType): number {
  switch (t) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return I64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return I32;
    case ScalarType.STRING:
    case ScalarType.BYTES:
      return LEN;
    default:
      return VARINT;
  }
}

type ScalarRead = (r: Reader, end: number, what: string) => unknown;

function fixed(r: Reader, end: number, size: number, what: string): number {
  const at = r.pos;
  if (end - at < size) r.fail(at, `${what}: ${size}-byte value runs past the end`);
  r.pos = at + size;
  return at;
}

function scalarReader(t: ScalarType): ScalarRead {
  switch (t) {
    case ScalarType.STRING:
      return (r, end, what) => r.string(end, what);
    case ScalarType.BYTES:
      return (r, end, what) => {
        const len = r.length(end, what);
        const start = r.pos;
        r.pos = start + len;
        return r.buf.subarray(start, start + len); // zero-copy: weights stay views into the input
      };
    case ScalarType.BOOL:
      return (r, end) => r.lo(end) !== 0 || r.hi !== 0;
    case ScalarType.INT32:
      return (r, end) => r.lo(end) | 0;
    case ScalarType.UINT32:
      return (r, end) => r.lo(end) >>> 0;
    case ScalarType.SINT32:
      return (r, end) => {
        const v = r.lo(end) >>> 0;
        return (v >>> 1) ^ -(v & 1);
      };
    case ScalarType.INT64:
      return (r, end) => {
        const lo = r.lo(end);
        const hi = r.hi;
        if (hi === 0) return BigInt(lo >>> 0);
        return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
      };
    case ScalarType.UINT64:
      return (r, end) => {
        const lo = r.lo(end);
        const hi = r.hi;
        if (hi === 0) return BigInt(lo >>> 0);
        return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
      };
    case ScalarType.SINT64:
      return (r, end) => {
        const lo = r.lo(end);
        const v = (BigInt(r.hi >>> 0) << 32n) | BigInt(lo >>> 0);
        return (v >> 1n) ^ -(v & 1n);
      };
    case ScalarType.FLOAT:
      return (r, end, what) => r.view.getFloat32(fixed(r, end, 4, what), true);
    case ScalarType.DOUBLE:
      return (r, end, what) => r.view.getFloat64(fixed(r, end, 8, what), true);
    case ScalarType.FIXED32:
      return (r, end, what) => r.view.getUint32(fixed(r, end, 4, what), true);
    case ScalarType.SFIXED32:
      return (r, end, what) => r.view.getInt32(fixed(r, end, 4, what), true);
    case ScalarType.FIXED64:
      return (r, end, what) => r.view.getBigUint64(fixed(r, end, 8, what), true);
    case ScalarType.SFIXED64:
      return (r, end, what) => r.view.getBigInt64(fixed(r, end, 8, what), true);
  }
}

function wrongWire(r: Reader, at: number, what: string, wire: number, expected: number): never {
  return r.fail(at, `${what}: wire type ${wire}, expected ${expected}`);
}

function fieldReader(desc: DescMessage, f: DescField): FieldReader {
  const what = `${desc.typeName}.${f.name}`;
  const name = f.localName;
  switch (f.fieldKind) {
    case 'scalar': {
      const read = scalarReader(f.scalar);
      const expected = wireOf(f.scalar);
      const oneof = f.oneof?.localName;
      return (m, r, wire, end, _d, at) => {
        if (wire !== expected) wrongWire(r, at, what, wire, expected);
        const v = read(r, end, what);
        if (oneof) m[oneof] = { case: name, value: v };
        else m[name] = v;
      };
    }
    case 'enum': {
      const known = new Set(f.enum.values.map((v) => v.number));
      const open = f.enum.open;
      const oneof = f.oneof?.localName;
      return (m, r, wire, end, _d, at) => {
        if (wire !== VARINT) wrongWire(r, at, what, wire, VARINT);
        const v = r.lo(end) | 0;
        if (open || known.has(v)) {
          if (oneof) m[oneof] = { case: name, value: v };
          else m[name] = v;
        } else {
          // A closed enum keeps unknown values as unknown fields (re-encoded as a 32-bit varint, as protobuf-es does).
          pushUnknown(m, f.number, wire, varint32(v));
        }
      };
    }
    case 'message': {
      const oneof = f.oneof?.localName;
      const child = f.message;
      return (m, r, wire, end, depth, at) => {
        if (wire !== LEN) wrongWire(r, at, what, wire, LEN);
        const len = r.length(end, what);
        const d = decoderFor(child);
        let target: Msg | undefined;
        if (oneof) {
          const cur = m[oneof] as { case: string | undefined; value?: Msg };
          target = cur.case === name ? cur.value : undefined;
        } else if (Object.hasOwn(m, name)) {
          target = m[name] as Msg; // a repeated singular message merges into the first
        }
        const msg = target ?? d.make();
        readMessage(d, msg, r, r.pos + len, depth + 1);
        if (oneof) m[oneof] = { case: name, value: msg };
        else m[name] = msg;
      };
    }
    case 'list': {
      if (f.listKind === 'message') {
        const child = f.message;
        const lazyList = desc.typeName === 'onnx.GraphProto' && name === 'node';
        return (m, r, wire, end, depth, at) => {
          if (wire !== LEN) wrongWire(r, at, what, wire, LEN);
          const len = r.length(end, what);
          if (lazyList && r.pendingNodes) {
            const ranges = r.pendingNodes.get(m) ?? [];
            if (ranges.length === 0) r.pendingNodes.set(m, ranges);
            ranges.push(r.pos, len, depth + 1);
            r.pos += len;
            return;
          }
          const d = decoderFor(child);
          const msg = d.make();
          readMessage(d, msg, r, r.pos + len, depth + 1);
          (m[name] as Msg[]).push(msg);
        };
      }
      const scalar = f.listKind === 'enum' ? ScalarType.INT32 : f.scalar;
      const read = scalarReader(scalar);
      const elementWire = wireOf(scalar);
      const packable = elementWire !== LEN;
      return (m, r, wire, end, _d, at) => {
        const items = m[name] as unknown[];
        if (wire === LEN && packable) {
          const len = r.length(end, what);
          const stop = r.pos + len;
          if (elementWire !== VARINT) {
            const size = elementWire === I32 ? 4 : 8;
            if (len % size !== 0) r.fail(r.pos, `${what}: packed length ${len} is not a multiple of ${size}`);
          }
          while (r.pos < stop) items.push(read(r, stop, what));
        } else if (wire === elementWire) {
          items.push(read(r, end, what));
        } else {
          wrongWire(r, at, what, wire, packable ? elementWire : LEN);
        }
      };
    }
    case 'map':
      throw new Error(`${what}: map fields are not part of the ONNX schema`);
  }
}

/** Record an unknown field as protobuf-es does ($unknown exists only when there is one). */
function pushUnknown(m: Msg, no: number, wireType: number, data: Uint8Array): void {
  if (m.$unknown === undefined) m.$unknown = [];
  m.$unknown.push({ no, wireType, data });
}

/** The bytes protobuf-es stores for an unknown closed-enum value: the int32 re-encoded as a varint. */
function varint32(value: number): Uint8Array {
  const out: number[] = [];
  if (value >= 0) {
    while (value > 0x7f) {
      out.push((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.push(value);
  } else {
    for (let i = 0; i < 9; i++) {
      out.push((value & 127) | 128);
      value >>= 7;
    }
    out.push(1);
  }
  return Uint8Array.from(out);
}

function decoderFor(desc: DescMessage): Decoder {
  let d = decoders.get(desc);
  if (d) return d;
  const fields: (FieldReader | undefined)[] = [];
  const lists = desc.fields.filter((f) => f.fieldKind === 'list').map((f) => f.localName);
  d = { name: desc.typeName, make: maker(desc), fields, lists };
  decoders.set(desc, d); // before the fields: types are recursive
  for (const f of desc.fields) fields[f.number] = fieldReader(desc, f);
  return d;
}

function readMessage(d: Decoder, m: Msg, r: Reader, end: number, depth: number): void {
  if (depth > r.maxDepth) r.fail(r.pos, `${d.name} nested deeper than ${r.maxDepth} levels`);
  const fields = d.fields;
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = r.num(end);
    const no = tag > 0x7fffffff ? Math.floor(tag / 8) : tag >>> 3;
    const wire = tag % 8;
    const read = no < fields.length ? fields[no] : undefined;
    if (read !== undefined) {
      read(m, r, wire, end, depth, tagAt);
      continue;
    }
    if (no === 0 || no > 536870911) r.fail(tagAt, `${d.name}: invalid field number ${no}`);
    const start = r.pos;
    r.skip(wire, no, end, depth, `${d.name} unknown field ${no}`);
    pushUnknown(m, no, wire, r.buf.subarray(start, r.pos));
  }
  if (r.pos !== end) r.fail(end, `${d.name}: last field runs past the end of the message`);
  // Most lists hold a few items; an exact-size copy halves the memory a decoded node graph keeps.
  for (const key of d.lists) {
    const a = m[key] as unknown[];
    if (a.length > 0 && a.length < 64) m[key] = a.slice();
  }
  const pending = r.pendingNodes?.get(m);
  if (pending) {
    r.pendingNodes?.delete(m);
    deferNodes(m, r, pending);
  }
}

/**
 * Replaces `graph.node` by a property that decodes the recorded byte ranges on first read (then becomes a plain
 * list). Errors inside node bytes surface there, as OnnxDecodeError with the file offset.
 */
function deferNodes(m: Msg, outer: Reader, ranges: number[]): void {
  const settle = (value: unknown) =>
    Object.defineProperty(m, 'node', { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(m, 'node', {
    enumerable: true,
    configurable: true,
    get() {
      const d = decoderFor(NODE_DESC as DescMessage);
      // Nodes hold subgraphs: those decode lazily too, from the same bytes.
      const r = new Reader(outer.buf, outer.maxDepth, true);
      const list: Msg[] = [];
      for (let i = 0; i < ranges.length; i += 3) {
        const start = ranges[i] as number;
        r.pos = start;
        const msg = d.make();
        readMessage(d, msg, r, start + (ranges[i + 1] as number), ranges[i + 2] as number);
        list.push(msg);
      }
      settle(list);
      return list;
    },
    set(value: unknown) {
      settle(value);
    },
  });
}

let NODE_DESC: DescMessage | undefined;

/** NodeProto's descriptor, found from the model's (ModelProto -> GraphProto -> NodeProto). */
function nodeDescOf(model: DescMessage): DescMessage | undefined {
  const graph = model.fields.find((f) => f.localName === 'graph');
  const g = graph?.fieldKind === 'message' ? graph.message : undefined;
  const node = g?.fields.find((f) => f.localName === 'node');
  return node?.fieldKind === 'list' && node.listKind === 'message' ? node.message : undefined;
}

/**
 * Decode `bytes` as `desc`, the way protobuf-es fromBinary does, with checked input. With `lazyNodes`, each
 * graph's node list is only located (its bytes checked as length-delimited fields) and decoded on first read.
 */
export function fastDecode<T>(desc: DescMessage, bytes: Uint8Array, maxDepth: number, lazyNodes = false): T {
  const d = decoderFor(desc);
  if (lazyNodes && !NODE_DESC) NODE_DESC = nodeDescOf(desc);
  const r = new Reader(bytes, maxDepth, lazyNodes);
  const m = d.make();
  readMessage(d, m, r, bytes.length, 1);
  return m as unknown as T;
}
