import {
  AttributeProtoSchema,
  cloneProto,
  createProto,
  type Dim,
  type GraphProto,
  InvalidArgumentError,
  inferModel,
  type ModelProto,
  ModelProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  ValueInfoProtoSchema,
} from '@trtkit/core';
import { backendFold } from './backend-fold.js';
import { removeIdentities } from './cleanup.js';
import { removeDeadCode } from './dead-code.js';
import { dedupeConstants, eliminateCommonSubexpressions } from './dedupe.js';
import { foldConstants } from './fold.js';
import { inlineConstantIfs } from './inline-if.js';
import { parseInputShapes, type SimplifyOptions, type SimplifyStep } from './options.js';
import { countNodes, ProtoGraph } from './proto-graph.js';

export interface SimplifyReport {
  readonly nodesBefore: number;
  readonly nodesAfter: number;
  readonly initializersBefore: number;
  readonly initializersAfter: number;
  readonly iterations: number;
  /** Whether the last round changed nothing (false: stopped at `maxIterations`). */
  readonly fixpoint: boolean;
  /** Per sub-pass: nodes removed (constants deduplicated for `dedupe-constants`). */
  readonly counters: Readonly<Record<SimplifyStep, number>>;
  /** Names (or op types) of nodes removed. */
  readonly removed: readonly string[];
  /** Op types inference has no rule for: their outputs were unknown, so nothing after them folded. */
  readonly unknownOps: readonly string[];
  /** Shape nodes left whose input has a fully static shape (should be 0). */
  readonly staticShapeNodesLeft: number;
  readonly millis: number;
}

function fixInputShapes(graph: GraphProto, shapes: Readonly<Record<string, readonly Dim[]>>): void {
  for (const [name, dims] of Object.entries(shapes)) {
    const vi = graph.input.find((i) => i.name === name);
    if (!vi) {
      throw new InvalidArgumentError(`input shape given for '${name}', which is not a graph input`, {
        hint: `graph inputs: ${graph.input.map((i) => i.name).join(', ')}`,
      });
    }
    if (vi.type?.value.case !== 'tensorType') {
      throw new InvalidArgumentError(`graph input '${name}' is not a tensor`, {
        hint: 'fix only tensor inputs',
      });
    }
    const tt = vi.type.value.value;
    const old = tt.shape?.dim;
    if (old && old.length !== dims.length) {
      throw new InvalidArgumentError(
        `input '${name}' has rank ${old.length}, the given shape has ${dims.length} dims`,
        {
          hint: 'give one dim per axis, e.g. pixel_values:1x3x800x1066',
        },
      );
    }
    old?.forEach((d, i) => {
      const want = dims[i];
      if (d.value.case === 'dimValue' && typeof want === 'number' && Number(d.value.value) !== want) {
        throw new InvalidArgumentError(
          `input '${name}' axis ${i} is fixed at ${d.value.value}, not ${want}`,
          {
            hint: 'only symbolic dims can be fixed',
          },
        );
      }
    });
    tt.shape = createProto(TensorShapeProtoSchema, {
      dim: dims.map((d) =>
        createProto(TensorShapeProto_DimensionSchema, {
          value:
            typeof d === 'number'
              ? { case: 'dimValue', value: BigInt(d) }
              : typeof d === 'string'
                ? { case: 'dimParam', value: d }
                : { case: undefined },
        }),
      ),
    });
  }
}

/**
 * A copy of the model that simplify may edit, sharing what it never mutates: initializer tensors (only added or
 * dropped), attributes without subgraphs, opsets and functions. A full protobuf clone copies every weight.
 */
function cloneForEdit(input: ModelProto): ModelProto {
  const g = input.graph;
  if (!g) return cloneProto(ModelProtoSchema, input);
  const graph = shallow(g, {
    node: g.node.map((n) =>
      shallow(n, {
        input: [...n.input],
        output: [...n.output],
        attribute: n.attribute.map((a) =>
          a.g || a.graphs.length > 0 ? cloneProto(AttributeProtoSchema, a) : a,
        ),
      }),
    ),
    initializer: [...g.initializer],
    input: g.input.map((v) => cloneProto(ValueInfoProtoSchema, v)),
    output: g.output.map((v) => cloneProto(ValueInfoProtoSchema, v)),
    valueInfo: [...g.valueInfo],
  });
  return shallow(input, { graph });
}

/** A copy of a message's own fields with the same prototype (proto2 defaults live on the prototype). */
function shallow<T extends object>(msg: T, fields: Partial<T>): T {
  return Object.assign(Object.create(Object.getPrototypeOf(msg) as object) as T, msg, fields);
}

function staticShapeNodes(model: ModelProto, infos: ReturnType<typeof inferModel>['infos']): number {
  let n = 0;
  for (const node of model.graph?.node ?? []) {
    if (node.opType !== 'Shape' || (node.domain !== '' && node.domain !== 'ai.onnx')) continue;
    const dims = infos.get(node.input[0] ?? '')?.dims;
    if (dims?.every((d) => typeof d === 'number')) n++;
  }
  return n;
}

/**
 * onnx-simplifier's job in TypeScript: infer shapes, fold constants (shape arithmetic with the evaluator,
 * heavier constant subgraphs on `options.backend`), remove pass-through nodes, duplicate constants, common
 * subexpressions and dead code, round after round until nothing changes. The input model is not modified.
 */
export async function simplifyModel(
  input: ModelProto,
  options: SimplifyOptions = {},
): Promise<{ model: ModelProto; report: SimplifyReport }> {
  const t0 = performance.now();
  const model = cloneForEdit(input);
  const graph = model.graph;
  if (!graph)
    throw new InvalidArgumentError('the model has no graph', { hint: 'pass a complete ONNX model' });
  const skip = new Set(options.skip ?? []);
  const cap = options.sizeCapBytes ?? 1 << 20;
  const evalMax = options.evalMaxElements ?? 1 << 16;
  const maxIter = options.maxIterations ?? 10;
  if (options.inputShapes) {
    const shapes =
      typeof options.inputShapes === 'string' || Array.isArray(options.inputShapes)
        ? parseInputShapes(options.inputShapes as string | readonly string[])
        : (options.inputShapes as Record<string, readonly Dim[]>);
    fixInputShapes(graph, shapes);
  }
  const opset = Number(
    model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 1,
  );
  const counters: Record<SimplifyStep, number> = {
    'fold-constants': 0,
    'backend-fold': 0,
    'inline-if': 0,
    'remove-identities': 0,
    'dedupe-constants': 0,
    cse: 0,
    'dead-code': 0,
  };
  const removed: string[] = [];
  const nodesBefore = countNodes(graph);
  const initializersBefore = graph.initializer.length;
  let iterations = 0;
  let fixpoint = false;
  let unknownOps = new Set<string>();
  while (iterations < maxIter) {
    iterations++;
    let changes = 0;
    const run = (step: SimplifyStep, f: (pg: ProtoGraph) => number): number => {
      if (skip.has(step)) return 0;
      const k = f(new ProtoGraph(graph));
      counters[step] += k;
      changes += k;
      return k;
    };
    let inferred = inferModel(model, { maxValueElements: evalMax });
    unknownOps = inferred.unknownOps;
    run('fold-constants', (pg) => foldConstants(pg, inferred, cap, removed));
    // Folding replaces values by constants of the same shape, so what inference said still holds for the
    // values left; only a backend fold (new constants to propagate) needs a fresh inference.
    if (options.backend && !skip.has('backend-fold')) {
      const k = await backendFold(model, new ProtoGraph(graph), inferred, options.backend, cap, removed);
      counters['backend-fold'] += k;
      changes += k;
      if (k > 0) inferred = inferModel(model, { maxValueElements: evalMax });
    }
    // An inlined branch brings new values: infer again so the clean-up sees their shapes.
    if (run('inline-if', (pg) => inlineConstantIfs(pg, inferred, removed)) > 0) {
      inferred = inferModel(model, { maxValueElements: evalMax });
    }
    run('remove-identities', (pg) => removeIdentities(pg, inferred, opset, removed));
    run('dedupe-constants', (pg) => dedupeConstants(pg));
    run('cse', (pg) => eliminateCommonSubexpressions(pg, removed));
    run('dead-code', (pg) => removeDeadCode(pg, removed));
    if (changes === 0) {
      fixpoint = true;
      break;
    }
  }
  const finalInfo = inferModel(model, { maxValueElements: evalMax });
  const report: SimplifyReport = {
    nodesBefore,
    nodesAfter: countNodes(graph),
    initializersBefore,
    initializersAfter: graph.initializer.length,
    iterations,
    fixpoint,
    counters,
    removed,
    unknownOps: [...unknownOps].sort(),
    staticShapeNodesLeft: staticShapeNodes(model, finalInfo.infos),
    millis: performance.now() - t0,
  };
  return { model, report };
}
