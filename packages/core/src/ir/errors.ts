import { TrtkitError } from '../errors/index.js';

/** A node reads a tensor that no node, graph input or initializer defines. */
export class UndefinedTensorError extends TrtkitError {
  readonly _tag = 'UndefinedTensorError';
  constructor(
    readonly tensor: string,
    readonly node: string,
  ) {
    super(
      `node ${JSON.stringify(node)} reads tensor ${JSON.stringify(tensor)}, which nothing in the graph defines`,
      {
        hint: 'the model is incomplete: re-export it, or add the missing graph input or initializer',
      },
    );
  }
}

/** The graph's nodes depend on each other in a cycle, so no execution order exists. */
export class GraphCycleError extends TrtkitError {
  readonly _tag = 'GraphCycleError';
  constructor(readonly nodes: readonly string[]) {
    super(`the graph has a cycle through ${nodes.length} node(s): ${nodes.slice(0, 5).join(', ')}`, {
      hint: 'ONNX graphs must be acyclic; the export or an earlier edit is broken',
    });
  }
}

/** A graph edit was asked for something the IR cannot do (a value from another graph, a missing node...). */
export class GraphEditError extends TrtkitError {
  readonly _tag = 'GraphEditError';
}
