import { Effect, Either } from 'effect';
import { describe, expect, it } from 'vitest';
import {
  condition,
  definePass,
  FixpointNotReached,
  type Pass,
  PassCrashed,
  PassManager,
  PassRegistry,
  PatternNotFound,
  PostconditionFailed,
  PreconditionFailed,
  runPass,
  runPipeline,
  UnknownPass,
  VerificationFailed,
  verifierFromPromise,
} from '../../src/pass/index.js';
import { cloneToy, Toy } from './toy-model.js';

/** Removes one 'Identity' per run: needs a fixpoint to remove all. */
const dropOneIdentity = definePass<never, Toy>({
  name: 'dropOneIdentity',
  clone: cloneToy,
  apply(model, report) {
    const i = model.ops.indexOf('Identity');
    if (i < 0) return;
    model.ops.splice(i, 1);
    report.removed('Identity').note(`removed op #${i}`);
  },
});

/** Turns 'A' into 'B' in place, counting. */
const aToB = definePass<never, Toy>({
  name: 'aToB',
  clone: cloneToy,
  ensures: [condition<Toy>('no A', (m) => !m.ops.includes('A'))],
  apply(model, report) {
    model.ops = model.ops.map((op) => {
      if (op !== 'A') return op;
      report.count('rewritten').markChanged();
      return 'B';
    });
  },
});

const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(Effect.either(e));

describe('definePass', () => {
  it('never mutates its input and returns the input object when nothing changed', async () => {
    const input = new Toy(['Conv', 'Identity', 'Identity']);
    const r = await Effect.runPromise(runPass(dropOneIdentity, input));
    expect(input.ops).toEqual(['Conv', 'Identity', 'Identity']);
    expect(r.model.ops).toEqual(['Conv', 'Identity']);
    expect(r.changed).toBe(true);
    expect(r.report).toMatchObject({
      pass: 'dropOneIdentity',
      nodesRemoved: 1,
      nodesAdded: 0,
      notes: ['removed op #1'],
    });
    expect(r.report.millis).toBeGreaterThanOrEqual(0);

    const clean = new Toy(['Conv']);
    const r2 = await Effect.runPromise(runPass(dropOneIdentity, clean));
    expect(r2.changed).toBe(false);
    expect(r2.model).toBe(clean);
  });

  it('counts in-place edits via markChanged and counters', async () => {
    const r = await Effect.runPromise(runPass(aToB, new Toy(['A', 'C', 'A'])));
    expect(r.model.ops).toEqual(['B', 'C', 'B']);
    expect(r.changed).toBe(true);
    expect(r.report.counters).toEqual({ rewritten: 2 });
  });

  it('lets a body fail with a typed error through an Effect', async () => {
    const strict = definePass<never, Toy>({
      name: 'strict',
      clone: cloneToy,
      apply: (m) => (m.ops.includes('X') ? undefined : Effect.fail(new PatternNotFound('strict', 'an X op'))),
    });
    const e = await run(runPass(strict, new Toy(['A'])));
    expect(Either.isLeft(e) && e.left).toBeInstanceOf(PatternNotFound);
    expect(Either.isRight(await run(runPass(strict, new Toy(['X']))))).toBe(true);
  });
});

describe('runPass conditions and crashes', () => {
  it('fails with PreconditionFailed naming the condition, without running the pass', async () => {
    let ran = false;
    const p = definePass<never, Toy>({
      name: 'needsConv',
      clone: cloneToy,
      requires: [condition<Toy>('has Conv', (m) => m.ops.includes('Conv'), 'no Conv in the model')],
      apply: () => {
        ran = true;
      },
    });
    const e = await run(runPass(p, new Toy(['A'])));
    expect(Either.isLeft(e)).toBe(true);
    if (Either.isLeft(e)) {
      expect(e.left).toBeInstanceOf(PreconditionFailed);
      expect((e.left as PreconditionFailed).condition).toBe('has Conv');
      expect(e.left.message).toContain('no Conv in the model');
    }
    expect(ran).toBe(false);
  });

  it('errors are tagged: Effect.catchTag recovers a precondition failure by name', async () => {
    const p = definePass<never, Toy>({
      name: 'needsX',
      clone: cloneToy,
      requires: [condition<Toy>('has X', (m) => m.ops.includes('X'))],
      apply: () => {},
    });
    const recovered = await Effect.runPromise(
      runPass(p, new Toy(['A'])).pipe(
        Effect.catchTag('PreconditionFailed', (e) => Effect.succeed(`skipped: ${e.condition}`)),
      ),
    );
    expect(recovered).toBe('skipped: has X');
  });

  it('fails with PostconditionFailed when ensures does not hold', async () => {
    const broken = definePass<never, Toy>({
      name: 'broken',
      clone: cloneToy,
      ensures: [condition<Toy>('no A', (m) => !m.ops.includes('A'))],
      apply: (m, r) => {
        m.ops.push('A');
        r.added('A');
      },
    });
    const e = await run(runPass(broken, new Toy([])));
    expect(Either.isLeft(e) && e.left).toBeInstanceOf(PostconditionFailed);
  });

  it('turns a throw into PassCrashed with the cause kept', async () => {
    const boom = definePass<never, Toy>({
      name: 'boom',
      clone: cloneToy,
      apply: () => {
        throw new RangeError('index out of range');
      },
    });
    const e = await run(runPass(boom, new Toy([])));
    expect(Either.isLeft(e)).toBe(true);
    if (Either.isLeft(e)) {
      expect(e.left).toBeInstanceOf(PassCrashed);
      expect(e.left.message).toContain('index out of range');
      expect((e.left as PassCrashed).cause).toBeInstanceOf(RangeError);
    }
    // A hand-written pass that throws before returning its Effect is caught the same way.
    const raw: Pass<never, Toy> = {
      name: 'raw',
      run: () => {
        throw new Error('eager');
      },
    };
    const e2 = await run(runPass(raw, new Toy([])));
    expect(Either.isLeft(e2) && e2.left).toBeInstanceOf(PassCrashed);
  });
});

describe('PassManager', () => {
  it('runs a fixpoint group until nothing changes and collects one report per run', async () => {
    const r = await Effect.runPromise(
      new PassManager<never, Toy>()
        .add(aToB)
        .fixpoint([dropOneIdentity])
        .run(new Toy(['Identity', 'A', 'Identity', 'Identity'])),
    );
    expect(r.model.ops).toEqual(['B']);
    expect(r.changed).toBe(true);
    // aToB once, then dropOneIdentity 3 times changing + 1 time finding nothing.
    expect(r.reports.map((x) => [x.pass, x.changed])).toEqual([
      ['aToB', true],
      ['dropOneIdentity', true],
      ['dropOneIdentity', true],
      ['dropOneIdentity', true],
      ['dropOneIdentity', false],
    ]);
  });

  it('fails with FixpointNotReached at the iteration limit, or keeps the model when not strict', async () => {
    const steps = [{ fixpoint: [dropOneIdentity], maxIterations: 2 }];
    const model = new Toy(['Identity', 'Identity', 'Identity']);
    const e = await run(runPipeline<never, never, Toy>(steps, model));
    expect(Either.isLeft(e) && e.left).toBeInstanceOf(FixpointNotReached);
    const lax = await Effect.runPromise(
      runPipeline<never, never, Toy>(steps, model, { strictFixpoint: false }),
    );
    expect(lax.model.ops).toEqual(['Identity']);
    expect(model.ops).toHaveLength(3);
  });

  it('verifies each changing pass and stops at the first failure', async () => {
    const seen: string[] = [];
    const verify = verifierFromPromise<Toy>(async (before, after, pass) => {
      seen.push(pass);
      return after.ops.length === before.ops.length
        ? true
        : `op count ${before.ops.length} -> ${after.ops.length}`;
    });
    const e = await run(
      new PassManager<never, Toy>()
        .add(aToB, dropOneIdentity, aToB)
        .run(new Toy(['A', 'Identity']), { verify }),
    );
    expect(seen).toEqual(['aToB', 'dropOneIdentity']);
    expect(Either.isLeft(e)).toBe(true);
    if (Either.isLeft(e)) {
      expect(e.left).toBeInstanceOf(VerificationFailed);
      expect(e.left.message).toContain('op count 2 -> 1');
    }
  });

  it('passes a verifier needing nothing through unchanged models without calling it', async () => {
    let calls = 0;
    const verify = verifierFromPromise<Toy>(async () => {
      calls++;
      return true;
    });
    const r = await Effect.runPromise(
      new PassManager<never, Toy>().add(dropOneIdentity).run(new Toy(['C']), { verify }),
    );
    expect(r.changed).toBe(false);
    expect(calls).toBe(0);
  });
});

describe('PassRegistry', () => {
  it('resolves comma lists in order and names known passes on an unknown one', async () => {
    const reg = new PassRegistry<never, Toy>([aToB]).with(dropOneIdentity);
    const ok = await Effect.runPromise(reg.parse(' dropOneIdentity, aToB '));
    expect(ok.map((p) => p.name)).toEqual(['dropOneIdentity', 'aToB']);
    const e = await run(reg.parse('aToB,nope'));
    expect(Either.isLeft(e)).toBe(true);
    if (Either.isLeft(e)) {
      expect(e.left).toBeInstanceOf(UnknownPass);
      expect(e.left.message).toContain('dropOneIdentity');
    }
  });
});
