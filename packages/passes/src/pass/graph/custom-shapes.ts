import type { InferFn } from '@trtkit/core';

// Shape rules for ops outside the standard domain (the plugins passes create), so inference carries shapes
// through them. Each pass that introduces such an op registers its rule when its module loads.
const rules = new Map<string, InferFn>();

export function registerShapeRule(domain: string, opType: string, rule: InferFn): void {
  rules.set(`${domain}::${opType}`, rule);
}

export const customShapeRules = (): ReadonlyMap<string, InferFn> => rules;
