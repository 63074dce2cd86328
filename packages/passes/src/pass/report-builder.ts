import type { PassReport } from './pass.js';

/** Something that can be named in a report: an IR node, or anything with a name / op type. */
export interface Reportable {
  readonly name?: string | undefined;
  readonly opType?: string | undefined;
}

function label(x: Reportable | string): string {
  if (typeof x === 'string') return x;
  return x.name || (x.opType ? `<${x.opType}>` : '<node>');
}

/**
 * Collects what a pass did while it walks the graph; `definePass` hands one to the pass body.
 * A pass is `changed` when it removed or added a node, touched an output, or called `markChanged`.
 */
export class ReportBuilder {
  readonly #pass: string;
  #removed: string[] = [];
  #added: string[] = [];
  #outputs = new Set<string>();
  #notes: string[] = [];
  #counters: Record<string, number> = {};
  #changed = false;

  constructor(pass: string) {
    this.#pass = pass;
  }

  /** Records removed nodes. */
  removed(...nodes: readonly (Reportable | string)[]): this {
    for (const n of nodes) this.#removed.push(label(n));
    return this;
  }

  /** Records added nodes. */
  added(...nodes: readonly (Reportable | string)[]): this {
    for (const n of nodes) this.#added.push(label(n));
    return this;
  }

  /** Records that a graph output (by name) changed producer, name, dtype or shape. */
  outputTouched(...names: readonly string[]): this {
    for (const n of names) this.#outputs.add(n);
    return this;
  }

  note(text: string): this {
    this.#notes.push(text);
    return this;
  }

  count(counter: string, by = 1): this {
    this.#counters[counter] = (this.#counters[counter] ?? 0) + by;
    return this;
  }

  /** For edits that neither add nor remove nodes (an attribute or initializer rewritten in place). */
  markChanged(): this {
    this.#changed = true;
    return this;
  }

  get changed(): boolean {
    return this.#changed || this.#removed.length > 0 || this.#added.length > 0 || this.#outputs.size > 0;
  }

  build(): PassReport {
    return {
      pass: this.#pass,
      changed: this.changed,
      nodesRemoved: this.#removed.length,
      nodesAdded: this.#added.length,
      outputsTouched: [...this.#outputs],
      notes: [...this.#notes],
      removed: [...this.#removed],
      added: [...this.#added],
      counters: { ...this.#counters },
    };
  }
}
