/**
 * Base class of every error trtkit throws or fails an Effect with.
 *
 * `_tag` makes each subclass usable with Effect's `catchTag`, while `core` itself stays free of Effect.
 * `hint` says what the user can do about it; messages say what is wrong.
 */
export abstract class TrtkitError extends Error {
  abstract readonly _tag: string;
  readonly hint: string | undefined;

  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(options?.hint ? `${message}\n  hint: ${options.hint}` : message, { cause: options?.cause });
    this.hint = options?.hint;
    this.name = new.target.name;
  }
}

/** A caller passed something impossible (bad shape, wrong dtype, unknown name). */
export class InvalidArgumentError extends TrtkitError {
  readonly _tag = 'InvalidArgumentError';
}

/** A file could not be read or written. */
export class FileError extends TrtkitError {
  readonly _tag = 'FileError';
  constructor(
    readonly path: string,
    message: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(`${path}: ${message}`, options);
  }
}
