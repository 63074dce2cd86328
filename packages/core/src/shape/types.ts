import type { DType, HostTensor } from '../tensor/index.js';
import type { Attrs } from './attrs.js';

/** A dimension: a number, a symbol (`"batch"`, `"N*2"`), or null when nothing is known about it. */
export type Dim = number | string | null;

/**
 * What inference knows about one tensor. Absent fields are unknown: no `dtype` means unknown type, no `dims`
 * means unknown rank. `value` is the full constant value of a small tensor; `dimValues` holds the elements of a
 * 0-D/1-D integer tensor as dims (symbolic shape data, e.g. the output of `Shape` on a dynamic input).
 */
export interface TensorInfo {
  readonly dtype?: DType | undefined;
  readonly dims?: readonly Dim[] | undefined;
  readonly value?: HostTensor | undefined;
  readonly dimValues?: readonly Dim[] | undefined;
}

/** What one op's inference rule sees. */
export interface InferCtx {
  readonly op: string;
  readonly inputs: readonly (TensorInfo | undefined)[];
  readonly attrs: Attrs;
  readonly opset: number;
  readonly nOutputs: number;
}

/** One op's shape and type rule: output infos (an empty object for an output it cannot say anything about). */
export type InferFn = (ctx: InferCtx) => TensorInfo[];

export const UNKNOWN: TensorInfo = Object.freeze({});
