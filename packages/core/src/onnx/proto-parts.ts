import { type DescMessage, type Message, toBinary } from '@bufbuild/protobuf';

// Helpers for writing a message in pieces. Protobuf parsers accept fields in any order, but writing them in
// field-number order (unknown fields last) gives the same bytes as encoding the whole message at once.

/** A shallow copy of `msg` keeping only the fields `keep` accepts (and unknown fields when `unknown`). */
export function pick<T extends Message>(
  schema: DescMessage,
  msg: T,
  keep: (fieldNo: number) => boolean,
  unknown: boolean,
): T {
  const src = msg as unknown as Record<string, unknown>;
  // Same prototype: protobuf-es keeps proto2 defaults there and marks set fields as own properties.
  const out = Object.create(Object.getPrototypeOf(msg)) as Record<string, unknown>;
  out.$typeName = msg.$typeName;
  for (const f of schema.fields) {
    const key = f.oneof ? f.oneof.localName : f.localName;
    if (keep(f.number) && Object.hasOwn(src, key)) out[key] = src[key];
    else if (f.fieldKind === 'list') out[key] = [];
    else if (f.fieldKind === 'map') out[key] = {};
    else if (f.oneof) out[key] = { case: undefined };
  }
  if (unknown && src.$unknown !== undefined) out.$unknown = src.$unknown;
  return out as unknown as T;
}

/** Encode only the fields below `fieldNo`, and only the fields above it plus unknown fields. */
export function encodeAround<T extends Message>(
  schema: DescMessage,
  msg: T,
  fieldNo: number,
  skip?: ReadonlySet<number>,
): [before: Uint8Array, after: Uint8Array] {
  const before = toBinary(
    schema,
    pick(schema, msg, (n) => n < fieldNo && !skip?.has(n), false),
  );
  const after = toBinary(
    schema,
    pick(schema, msg, (n) => n > fieldNo && !skip?.has(n), true),
  );
  return [before, after];
}

export const LEN = 2;

export function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}

/** Tag and length prefix of a length-delimited field. */
export function lenHeader(fieldNo: number, length: number): Uint8Array {
  const tag = varint(fieldNo * 8 + LEN);
  const len = varint(length);
  const out = new Uint8Array(tag.length + len.length);
  out.set(tag);
  out.set(len, tag.length);
  return out;
}
