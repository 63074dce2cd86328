import { Effect } from 'effect';
import { UnknownPass } from './errors.js';
import type { PassModel } from './model.js';
import type { Pass } from './pass.js';

/** Passes by name, for the CLI (`--passes a,b,c`) and recipes. */
export class PassRegistry<R = never, M = PassModel> {
  readonly #passes = new Map<string, Pass<R, M>>();

  constructor(passes: readonly Pass<R, M>[] = []) {
    for (const p of passes) this.#passes.set(p.name, p);
  }

  /** A new registry with these passes added (a later pass replaces one of the same name). */
  with<R2>(...passes: readonly Pass<R2, M>[]): PassRegistry<R | R2, M> {
    return new PassRegistry<R | R2, M>([...this.#passes.values(), ...passes]);
  }

  get names(): readonly string[] {
    return [...this.#passes.keys()];
  }

  get(name: string): Pass<R, M> | undefined {
    return this.#passes.get(name);
  }

  /** Looks up every name; fails with `UnknownPass` (listing the known names) on the first unknown one. */
  resolve(names: readonly string[]): Effect.Effect<Pass<R, M>[], UnknownPass> {
    const out: Pass<R, M>[] = [];
    for (const n of names) {
      const p = this.#passes.get(n);
      if (!p) return Effect.fail(new UnknownPass(n, this.names));
      out.push(p);
    }
    return Effect.succeed(out);
  }

  /** Parses `a,b , c` into names and resolves them. */
  parse(list: string): Effect.Effect<Pass<R, M>[], UnknownPass> {
    return this.resolve(
      list
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    );
  }
}
