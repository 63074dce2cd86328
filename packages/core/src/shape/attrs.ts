import type { AttributeProto, GraphProto, NodeProto, TensorProto } from '../onnx/schema.js';

const dec = new TextDecoder();

/** Read-only typed access to a node's attributes (by name), as plain JS numbers and strings. */
export class Attrs {
  readonly #byName: Map<string, AttributeProto>;

  constructor(attrs: readonly AttributeProto[]) {
    this.#byName = new Map(attrs.map((a) => [a.name, a]));
  }

  static of(node: NodeProto): Attrs {
    return new Attrs(node.attribute);
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  int(name: string, dflt: number): number;
  int(name: string): number | undefined;
  int(name: string, dflt?: number): number | undefined {
    const a = this.#byName.get(name);
    return a ? Number(a.i) : dflt;
  }

  ints(name: string): number[] | undefined {
    const a = this.#byName.get(name);
    return a ? a.ints.map(Number) : undefined;
  }

  float(name: string, dflt: number): number {
    const a = this.#byName.get(name);
    return a ? a.f : dflt;
  }

  floats(name: string): number[] | undefined {
    const a = this.#byName.get(name);
    return a ? [...a.floats] : undefined;
  }

  string(name: string, dflt: string): string {
    const a = this.#byName.get(name);
    return a ? dec.decode(a.s) : dflt;
  }

  tensor(name: string): TensorProto | undefined {
    return this.#byName.get(name)?.t;
  }

  graph(name: string): GraphProto | undefined {
    return this.#byName.get(name)?.g;
  }

  get(name: string): AttributeProto | undefined {
    return this.#byName.get(name);
  }
}
