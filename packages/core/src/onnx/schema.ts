// The ONNX schema (ONNX 1.20, IR 13) as protobuf-es messages. Other packages import ONNX types from here only.

// protobuf-es helpers, renamed so they read clearly next to the IR's own functions.
export { clone as cloneProto, create as createProto, equals as protoEquals } from '@bufbuild/protobuf';
export type {
  AttributeProto,
  FunctionProto,
  GraphProto,
  ModelProto,
  NodeProto,
  OperatorSetIdProto,
  SparseTensorProto,
  StringStringEntryProto,
  TensorAnnotation,
  TensorProto,
  TensorShapeProto,
  TensorShapeProto_Dimension,
  TrainingInfoProto,
  TypeProto,
  TypeProto_Tensor,
  ValueInfoProto,
} from 'onnx-buf';
export * as onnx from 'onnx-buf';
export {
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  FunctionProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  SparseTensorProtoSchema,
  StringStringEntryProtoSchema,
  TensorAnnotationSchema,
  TensorProto_DataLocation,
  TensorProto_DataType,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TrainingInfoProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
} from 'onnx-buf';
