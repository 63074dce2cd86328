import type { ValueInfoProto } from '../onnx/schema.js';
import type { Dim, TensorInfo } from '../shape/types.js';
import type { Node } from './node.js';
import type { IrTensor } from './tensor.js';

/** One reading of a value: input slot `index` of `node`. */
export interface Use {
  readonly node: Node;
  readonly index: number;
}

/**
 * A tensor of the graph. `producer` and `uses` are kept true by every edit the IR offers; `dtype`/`dims` are what
 * the file (or a pass) declared, `inferred` what shape inference last said.
 */
export class Value {
  producer: Node | undefined;
  readonly uses: Use[] = [];
  initializer: IrTensor | undefined;
  /** Result of the last `inferShapes` over the model (may be stale after edits: re-run it). */
  inferred: TensorInfo | undefined;
  /** The file's own value_info for this tensor, written back unchanged while dtype and dims stay as loaded. */
  declared: { readonly proto: ValueInfoProto; readonly key: string } | undefined;

  constructor(
    public name: string,
    public dtype: string | undefined,
    public dims: Dim[] | undefined,
  ) {}

  /** Dims as declared, else as inferred. */
  get shape(): readonly Dim[] | undefined {
    return this.initializer ? this.initializer.dims : (this.dims ?? this.inferred?.dims);
  }
  get rank(): number | undefined {
    return this.shape?.length;
  }
  get type(): string | undefined {
    return this.initializer?.dtype ?? this.dtype ?? this.inferred?.dtype;
  }
}

export const typeKey = (dtype: string | undefined, dims: readonly Dim[] | undefined): string =>
  JSON.stringify([dtype ?? null, dims ?? null]);
