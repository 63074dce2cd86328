import { toBinary } from '@bufbuild/protobuf';
import { type ModelProto, ModelProtoSchema } from 'onnx-buf';
import { OnnxDecodeError, OnnxEncodeError } from './errors.js';
import { fastDecode } from './fast-decode.js';

export interface DecodeOptions {
  /**
   * Deepest message nesting accepted (each subgraph adds three: attribute, graph, node). Default 100, the same
   * limit as the reference C++ protobuf parser.
   */
  readonly maxDepth?: number;
  /**
   * Decode each graph's node list on first access instead of now (loading a node-heavy model then costs a scan of
   * its bytes). A malformed node then throws OnnxDecodeError at that first access, not here.
   */
  readonly lazyNodes?: boolean;
}

/**
 * Decode an ONNX model. Unknown fields are kept (so `encodeModel` gives the same bytes back) and every
 * `raw_data` is a view into `bytes`, not a copy: keep `bytes` alive and unchanged while the model is used.
 * Malformed input throws `OnnxDecodeError` with the byte offset of the problem.
 */
export function decodeModel(bytes: Uint8Array, options?: DecodeOptions): ModelProto {
  const maxDepth = options?.maxDepth ?? 100;
  // A Buffer's subarray builds a Buffer (slow, and every raw_data would be one); a plain view of the same memory.
  if (Object.getPrototypeOf(bytes) !== Uint8Array.prototype) {
    bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  try {
    return fastDecode<ModelProto>(ModelProtoSchema, bytes, maxDepth, options?.lazyNodes ?? false);
  } catch (cause) {
    if (cause instanceof OnnxDecodeError) throw cause;
    // Not expected: every check is explicit. A stack overflow or similar still becomes a typed error.
    throw new OnnxDecodeError(undefined, cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** Encode a model into one buffer. Fields go out in field-number order, unknown fields last (as C++ does). */
export function encodeModel(model: ModelProto): Uint8Array {
  try {
    return toBinary(ModelProtoSchema, model);
  } catch (cause) {
    // protobuf-es throws plain Errors for values of the wrong type (a number where a bigint belongs, ...).
    throw new OnnxEncodeError(
      `cannot encode the model: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
        hint: 'a field holds a value of the wrong type; build messages with createProto()',
      },
    );
  }
}
