import type { ModelProto } from '@trtkit/core';

// PLACEHOLDER until @trtkit/core exports the IR: the primitives the graph helpers use. Replaced by core's types.
export type AttrValue =
  | number
  | string
  | number[]
  | string[]
  | { float: number }
  | { floats: number[] }
  | unknown;
export interface Use {
  readonly node: Node;
  readonly index: number;
}
export interface TensorLike {
  readonly dtype: string;
  readonly dims: readonly number[];
  data(): ArrayLike<number | bigint | boolean>;
}
export interface Value {
  name: string;
  readonly producer: Node | undefined;
  readonly uses: readonly Use[];
  dtype: string | undefined;
  dims: (number | string | null)[] | undefined;
  readonly initializer: TensorLike | undefined;
}
export interface Node {
  opType: string;
  domain: string;
  name: string;
  readonly inputs: readonly (Value | undefined)[];
  readonly outputs: readonly Value[];
  getAttr(name: string):
    | {
        kind: 'int' | 'ints' | 'float' | 'floats' | 'string' | 'strings' | 'tensor' | 'other';
        value: unknown;
      }
    | undefined;
  setAttr(name: string, kind: 'int' | 'ints' | 'float', value: number | number[]): void;
  setInput(i: number, v: Value | undefined): void;
}
export interface Graph {
  readonly nodes: readonly Node[];
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  createValue(name: string): Value;
  createInitializer(
    name: string,
    dtype: string,
    dims: readonly number[],
    data: ArrayLike<number | bigint>,
  ): Value;
  insertNode(
    spec: {
      opType: string;
      domain?: string;
      name?: string;
      inputs: readonly (Value | undefined)[];
      outputs: number;
      attributes?: Record<string, unknown>;
    },
    before?: Node,
  ): Node;
  removeNode(node: Node): void;
  replaceAllUses(old: Value, by: Value): void;
  setOutput(i: number, v: Value): void;
  removeUnused(): Node[];
  uniqueName(hint: string): string;
}
export interface Model {
  readonly graph: Graph;
  opset(domain: string): number | undefined;
  setOpset(domain: string, version: number): void;
  clone(): Model;
  toProto(): ModelProto;
}
