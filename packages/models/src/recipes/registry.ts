import { UnknownRecipeError } from '../errors.js';
import * as families from './families.js';
import type { Recipe } from './recipe.js';

const registry = new Map<string, Recipe>(Object.values(families).map((r) => [r.name, r]));

export function recipeNames(): string[] {
  return [...registry.keys()].sort();
}

export function getRecipe(name: string): Recipe {
  const r = registry.get(name);
  if (!r) {
    throw new UnknownRecipeError(`no recipe named '${name}'`, {
      hint: `known recipes: ${recipeNames().join(', ')}`,
    });
  }
  return r;
}

/** Adds a user recipe (or replaces one of the same name when `replace`). */
export function registerRecipe(recipe: Recipe, replace = false): void {
  if (registry.has(recipe.name) && !replace) {
    throw new UnknownRecipeError(`a recipe named '${recipe.name}' exists`, {
      hint: 'pass replace=true to override it',
    });
  }
  registry.set(recipe.name, recipe);
}
