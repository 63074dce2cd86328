import { TrtkitError } from '@trtkit/core';

/**
 * Errors a pass (or the pass manager) fails with. Each is a `TrtkitError` with a literal `_tag`,
 * so callers can use `Effect.catchTag('PatternNotFound', ...)` and the CLI prints message + hint.
 */

/** The pass looked for its pattern and found nothing (only raised by passes asked to be strict). */
export class PatternNotFound extends TrtkitError {
  readonly _tag = 'PatternNotFound';
  constructor(
    readonly pass: string,
    readonly pattern: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(`${pass}: pattern not found: ${pattern}`, options);
  }
}

/** A `requires` condition did not hold before the pass ran. */
export class PreconditionFailed extends TrtkitError {
  readonly _tag = 'PreconditionFailed';
  constructor(
    readonly pass: string,
    readonly condition: string,
    readonly reason: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(`${pass}: precondition '${condition}' failed: ${reason}`, options);
  }
}

/** An `ensures` condition did not hold after the pass ran: the pass has a bug or met a graph it cannot handle. */
export class PostconditionFailed extends TrtkitError {
  readonly _tag = 'PostconditionFailed';
  constructor(
    readonly pass: string,
    readonly condition: string,
    readonly reason: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(`${pass}: postcondition '${condition}' failed: ${reason}`, options);
  }
}

/** The model after a pass no longer computes what it computed before (on the reference backend). */
export class VerificationFailed extends TrtkitError {
  readonly _tag = 'VerificationFailed';
  constructor(
    readonly pass: string,
    readonly reason: string,
    /** Whatever the verifier measured (a compare result); kept for reports. */
    readonly detail?: unknown,
    /** The first ONNX node whose output diverges, when the verifier bisected. */
    readonly firstDivergentNode?: string,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(
      `${pass}: outputs changed after the pass: ${reason}${firstDivergentNode ? ` (first divergent node: ${firstDivergentNode})` : ''}`,
      options ?? { hint: `run without '${pass}' and report the model: the pass is not exact on it` },
    );
  }
}

/** The pass threw (a bug, or a graph it did not expect). The original error is the `cause`. */
export class PassCrashed extends TrtkitError {
  readonly _tag = 'PassCrashed';
  constructor(
    readonly pass: string,
    cause: unknown,
  ) {
    super(`${pass}: crashed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      hint: 'this is a bug in the pass or an unexpected graph; run without it and report the model',
    });
  }
}

/** A pass name that no registry knows. */
export class UnknownPass extends TrtkitError {
  readonly _tag = 'UnknownPass';
  constructor(
    readonly pass: string,
    readonly known: readonly string[],
  ) {
    super(`unknown pass '${pass}'`, { hint: `known passes: ${known.join(', ')}` });
  }
}

/** The manager ran a fixpoint group to its iteration limit and it was still changing the model. */
export class FixpointNotReached extends TrtkitError {
  readonly _tag = 'FixpointNotReached';
  constructor(
    readonly passes: readonly string[],
    readonly iterations: number,
  ) {
    super(`passes [${passes.join(', ')}] still changed the model after ${iterations} iterations`, {
      hint: 'raise maxIterations, or two passes undo each other',
    });
  }
}

/** Everything a pass itself may fail with. */
export type PassError =
  | PatternNotFound
  | PreconditionFailed
  | PostconditionFailed
  | VerificationFailed
  | PassCrashed;
