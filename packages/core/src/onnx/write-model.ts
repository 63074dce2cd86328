import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clone, create, toBinary } from '@bufbuild/protobuf';
import {
  FunctionProtoSchema,
  type GraphProto,
  GraphProtoSchema,
  type ModelProto,
  ModelProtoSchema,
  type NodeProto,
  NodeProtoSchema,
  type SparseTensorProto,
  SparseTensorProtoSchema,
  StringStringEntryProtoSchema,
  type TensorProto,
  TensorProto_DataLocation,
  TensorProtoSchema,
} from 'onnx-buf';
import { FileError, InvalidArgumentError, TrtkitError } from '../errors/index.js';
import { OnnxEncodeError, OutputExistsError } from './errors.js';
import { type ExternalDataStore, isExternal, safeJoin } from './external-data.js';
import { encodeAround, lenHeader, pick } from './proto-parts.js';

export interface WriteModelOptions {
  /**
   * `{ location }`: move every top-level initializer of at least `threshold` bytes (default 1024) into one file,
   * `location` (relative to the model's directory), each at an offset aligned to `align` bytes (default 4096, the
   * page size, so the file can be memory-mapped). `false` or absent: every weight is written inside the .onnx
   * file, reading external data through `store`.
   */
  readonly externalData?: { location: string; threshold?: number; align?: number } | false;
  /** Where the model's current external data is read from (LoadedModel.externalData). */
  readonly store?: ExternalDataStore;
  /** Replace existing files (default: refuse with OutputExistsError). */
  readonly overwrite?: boolean;
  /** fsync the files before renaming them into place, so a crash leaves the old or the new file (default true). */
  readonly fsync?: boolean;
}

export interface WriteModelResult {
  readonly path: string;
  /** Bytes of the .onnx file. */
  readonly bytes: number;
  readonly externalPath: string | undefined;
  readonly externalBytes: number;
  /** Tensors whose data went to the external file. */
  readonly externalTensors: number;
}

/** A part of the output: bytes already in memory, or a tensor's external data streamed from the store. */
type Piece = Uint8Array | { readonly tensor: TensorProto; readonly length: number };

const MAX_PROTOBUF = 0x7fffffff;
const RAW_DATA = 9;
const EXTERNAL_DATA = 13;
const DATA_LOCATION = 14;
const GRAPH_INITIALIZER = 5;
const MODEL_GRAPH = 7;

function pieceLength(p: Piece): number {
  return p instanceof Uint8Array ? p.byteLength : p.length;
}

function hasRawData(t: TensorProto): boolean {
  return Object.hasOwn(t, 'rawData') || t.rawData.length > 0;
}

class Plan {
  readonly external: Piece[] = [];
  externalSize = 0;
  externalTensors = 0;
  constructor(
    readonly store: ExternalDataStore | undefined,
    readonly ext: { location: string; threshold: number; align: number } | undefined,
  ) {}

  needStore(t: TensorProto): ExternalDataStore {
    if (!this.store) {
      throw new InvalidArgumentError(`tensor ${JSON.stringify(t.name)} keeps its data in an external file`, {
        hint: 'pass store: loaded.externalData (from readModel) to writeModel',
      });
    }
    return this.store;
  }

  /** Append bytes to the external file at an aligned offset; returns the offset. */
  addExternal(p: Piece): number {
    const align = this.ext?.align ?? 1;
    const pad = (align - (this.externalSize % align)) % align;
    if (pad > 0) this.external.push(new Uint8Array(pad));
    const offset = this.externalSize + pad;
    this.external.push(p);
    this.externalSize = offset + pieceLength(p);
    this.externalTensors++;
    return offset;
  }

  /** One top-level initializer as pieces (header bytes and a view or stream of its data). */
  tensor(t: TensorProto): Piece[] {
    let data: Piece | undefined;
    if (isExternal(t)) data = { tensor: t, length: this.needStore(t).locate(t).length };
    else if (hasRawData(t)) data = t.rawData;
    // Tensors in the typed fields (float_data, int64_data, ...) stay as they are: moving them would change
    // their representation, and exporters only use those fields for small tensors.
    if (!data) return [toBinary(TensorProtoSchema, t)];
    if (this.ext && pieceLength(data) >= this.ext.threshold) {
      const offset = this.addExternal(data);
      const header = pick(
        TensorProtoSchema,
        t,
        (n) => n !== RAW_DATA && n !== EXTERNAL_DATA && n !== DATA_LOCATION,
        true,
      );
      header.dataLocation = TensorProto_DataLocation.EXTERNAL;
      header.externalData = [
        entry('location', this.ext.location),
        entry('offset', String(offset)),
        entry('length', String(pieceLength(data))),
      ];
      return [toBinary(TensorProtoSchema, header)];
    }
    // Inline: fields below raw_data, raw_data, the rest; external_data/data_location dropped if it was external.
    const skip = isExternal(t) ? new Set([EXTERNAL_DATA, DATA_LOCATION]) : undefined;
    const [before, after] = encodeAround(TensorProtoSchema, t, RAW_DATA, skip);
    return [before, lenHeader(RAW_DATA, pieceLength(data)), data, after];
  }

  graph(g: GraphProto): Piece[] {
    const patched = pick(GraphProtoSchema, g, () => true, true);
    patched.node = g.node.map((n) => inlineNode(n, this));
    patched.sparseInitializer = g.sparseInitializer.map((s) => inlineSparse(s, this));
    const [before, after] = encodeAround(GraphProtoSchema, patched, GRAPH_INITIALIZER);
    const out: Piece[] = [before];
    for (const t of g.initializer) {
      const parts = this.tensor(t);
      out.push(lenHeader(GRAPH_INITIALIZER, total(parts)), ...parts);
    }
    out.push(after);
    return out;
  }

  modelPieces(m: ModelProto): Piece[] {
    const patched = pick(ModelProtoSchema, m, () => true, true);
    patched.functions = m.functions.map((f) => {
      if (!f.node.some((n) => nodeHasExternal(n))) return f;
      const copy = pick(FunctionProtoSchema, f, () => true, true);
      copy.node = f.node.map((n) => inlineNode(n, this));
      return copy;
    });
    if (!m.graph) return [toBinary(ModelProtoSchema, patched)];
    const [before, after] = encodeAround(ModelProtoSchema, patched, MODEL_GRAPH);
    const graph = this.graph(m.graph);
    return [before, lenHeader(MODEL_GRAPH, total(graph)), ...graph, after];
  }
}

function entry(key: string, value: string) {
  return create(StringStringEntryProtoSchema, { key, value });
}

function total(parts: readonly Piece[]): number {
  let n = 0;
  for (const p of parts) n += pieceLength(p);
  return n;
}

// Tensors below the top-level initializers (Constant attributes, subgraph initializers, sparse tensors) are
// written whole; any that point at external data are copied and inlined, since the old location may not be
// valid next to the new file.

function graphHasExternal(g: GraphProto): boolean {
  return (
    g.initializer.some(isExternal) ||
    g.sparseInitializer.some((s) => sparseHasExternal(s)) ||
    g.node.some((n) => nodeHasExternal(n))
  );
}
function sparseHasExternal(s: SparseTensorProto): boolean {
  return (
    (s.values !== undefined && isExternal(s.values)) || (s.indices !== undefined && isExternal(s.indices))
  );
}
function nodeHasExternal(n: NodeProto): boolean {
  for (const a of n.attribute) {
    if (a.t && isExternal(a.t)) return true;
    if (a.tensors.some(isExternal)) return true;
    if (a.sparseTensor && sparseHasExternal(a.sparseTensor)) return true;
    if (a.sparseTensors.some((s) => sparseHasExternal(s))) return true;
    if (a.g && graphHasExternal(a.g)) return true;
    if (a.graphs.some((g) => graphHasExternal(g))) return true;
  }
  return false;
}

function inlineTensorInPlace(t: TensorProto, plan: Plan): void {
  if (!isExternal(t)) return;
  t.rawData = plan.needStore(t).readSync(t);
  t.externalData = [];
  delete (t as { dataLocation?: unknown }).dataLocation;
}
function inlineGraphInPlace(g: GraphProto, plan: Plan): void {
  for (const t of g.initializer) inlineTensorInPlace(t, plan);
  for (const s of g.sparseInitializer) inlineSparseInPlace(s, plan);
  for (const n of g.node) inlineNodeInPlace(n, plan);
}
function inlineSparseInPlace(s: SparseTensorProto, plan: Plan): void {
  if (s.values) inlineTensorInPlace(s.values, plan);
  if (s.indices) inlineTensorInPlace(s.indices, plan);
}
function inlineNodeInPlace(n: NodeProto, plan: Plan): void {
  for (const a of n.attribute) {
    if (a.t) inlineTensorInPlace(a.t, plan);
    for (const t of a.tensors) inlineTensorInPlace(t, plan);
    if (a.sparseTensor) inlineSparseInPlace(a.sparseTensor, plan);
    for (const s of a.sparseTensors) inlineSparseInPlace(s, plan);
    if (a.g) inlineGraphInPlace(a.g, plan);
    for (const g of a.graphs) inlineGraphInPlace(g, plan);
  }
}
function inlineNode(n: NodeProto, plan: Plan): NodeProto {
  if (!nodeHasExternal(n)) return n;
  const copy = clone(NodeProtoSchema, n);
  inlineNodeInPlace(copy, plan);
  return copy;
}
function inlineSparse(s: SparseTensorProto, plan: Plan): SparseTensorProto {
  if (!sparseHasExternal(s)) return s;
  const copy = clone(SparseTensorProtoSchema, s);
  inlineSparseInPlace(copy, plan);
  return copy;
}

/** Writes pieces with writev: views of the weights go straight to the file, nothing is concatenated. */
class PieceWriter {
  private batch: Uint8Array[] = [];
  written = 0;
  constructor(
    private readonly fd: number,
    private readonly store: ExternalDataStore | undefined,
  ) {}

  add(p: Piece): void {
    if (p instanceof Uint8Array) {
      if (p.byteLength === 0) return;
      this.batch.push(p);
      if (this.batch.length >= 512) this.flush();
      return;
    }
    this.flush();
    // The plan checked the store exists for external pieces.
    this.store!.copySync(p.tensor, (chunk) => {
      this.batch.push(chunk);
      this.flush();
    });
  }

  flush(): void {
    let bufs = this.batch;
    this.batch = [];
    while (bufs.length > 0) {
      let n = fs.writevSync(this.fd, bufs);
      this.written += n;
      // A short write: drop what went out and retry the rest.
      let i = 0;
      while (i < bufs.length && n >= (bufs[i] as Uint8Array).byteLength) {
        n -= (bufs[i] as Uint8Array).byteLength;
        i++;
      }
      bufs = bufs.slice(i);
      if (n > 0 && bufs.length > 0) bufs[0] = (bufs[0] as Uint8Array).subarray(n);
    }
  }
}

function tempName(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
}

function writeFileAtomically(
  target: string,
  pieces: readonly Piece[],
  store: ExternalDataStore | undefined,
  durable: boolean,
): string {
  const tmp = tempName(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
    const w = new PieceWriter(fd, store);
    for (const p of pieces) w.add(p);
    w.flush();
    if (durable) fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    return tmp;
  } catch (cause) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    if (cause instanceof Error && 'code' in cause) {
      throw new FileError(target, `cannot write: ${cause.message}`, {
        cause,
        hint: 'check free disk space and permissions',
      });
    }
    throw cause;
  }
}

/**
 * Write a model to `file` atomically (temporary file in the same directory, fsync, rename), without copying
 * weights: headers are encoded and the weight bytes are handed to writev as views. Optionally moves weights to
 * or from an external data file. Refuses to replace existing files unless `overwrite` is set.
 */
export async function writeModel(
  file: string,
  model: ModelProto,
  options?: WriteModelOptions,
): Promise<WriteModelResult> {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const extOpt = options?.externalData || undefined;
  let ext: { location: string; threshold: number; align: number } | undefined;
  let extPath: string | undefined;
  if (extOpt) {
    extPath = safeJoin(dir, extOpt.location);
    const align = extOpt.align ?? 4096;
    if (!Number.isInteger(align) || align < 1)
      throw new InvalidArgumentError(`align ${align} must be a positive integer`);
    ext = { location: extOpt.location, threshold: extOpt.threshold ?? 1024, align };
    if (extPath === target)
      throw new InvalidArgumentError('the external data file cannot be the model file itself');
  }
  if (!options?.overwrite) {
    for (const p of [target, extPath])
      if (p !== undefined && fs.existsSync(p)) throw new OutputExistsError(p);
  }

  const durable = options?.fsync ?? true;
  const plan = new Plan(options?.store, ext);
  let pieces: Piece[];
  try {
    pieces = plan.modelPieces(model);
  } catch (cause) {
    if (cause instanceof TrtkitError) throw cause;
    // protobuf-es throws plain Errors for values of the wrong type.
    throw new OnnxEncodeError(
      `cannot encode the model: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
  const size = total(pieces);
  if (size > MAX_PROTOBUF) {
    throw new OnnxEncodeError(`the model is ${size} bytes, over the 2 GiB limit of one protobuf`, {
      hint: 'write the weights to external data: externalData: { location: "model.onnx.data" } (CLI: --external-data)',
    });
  }

  const tmpExt =
    extPath && plan.externalTensors > 0
      ? writeFileAtomically(extPath, plan.external, options?.store, durable)
      : undefined;
  let tmpModel: string | undefined;
  try {
    tmpModel = writeFileAtomically(target, pieces, options?.store, durable);
    if (tmpExt && extPath) fs.renameSync(tmpExt, extPath);
    fs.renameSync(tmpModel, target);
  } catch (cause) {
    if (tmpExt) fs.rmSync(tmpExt, { force: true });
    if (tmpModel) fs.rmSync(tmpModel, { force: true });
    throw cause;
  }
  if (durable) syncDir(dir);
  return {
    path: target,
    bytes: size,
    externalPath: tmpExt ? extPath : undefined,
    externalBytes: tmpExt ? plan.externalSize : 0,
    externalTensors: plan.externalTensors,
  };
}

/** Make the renames durable; not every platform lets a directory be opened, so this is best effort. */
function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // ignored: the data itself was fsynced before the rename
  }
}
