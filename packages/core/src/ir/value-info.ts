import { create } from '@bufbuild/protobuf';
import { type ValueInfoProto, ValueInfoProtoSchema } from '../onnx/schema.js';
import { infoFromValueInfo, typeFromInfo } from '../shape/proto-types.js';
import type { Dim } from '../shape/types.js';
import { type DType, isDType } from '../tensor/index.js';
import { withFields } from './message.js';
import { typeKey, type Value } from './value.js';

/** dtype and dims a value_info declares (absent when it declares none, or a non-tensor type). */
export function declaredOf(vi: ValueInfoProto | undefined): { dtype?: string; dims?: Dim[] } {
  if (!vi) return {};
  const info = infoFromValueInfo(vi);
  return { ...(info.dtype ? { dtype: info.dtype } : {}), ...(info.dims ? { dims: [...info.dims] } : {}) };
}

/** The value_info to write for `v`: the file's own entry when nothing about it changed, else a fresh one. */
export function valueInfoOf(v: Value): ValueInfoProto {
  const d = v.declared;
  if (d && d.key === typeKey(v.dtype, v.dims))
    return d.proto.name === v.name ? d.proto : withFields(d.proto, { name: v.name });
  const type =
    v.dtype && isDType(v.dtype) ? typeFromInfo({ dtype: v.dtype as DType, dims: v.dims }) : undefined;
  return create(ValueInfoProtoSchema, {
    name: v.name,
    ...(d?.proto.docString ? { docString: d.proto.docString } : {}),
    ...(type ? { type } : {}),
  });
}
