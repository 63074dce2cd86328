import { parseArgs } from 'node:util';
import {
  encodeModel,
  type HostTensor,
  InvalidArgumentError,
  readModel,
  type TensorSpec,
  tensor,
  writeModel,
} from '@trtkit/core';
import { OrtBackend } from '@trtkit/ort';
import {
  builtinPasses,
  dynamicShapesWith,
  fuseDeformableAttentionWith,
  makeSimplifyPass,
  modelFromProto,
  type PassModel,
  type PassReport,
  runPipeline,
  SIMPLIFY_STEPS,
  type SimplifyStep,
  sanitizeFor,
  toMixedPrecision,
  VerificationFailed,
  type Verifier,
  withReferenceDefinitions,
} from '@trtkit/passes';
import { Cause, Effect, Exit } from 'effect';
import type { Command } from '../cli/command.js';

/** Deterministic inputs for a model's declared inputs (symbolic dims run at 1). */
function feedsFor(specs: readonly TensorSpec[]): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (const s of specs) {
    const dims = s.dims.map((d) => (typeof d === 'number' ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    if (s.dtype === 'float32')
      feeds[s.name] = tensor('float32', dims, Float32Array.from({ length: n }, next));
    else if (s.dtype === 'int64') feeds[s.name] = tensor('int64', dims, new BigInt64Array(n));
    else if (s.dtype === 'bool') feeds[s.name] = tensor('bool', dims, new Uint8Array(n).fill(1));
    else throw new InvalidArgumentError(`--verify cannot make inputs of type ${s.dtype} (input '${s.name}')`);
  }
  return feeds;
}

/** Worst relative difference of two float outputs, relative to the reference's largest magnitude. */
function relativeError(a: HostTensor, b: HostTensor): number {
  const x = a.data as ArrayLike<number>;
  const y = b.data as ArrayLike<number>;
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < y.length; i++) scale = Math.max(scale, Math.abs(Number(y[i])));
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(Number(x[i]) - Number(y[i])));
  return scale === 0 ? worst : worst / scale;
}

/** Verifies each pass on ONNX Runtime: same inputs, every output within `tolerance` relative. */
export function ortVerifier(tolerance = 1e-5): Verifier<never, PassModel> {
  const backend = new OrtBackend({ graphOptimizationLevel: 'disabled' });
  return (before, after, pass) =>
    Effect.tryPromise({
      try: async () => {
        const e1 = await backend.build(encodeModel(before.toProto()));
        const e2 = await backend.build(encodeModel(after.toProto()));
        try {
          const feeds = feedsFor(e1.inputs);
          const [r1, r2] = [await e1.run(feeds), await e2.run(feeds)];
          for (const o of e1.outputs) {
            const a = r2[o.name];
            const b = r1[o.name] as HostTensor;
            if (!a) return `output '${o.name}' is gone`;
            if (a.dims.join() !== b.dims.join()) return `output '${o.name}' dims ${a.dims} != ${b.dims}`;
            const err = relativeError(a, b);
            if (!(err <= tolerance)) return `output '${o.name}' differs by ${err.toExponential(2)} relative`;
          }
          return true as const;
        } finally {
          await e1.dispose();
          await e2.dispose();
        }
      },
      catch: (e) =>
        new VerificationFailed(
          pass,
          `reference run failed: ${e instanceof Error ? e.message : String(e)}`,
          e,
        ),
    }).pipe(Effect.flatMap((r) => (r === true ? Effect.void : Effect.fail(new VerificationFailed(pass, r)))));
}

/** Calibration for toMixedPrecision: ONNX Runtime and one deterministic input set for the model's declared inputs. */
async function ortCalibration(model: PassModel) {
  const backend = new OrtBackend({ graphOptimizationLevel: 'disabled' });
  const probe = await backend.build(encodeModel(withReferenceDefinitions(model.toProto())));
  try {
    return { backend, feeds: [feedsFor(probe.inputs)] };
  } finally {
    await probe.dispose();
  }
}

/** Runs an Effect; a failure rethrows the typed error itself (so the CLI prints its message and hint). */
export async function runOrThrow<A, E>(effect: Effect.Effect<A, E>): Promise<A> {
  const exit = await Effect.runPromiseExit(effect);
  if (Exit.isSuccess(exit)) return exit.value;
  throw Cause.squash(exit.cause);
}

/** Reads an .onnx file into the IR; the loaded store serves external data on write. */
export async function loadIrModel(file: string) {
  const loaded = await readModel(file);
  return { loaded, model: modelFromProto(loaded.model) as PassModel };
}

function formatReport(r: PassReport): string {
  const head = `${r.pass.padEnd(16)} ${r.changed ? 'changed' : 'no change'}  -${r.nodesRemoved} +${r.nodesAdded} nodes`;
  const time = r.millis !== undefined ? `  ${r.millis.toFixed(1)} ms` : '';
  return [head + time, ...r.notes.map((n) => `  - ${n}`)].join('\n');
}

export const optimize: Command = {
  name: 'optimize',
  summary: 'run graph passes on an ONNX model (removeAuxHeads, fixGather, fuseLayerNorm, ...)',
  usage: [
    'trtkit optimize <in.onnx> -o <out.onnx> --passes a,b,c [--verify] [--json] [--force] [pass options]',
    '',
    `Passes: ${builtinPasses.names.join(', ')}`,
    '  --verify            run the model before and after each changing pass on ONNX Runtime and compare outputs',
    "  --tolerance <x>     --verify bound, relative to each output's largest magnitude (default 1e-5)",
    '  --force             replace <out.onnx> if it exists',
    'Pass options:',
    '  --input-shape n:1x3x800x1066   simplify: fix input shapes (repeatable or comma-separated; ? keeps a dim)',
    '  --size-cap <bytes>             simplify: largest folded tensor (default 1048576)',
    `  --skip <steps>                 simplify: sub-steps to leave out (${SIMPLIFY_STEPS.join(', ')})`,
    '  --batch-name <name>            dynamicShapes: name of the symbolic batch dim (default batch)',
    '  --tensorrt 10|11               sanitize: TensorRT version its lint checks against (default 10)',
    '  --strict                       fuseDeformableAttention: fail when no deformable attention is found',
    '  --keep-fp32 <sel>              toMixedPrecision: keep nodes FP32 (node name, op type or /regex/ over names; repeatable)',
    '  --force-fp16 <sel>             toMixedPrecision: compute these in FP16 even where a rule says FP32 (repeatable)',
    '  --io-dtype keep|float16        toMixedPrecision: float graph inputs/outputs stay float32 (keep) or become float16',
    '  --range-limit <x>              toMixedPrecision: largest |value| an FP16 tensor may hold (default 32768)',
    '  --calibrate                    toMixedPrecision: observe ranges and verify FP16 against FP32 on ONNX Runtime',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        passes: { type: 'string', short: 'p' },
        verify: { type: 'boolean' },
        tolerance: { type: 'string' },
        json: { type: 'boolean' },
        force: { type: 'boolean' },
        'input-shape': { type: 'string', multiple: true },
        'size-cap': { type: 'string' },
        skip: { type: 'string' },
        'batch-name': { type: 'string' },
        tensorrt: { type: 'string' },
        strict: { type: 'boolean' },
        'keep-fp32': { type: 'string', multiple: true },
        'force-fp16': { type: 'string', multiple: true },
        'io-dtype': { type: 'string' },
        'range-limit': { type: 'string' },
        calibrate: { type: 'boolean' },
      },
    });
    const input = positionals[0];
    if (!input || positionals.length > 1)
      throw new InvalidArgumentError('give exactly one input model', { hint: this.usage.split('\n')[0] });
    if (!values.out)
      throw new InvalidArgumentError('missing -o <out.onnx>', { hint: this.usage.split('\n')[0] });
    if (!values.passes)
      throw new InvalidArgumentError('missing --passes a,b,c', {
        hint: `known passes: ${builtinPasses.names.join(', ')}`,
      });

    const positive = (s: string | undefined, what: string): number | undefined => {
      if (s === undefined) return undefined;
      const v = Number(s);
      if (!Number.isFinite(v) || v <= 0)
        throw new InvalidArgumentError(`--${what} must be a positive number, got '${s}'`);
      return v;
    };
    const tolerance = positive(values.tolerance, 'tolerance');
    const skip = (values.skip ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    for (const step of skip)
      if (!(SIMPLIFY_STEPS as readonly string[]).includes(step))
        throw new InvalidArgumentError(`--skip: no simplify step '${step}'`, {
          hint: `steps: ${SIMPLIFY_STEPS.join(', ')}`,
        });
    const sizeCap = positive(values['size-cap'], 'size-cap');
    const trt = values.tensorrt;
    if (trt !== undefined && trt !== '10' && trt !== '11')
      throw new InvalidArgumentError(`--tensorrt must be 10 or 11, got '${trt}'`);
    const ioDtype = values['io-dtype'];
    if (ioDtype !== undefined && ioDtype !== 'keep' && ioDtype !== 'float16')
      throw new InvalidArgumentError(`--io-dtype must be keep or float16, got '${ioDtype}'`);
    const rangeLimit = positive(values['range-limit'], 'range-limit');
    // A selector: /regex/ matches node names; anything else is a node name or an op type.
    const selectors = (xs: string[] | undefined) =>
      (xs ?? []).map((x) =>
        x.length > 2 && x.startsWith('/') && x.endsWith('/') ? new RegExp(x.slice(1, -1)) : x,
      );
    // Passes configured by the flags replace the registry's defaults of the same name.
    const registry = builtinPasses.with(
      makeSimplifyPass({
        ...(values['input-shape'] ? { inputShapes: values['input-shape'] } : {}),
        ...(sizeCap ? { sizeCapBytes: sizeCap } : {}),
        ...(skip.length ? { skip: skip as SimplifyStep[] } : {}),
      }),
      dynamicShapesWith(values['batch-name'] ? { batchName: values['batch-name'] } : {}),
      sanitizeFor(trt ? { tensorrt: Number(trt) as 10 | 11 } : {}),
      fuseDeformableAttentionWith({ strict: values.strict === true }),
    );
    const { loaded, model } = await loadIrModel(input);
    const calibration = values.calibrate ? await ortCalibration(model) : undefined;
    const passes = await runOrThrow(
      registry
        .with(
          toMixedPrecision({
            fp16: true,
            keepFp32: selectors(values['keep-fp32']),
            forceFp16: selectors(values['force-fp16']),
            ...(ioDtype ? { ioDtype: ioDtype as 'keep' | 'float16' } : {}),
            ...(rangeLimit ? { rangeLimit } : {}),
            ...(calibration ? { calibration } : {}),
          }),
        )
        .parse(values.passes),
    );
    try {
      const verify = values.verify ? ortVerifier(tolerance) : undefined;
      const result = await runOrThrow(runPipeline(passes, model, verify ? { verify } : {}));
      const written = await writeModel(values.out, result.model.toProto(), {
        overwrite: values.force === true,
        store: loaded.externalData,
      });
      if (values.json) {
        io.out(
          JSON.stringify(
            {
              input,
              output: written.path,
              changed: result.changed,
              verified: !!verify,
              reports: result.reports,
            },
            null,
            2,
          ),
        );
      } else {
        for (const r of result.reports) io.out(formatReport(r));
        io.out(
          `wrote ${written.path} (${written.bytes} bytes)${verify ? ', outputs verified after each pass' : ''}`,
        );
      }
      return 0;
    } finally {
      loaded.externalData.close();
    }
  },
};
