import { TrtkitError } from '@trtkit/core';

/** TensorRT is not installed here, or the TensorRT addon was not built. */
export class TensorRtUnavailableError extends TrtkitError {
  readonly _tag = 'TensorRtUnavailableError';
}

/** One node TensorRT's ONNX parser refused, named as the ONNX graph names it. */
export interface ParserIssue {
  readonly node: number;
  readonly nodeName: string;
  readonly op: string;
  readonly message: string;
}

export interface TensorRtLog {
  readonly severity: number;
  readonly message: string;
}

/** TensorRT refused to parse, build, load or run. `code` names the step; parser issues name ONNX nodes. */
export class TensorRtError extends TrtkitError {
  readonly _tag = 'TensorRtError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: { logs?: readonly TensorRtLog[]; parserIssues?: readonly ParserIssue[] } = {},
    options?: { hint?: string; cause?: unknown },
  ) {
    super(`${code}: ${message}${TensorRtError.describe(details)}`, options);
  }

  private static describe(d: {
    logs?: readonly TensorRtLog[];
    parserIssues?: readonly ParserIssue[];
  }): string {
    const lines = (d.parserIssues ?? []).map(
      (p) => `\n  node ${p.node} '${p.nodeName}' (${p.op}): ${p.message}`,
    );
    const errors = (d.logs ?? []).filter((l) => l.severity <= 1).map((l) => `\n  ${l.message}`);
    return [...lines, ...errors.slice(0, 10)].join('');
  }
}

/** A saved plan does not match this machine (TensorRT version, GPU) or its bytes were damaged. */
export class PlanMismatchError extends TrtkitError {
  readonly _tag = 'PlanMismatchError';
}
