import { constantNumbers, constantOf } from './constants.js';
import type { Graph } from './graph.js';
import { sameDomain } from './graph.js';
import type { Node } from './node.js';
import type { Value } from './value.js';

/**
 * Structural patterns for rewrites: a pattern describes the producers of a value by op type, attributes and
 * wiring, never by names (they differ between exporters). Variables bind values; a variable used twice must
 * bind the same value, which is how shared inputs (`x - mean(x)`) are expressed.
 */
export type Pattern = OpPattern | VarPattern | ConstPattern | AnyPattern | OneOfPattern | OptionalPattern;

export interface OpPattern {
  readonly kind: 'op';
  readonly opType: string | readonly string[];
  readonly domain: string;
  /** Input patterns, one per slot; undefined matches any inputs. */
  readonly inputs: readonly Pattern[] | undefined;
  /** Try both input orders of a two-input op (Add, Mul, ...). */
  readonly commutative: boolean;
  /** Which output of the node the matched value must be. */
  readonly output: number;
  /** Extra condition on the node (attributes and such). */
  readonly where: ((node: Node) => boolean) | undefined;
  /** Binds the node under this name. */
  readonly as: string | undefined;
}
export interface VarPattern {
  readonly kind: 'var';
  readonly name: string;
  readonly where: ((v: Value) => boolean) | undefined;
}
export interface ConstPattern {
  readonly kind: 'const';
  readonly name: string | undefined;
  readonly where: ((values: readonly number[]) => boolean) | undefined;
}
export interface AnyPattern {
  readonly kind: 'any';
}
/** The first of several spellings that matches (each tried in turn, with backtracking). */
export interface OneOfPattern {
  readonly kind: 'oneOf';
  readonly options: readonly Pattern[];
}
/** An input that may be absent (a trailing optional input such as ReduceMean's `axes` before opset 18). */
export interface OptionalPattern {
  readonly kind: 'opt';
  readonly pattern: Pattern;
}

export interface OpOptions {
  readonly domain?: string;
  readonly commutative?: boolean;
  readonly output?: number;
  readonly where?: (node: Node) => boolean;
  readonly as?: string;
}

/** Pattern constructors: `P.op('Div', [P.op('Sub', [P.v('x'), mean]), P.any()])`. */
export const P = {
  op(opType: string | readonly string[], inputs?: readonly Pattern[], o: OpOptions = {}): OpPattern {
    return {
      kind: 'op',
      opType,
      domain: o.domain ?? '',
      inputs,
      commutative: o.commutative ?? false,
      output: o.output ?? 0,
      where: o.where,
      as: o.as,
    };
  },
  v(name: string, where?: (v: Value) => boolean): VarPattern {
    return { kind: 'var', name, where };
  },
  const(name?: string, where?: (values: readonly number[]) => boolean): ConstPattern {
    return { kind: 'const', name, where };
  },
  /** A constant scalar equal to `x` (within `tol`, relative). */
  scalar(x: number, tol = 1e-6, name?: string): ConstPattern {
    return {
      kind: 'const',
      name,
      where: (vs) => vs.length === 1 && Math.abs((vs[0] as number) - x) <= tol * Math.max(1, Math.abs(x)),
    };
  },
  any(): AnyPattern {
    return { kind: 'any' };
  },
  oneOf(...options: Pattern[]): OneOfPattern {
    return { kind: 'oneOf', options };
  },
  opt(pattern: Pattern): OptionalPattern {
    return { kind: 'opt', pattern };
  },
};

/** What a match bound: nodes by `as` name, values by variable/const name, and every node the pattern covered. */
export interface Match {
  readonly root: Node;
  readonly nodes: ReadonlyMap<string, Node>;
  readonly values: ReadonlyMap<string, Value>;
  readonly covered: readonly Node[];
}

interface Bindings {
  readonly nodes: Map<string, Node>;
  readonly values: Map<string, Value>;
  readonly covered: Node[];
}

const extend = (b: Bindings): Bindings => ({
  nodes: new Map(b.nodes),
  values: new Map(b.values),
  covered: [...b.covered],
});

function* matchPattern(p: Pattern, v: Value | undefined, b: Bindings): Generator<Bindings> {
  switch (p.kind) {
    case 'any':
      yield b;
      return;
    case 'oneOf':
      for (const o of p.options) yield* matchPattern(o, v, b);
      return;
    case 'opt':
      if (v === undefined) yield b;
      else yield* matchPattern(p.pattern, v, b);
      return;
    case 'var': {
      if (!v) return;
      const bound = b.values.get(p.name);
      if (bound) {
        if (bound === v) yield b;
        return;
      }
      if (p.where && !p.where(v)) return;
      const nb = extend(b);
      nb.values.set(p.name, v);
      yield nb;
      return;
    }
    case 'const': {
      if (!constantOf(v)) return;
      if (p.where) {
        const xs = constantNumbers(v);
        if (!xs || !p.where(xs)) return;
      }
      if (!p.name) {
        yield b;
        return;
      }
      const bound = b.values.get(p.name);
      if (bound) {
        if (bound === v) yield b;
        return;
      }
      const nb = extend(b);
      nb.values.set(p.name, v as Value);
      yield nb;
      return;
    }
    case 'op': {
      const n = v?.producer;
      if (!n || n.outputs[p.output] !== v) return;
      yield* matchNode(p, n, b);
    }
  }
}

function* matchNode(p: OpPattern, n: Node, b: Bindings): Generator<Bindings> {
  const types = typeof p.opType === 'string' ? [p.opType] : p.opType;
  if (!types.includes(n.opType) || !sameDomain(n.domain, p.domain)) return;
  if (p.where && !p.where(n)) return;
  let base = b;
  if (p.as) {
    const bound = b.nodes.get(p.as);
    if (bound && bound !== n) return;
    if (!bound) {
      base = extend(b);
      base.nodes.set(p.as, n);
    }
  }
  if (!base.covered.includes(n)) {
    if (base === b) base = extend(b);
    base.covered.push(n);
  }
  const ins = p.inputs;
  if (!ins) {
    yield base;
    return;
  }
  const actual = trimTrailing(n.inputs);
  // Trailing optional patterns may stand for absent inputs.
  let required = ins.length;
  while (required > 0 && ins[required - 1]?.kind === 'opt') required--;
  if (actual.length < required || actual.length > ins.length) return;
  const orders = p.commutative && ins.length === 2 ? [actual, [actual[1], actual[0]]] : [actual];
  for (const order of orders) yield* matchInputs(ins, order, 0, base);
}

function* matchInputs(
  ps: readonly Pattern[],
  vs: readonly (Value | undefined)[],
  i: number,
  b: Bindings,
): Generator<Bindings> {
  if (i === ps.length) {
    yield b;
    return;
  }
  for (const nb of matchPattern(ps[i] as Pattern, vs[i], b)) yield* matchInputs(ps, vs, i + 1, nb);
}

const trimTrailing = (xs: readonly (Value | undefined)[]): (Value | undefined)[] => {
  let end = xs.length;
  while (end > 0 && xs[end - 1] === undefined) end--;
  return xs.slice(0, end);
};

const toMatch = (root: Node, b: Bindings): Match => ({
  root,
  nodes: b.nodes,
  values: b.values,
  covered: b.covered,
});

/** The first way `pattern` matches with `node` as its root, if any. */
export function matchAt(pattern: OpPattern, node: Node): Match | undefined {
  for (const b of matchNode(pattern, node, { nodes: new Map(), values: new Map(), covered: [] }))
    return toMatch(node, b);
  return undefined;
}

/** The first way `pattern` explains how `value` is computed (any pattern kind; the root is its producer). */
export function matchValue(pattern: Pattern, value: Value): Match | undefined {
  const root = value.producer;
  if (!root) return undefined;
  for (const b of matchPattern(pattern, value, { nodes: new Map(), values: new Map(), covered: [] }))
    return toMatch(root, b);
  return undefined;
}

/** Every node of the graph at which `pattern` matches (first way each), in graph order. */
export function findMatches(graph: Graph, pattern: OpPattern): Match[] {
  const out: Match[] = [];
  for (const n of graph.nodes) {
    const m = matchAt(pattern, n);
    if (m) out.push(m);
  }
  return out;
}

/**
 * Whether the covered nodes other than the root are used only inside the match (and are not graph outputs):
 * only then does replacing the root's output make all of them dead.
 */
export function isSelfContained(graph: Graph, m: Match): boolean {
  const inside = new Set(m.covered);
  for (const n of m.covered) {
    if (n === m.root) continue;
    for (const o of n.outputs) {
      if (graph.isOutput(o) || graph.pinned.has(o)) return false;
      if (o.uses.some((u) => !inside.has(u.node))) return false;
    }
  }
  return true;
}
