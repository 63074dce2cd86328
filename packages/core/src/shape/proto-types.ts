import { create } from '@bufbuild/protobuf';
import {
  type TensorProto,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  type TypeProto,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  type ValueInfoProto,
} from '../onnx/schema.js';
import { DTYPES, dtypeFromOnnx } from '../tensor/index.js';
import type { Dim, TensorInfo } from './types.js';

/** What a ValueInfoProto declares (tensor types only; sequences and maps are unknown). */
export function infoFromType(type: TypeProto | undefined): TensorInfo {
  if (type?.value.case !== 'tensorType') return {};
  const t = type.value.value;
  const dtype = dtypeFromOnnx(t.elemType);
  if (!t.shape) return { dtype };
  const dims: Dim[] = t.shape.dim.map((d) =>
    d.value.case === 'dimValue'
      ? Number(d.value.value)
      : d.value.case === 'dimParam' && d.value.value
        ? d.value.value
        : null,
  );
  return { dtype, dims };
}

export function infoFromValueInfo(vi: ValueInfoProto): TensorInfo {
  return infoFromType(vi.type);
}

export function infoFromTensor(t: TensorProto): TensorInfo {
  return { dtype: dtypeFromOnnx(t.dataType), dims: t.dims.map(Number) };
}

/** A TypeProto for what inference found (unknown dims get neither value nor param, as ONNX does). */
export function typeFromInfo(info: TensorInfo): TypeProto | undefined {
  if (!info.dtype) return undefined;
  const shape = info.dims
    ? create(TensorShapeProtoSchema, {
        dim: info.dims.map((d) =>
          create(TensorShapeProto_DimensionSchema, {
            value:
              typeof d === 'number'
                ? { case: 'dimValue', value: BigInt(d) }
                : typeof d === 'string'
                  ? { case: 'dimParam', value: d }
                  : { case: undefined },
          }),
        ),
      })
    : undefined;
  return create(TypeProtoSchema, {
    value: {
      case: 'tensorType',
      value: create(TypeProto_TensorSchema, {
        elemType: DTYPES[info.dtype].onnx,
        ...(shape ? { shape } : {}),
      }),
    },
  });
}
