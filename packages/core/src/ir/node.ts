import type { AttributeProto, NodeProto } from '../onnx/schema.js';
import { type AttrReading, type AttrWrite, makeAttr, readAttr } from './attributes.js';
import type { Value } from './value.js';

/** One operator application. Inputs may have holes (`undefined`: an omitted optional input). */
export class Node {
  readonly inputs: (Value | undefined)[] = [];
  readonly outputs: Value[] = [];
  constructor(
    public opType: string,
    public domain: string,
    public name: string,
    public attrs: AttributeProto[],
    /** The node as loaded (doc strings, metadata and unknown fields are written back from it). */
    readonly source?: NodeProto,
  ) {}

  getAttr(name: string): AttrReading | undefined {
    const a = this.attrs.find((x) => x.name === name);
    return a ? readAttr(a) : undefined;
  }
  /** Sets (or replaces) an attribute. The short form `(name, 'int', 3)` is kept for pass authors. */
  setAttr(name: string, kind: 'int' | 'ints' | 'float', value: number | readonly number[]): void;
  setAttr(name: string, write: AttrWrite): void;
  setAttr(
    name: string,
    kindOrWrite: 'int' | 'ints' | 'float' | AttrWrite,
    value?: number | readonly number[],
  ): void {
    const w: AttrWrite =
      typeof kindOrWrite === 'string'
        ? kindOrWrite === 'ints'
          ? { ints: value as readonly number[] }
          : kindOrWrite === 'int'
            ? { int: value as number }
            : { float: value as number }
        : kindOrWrite;
    const a = makeAttr(name, w);
    const i = this.attrs.findIndex((x) => x.name === name);
    this.attrs = i >= 0 ? this.attrs.map((x, k) => (k === i ? a : x)) : [...this.attrs, a];
  }
  removeAttr(name: string): void {
    this.attrs = this.attrs.filter((x) => x.name !== name);
  }
  /** Rewires input slot `i` (keeping both values' use lists true). */
  setInput(i: number, v: Value | undefined): void {
    const old = this.inputs[i];
    if (old) {
      const k = old.uses.findIndex((u) => u.node === this && u.index === i);
      if (k >= 0) old.uses.splice(k, 1);
    }
    while (this.inputs.length < i) this.inputs.push(undefined);
    this.inputs[i] = v;
    if (v) v.uses.push({ node: this, index: i });
  }
}
