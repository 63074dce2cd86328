import type { PassModel } from './model.js';
import type { Condition } from './pass.js';

/** Builds a condition from a predicate; `reason` explains a failure. */
export function condition<M = PassModel>(
  name: string,
  holds: (model: M) => boolean,
  reason: string | ((model: M) => string) = `${name} does not hold`,
): Condition<M> {
  return {
    name,
    check: (model) => (holds(model) ? true : typeof reason === 'function' ? reason(model) : reason),
  };
}

/** The first condition that fails, with its reason; undefined when all hold. */
export function firstFailing<M>(
  conditions: readonly Condition<M>[] | undefined,
  model: M,
): { condition: Condition<M>; reason: string } | undefined {
  for (const c of conditions ?? []) {
    const r = c.check(model);
    if (r !== true) return { condition: c, reason: r };
  }
  return undefined;
}
