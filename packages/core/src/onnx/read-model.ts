import * as fs from 'node:fs';
import * as path from 'node:path';
import { create } from '@bufbuild/protobuf';
import { type ModelProto, StringStringEntryProtoSchema, TensorProto_DataLocation } from 'onnx-buf';
import { FileError } from '../errors/index.js';
import { type DecodeOptions, decodeModel } from './codec.js';
import { OnnxDecodeError } from './errors.js';
import { ExternalDataStore, type ExternalDataStoreOptions } from './external-data.js';
import { readSkeleton } from './lazy-read.js';

export interface ReadModelOptions extends DecodeOptions, ExternalDataStoreOptions {
  /**
   * Leave top-level initializers' raw_data of at least this many bytes (`true`: 64 KiB) in the file instead of
   * reading it. Such tensors come back as external data that points at the .onnx file itself (location = its
   * file name, offset, length): `tensorBytes(t, externalData)` reads them on demand and `writeModel` writes them
   * back as raw_data, byte for byte. `encodeModel` of such a model only makes sense next to the original file.
   * Default: off (every raw_data is a view into the file's bytes).
   */
  readonly lazyWeights?: boolean | number;
}

export interface LoadedModel {
  readonly model: ModelProto;
  /** The model's directory, which external data locations are relative to. */
  readonly dir: string;
  /** Reads external tensor data on demand; `close()` it when done. */
  readonly externalData: ExternalDataStore;
  /** Size of the .onnx file in bytes (external data not counted). */
  readonly bytes: number;
  /** Initializers left in the file by `lazyWeights` (0 when off). */
  readonly lazyTensors: number;
}

/** A protobuf message cannot exceed 2 GiB; larger models keep their weights in external data. */
const MAX_PROTOBUF = 0x7fffffff;
const CHUNK = 64 * 1024 * 1024;

function readChunk(fd: number, buf: Uint8Array, at: number, len: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buf, at, len, pos, (err, n) => (err ? reject(err) : resolve(n)));
  });
}

/**
 * Read and decode an .onnx file. Weights stay views into the file's bytes (or, with `lazyWeights`, in the file);
 * external data is not read until asked for through `externalData`.
 */
export async function readModel(file: string, options?: ReadModelOptions): Promise<LoadedModel> {
  const full = path.resolve(file);
  const dir = path.dirname(full);
  let fd: number;
  try {
    fd = fs.openSync(full, 'r');
  } catch (cause) {
    throw new FileError(full, 'cannot open the model', { cause, hint: 'check the path and permissions' });
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new FileError(full, 'is not a file');
    if (st.size > MAX_PROTOBUF) {
      throw new OnnxDecodeError(
        undefined,
        `${full} is ${st.size} bytes; an ONNX protobuf cannot exceed 2 GiB`,
        {
          hint: 'save models over 2 GiB with external data (trtkit convert --external-data)',
        },
      );
    }
    const store = new ExternalDataStore(dir, options);
    const lazy = options?.lazyWeights;
    if (lazy !== undefined && lazy !== false) {
      const threshold = lazy === true ? 64 * 1024 : lazy;
      const found = readSkeleton(fd, st.size, threshold);
      if (found) {
        const model = decodeModel(found.skeleton, options);
        const location = path.basename(full);
        const initializers = model.graph?.initializer ?? [];
        for (const s of found.skipped) {
          const t = initializers[s.initializer];
          if (!t)
            throw new OnnxDecodeError(undefined, `initializer ${s.initializer} vanished while decoding`);
          t.dataLocation = TensorProto_DataLocation.EXTERNAL;
          t.externalData = [
            create(StringStringEntryProtoSchema, { key: 'location', value: location }),
            create(StringStringEntryProtoSchema, { key: 'offset', value: String(s.offset) }),
            create(StringStringEntryProtoSchema, { key: 'length', value: String(s.length) }),
          ];
        }
        return { model, dir, externalData: store, bytes: st.size, lazyTensors: found.skipped.length };
      }
    }
    // Whole file, in large reads (fs.readFile reads 512 KiB at a time).
    const bytes = new Uint8Array(st.size);
    let done = 0;
    while (done < st.size) {
      const n = await readChunk(fd, bytes, done, Math.min(CHUNK, st.size - done), done);
      if (n === 0) throw new FileError(full, 'file shrank while reading');
      done += n;
    }
    const model = decodeModel(bytes, options);
    return { model, dir, externalData: store, bytes: st.size, lazyTensors: 0 };
  } catch (cause) {
    if (cause instanceof FileError || cause instanceof OnnxDecodeError) throw cause;
    throw new FileError(full, 'cannot read the model', { cause, hint: 'check the path and permissions' });
  } finally {
    fs.closeSync(fd);
  }
}
