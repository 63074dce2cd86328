// The lossless ONNX codec: decode/encode ModelProto, external data, tensor bytes, chunked atomic writes.
export { type DecodeOptions, decodeModel, encodeModel } from './codec.js';
export {
  ExternalDataPathError,
  ExternalDataRangeError,
  OnnxDecodeError,
  OnnxEncodeError,
  OutputExistsError,
} from './errors.js';
export {
  ExternalDataStore,
  type ExternalDataStoreOptions,
  type ExternalRef,
  externalRef,
  isExternal,
} from './external-data.js';
export { type LoadedModel, type ReadModelOptions, readModel } from './read-model.js';
export * from './schema.js';
export {
  elementByteLength,
  type TypedViewOf,
  tensorByteLength,
  tensorBytes,
  tensorBytesAsync,
  tensorElementCount,
  typedView,
} from './tensor-bytes.js';
export { type WriteModelOptions, type WriteModelResult, writeModel } from './write-model.js';
