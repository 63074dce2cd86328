import { create } from '@bufbuild/protobuf';
import { type TensorProto, TensorProto_DataLocation, TensorProtoSchema } from '../onnx/schema.js';
import { tensorBytes, typedView } from '../onnx/tensor-bytes.js';
import { DTYPES, type DType, dtypeFromOnnx, TYPED_ARRAYS } from '../tensor/index.js';

/**
 * A weight of the IR: a thin view over its TensorProto. Bytes stay where the codec left them (zero-copy views
 * into the file) until `data()` asks for typed values.
 */
export class IrTensor {
  constructor(readonly proto: TensorProto) {}
  get dtype(): string {
    return dtypeFromOnnx(this.proto.dataType) ?? `onnx:${this.proto.dataType}`;
  }
  get dims(): number[] {
    return this.proto.dims.map(Number);
  }
  get isExternal(): boolean {
    return this.proto.dataLocation === TensorProto_DataLocation.EXTERNAL;
  }
  /** Typed elements (float16/bfloat16 as their raw uint16 bits). Throws for external data not yet loaded. */
  data(): ArrayLike<number | bigint> {
    return typedView(tensorBytes(this.proto), this.proto.dataType) as ArrayLike<number | bigint>;
  }

  /** A new weight from plain values; `data` is converted to the dtype's typed array. */
  static from(
    name: string,
    dtype: Exclude<DType, 'string'>,
    dims: readonly number[],
    data: ArrayLike<number | bigint | boolean>,
  ): IrTensor {
    const Ctor = TYPED_ARRAYS[dtype] as unknown as {
      from(x: ArrayLike<unknown>, f?: (v: unknown) => unknown): ArrayBufferView;
    };
    const big = dtype === 'int64' || dtype === 'uint64';
    const arr = Ctor.from(data as ArrayLike<unknown>, (x) => (big ? BigInt(x as number) : Number(x)));
    const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
    return new IrTensor(
      create(TensorProtoSchema, {
        name,
        dataType: DTYPES[dtype].onnx,
        dims: dims.map(BigInt),
        rawData: bytes as Uint8Array<ArrayBuffer>,
      }),
    );
  }
}
