/**
 * A copy of a protobuf-es message with some fields changed. Spreading (`{ ...msg }`) would drop the message's
 * prototype, where proto2 messages keep the defaults of unset optional fields: `node.domain` would read
 * `undefined` instead of `''`.
 */
export function withFields<T extends object>(msg: T, changes: Partial<T>): T {
  return Object.assign(Object.create(Object.getPrototypeOf(msg)) as T, msg, changes);
}
