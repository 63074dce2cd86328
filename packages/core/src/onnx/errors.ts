import { TrtkitError } from '../errors/index.js';

/** The bytes are not a well-formed ONNX protobuf; `offset` is where the reader found the problem, if known. */
export class OnnxDecodeError extends TrtkitError {
  readonly _tag = 'OnnxDecodeError';
  constructor(
    readonly offset: number | undefined,
    readonly detail: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(`invalid ONNX protobuf${offset === undefined ? '' : ` at byte ${offset}`}: ${detail}`, {
      hint:
        options?.hint ?? 'the file is truncated or is not an ONNX model; re-export it or check the download',
      cause: options?.cause,
    });
  }
}

/**
 * An external-data `location` points outside the model's directory (absolute path, `..`, or a symlink out).
 * Loaders that follow such paths can be made to read any file on the machine, so it is refused.
 */
export class ExternalDataPathError extends TrtkitError {
  readonly _tag = 'ExternalDataPathError';
  constructor(
    readonly location: string,
    readonly reason: string,
  ) {
    super(`external data location ${JSON.stringify(location)} refused: ${reason}`, {
      hint: 'external data files must sit in the model directory (or below it) and be named by a relative path',
    });
  }
}

/** An external-data reference is malformed or points past the end of its file. */
export class ExternalDataRangeError extends TrtkitError {
  readonly _tag = 'ExternalDataRangeError';
  constructor(
    readonly tensor: string,
    message: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(`tensor ${JSON.stringify(tensor)}: ${message}`, {
      hint:
        options?.hint ?? 'the external data file does not match the model; copy both from the same export',
      cause: options?.cause,
    });
  }
}

/** A write would replace an existing file and the caller did not ask for that. */
export class OutputExistsError extends TrtkitError {
  readonly _tag = 'OutputExistsError';
  constructor(readonly path: string) {
    super(`${path} already exists`, { hint: 'pass overwrite: true (CLI: --force) to replace it' });
  }
}

/** The model does not fit a single protobuf (2 GiB) or a tensor cannot be turned into bytes. */
export class OnnxEncodeError extends TrtkitError {
  readonly _tag = 'OnnxEncodeError';
}
