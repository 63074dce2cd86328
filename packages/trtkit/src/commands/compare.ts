import { parseArgs } from 'node:util';
import {
  type HostTensor,
  InvalidArgumentError,
  Model,
  type ModelProto,
  readModel,
  readTensors,
  writeNpz,
} from '@trtkit/core';
import { getRecipe, prepareInputs } from '@trtkit/models';
import { OrtBackend } from '@trtkit/ort';
import {
  type ComparisonResult,
  compareModels,
  compareWithExpected,
  type OutputComparison,
} from '@trtkit/passes';
import type { Command } from '../cli/command.js';

function row(o: OutputComparison): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));
  return `${o.pass ? 'ok  ' : 'FAIL'} ${o.name.padEnd(28)} maxAbs ${f(o.maxAbs)}  meanAbs ${f(o.meanAbs)}  maxRel ${f(o.maxRel)}  cos ${o.cosine.toFixed(6)}${o.reason ? `  (${o.reason})` : ''}`;
}

/** Splits an npz of `input.<name>` / `output.<name>` keys (our fixtures) or plain names into inputs. */
function inputsFrom(npz: Record<string, HostTensor>): Record<string, HostTensor> {
  const prefixed = Object.entries(npz).filter(([k]) => k.startsWith('input.'));
  return prefixed.length ? Object.fromEntries(prefixed.map(([k, v]) => [k.slice(6), v])) : npz;
}

function outputsFrom(npz: Record<string, HostTensor>): Record<string, HostTensor> {
  const prefixed = Object.entries(npz).filter(([k]) => k.startsWith('output.'));
  return prefixed.length ? Object.fromEntries(prefixed.map(([k, v]) => [k.slice(7), v])) : npz;
}

/**
 * Inputs made from images by a recipe's preprocessing, as `trtkit infer` would feed them: sized for the model's image
 * input when that is static, with the pixel mask when the model reads one.
 */
async function imageInputs(
  model: ModelProto,
  recipeName: string,
  images: readonly string[],
): Promise<Record<string, HostTensor>> {
  const recipe = getRecipe(recipeName);
  const inputs = Model.fromProto(model).graph.inputs;
  const find = (name: string) => inputs.find((v) => v?.name === name);
  const image = find(recipe.input);
  if (!image) {
    throw new InvalidArgumentError(`the model has no input '${recipe.input}' for recipe '${recipeName}'`, {
      hint: `its inputs are: ${inputs.map((v) => v?.name).join(', ')}`,
    });
  }
  const dims = image.shape;
  const padTo =
    typeof dims?.[2] === 'number' && typeof dims?.[3] === 'number' ? [dims[2], dims[3]] : undefined;
  const mask = recipe.maskInput && find(recipe.maskInput) ? recipe.maskInput : undefined;
  const prepared = await prepareInputs(images, recipe.resize, recipe.normalize, padTo as [number, number], {
    resample: recipe.resample,
    mask: mask !== undefined,
  });
  return { [recipe.input]: prepared.pixelValues, ...(mask ? { [mask]: prepared.pixelMask } : {}) };
}

/** `trtkit compare`: two models on the same inputs, or one against saved outputs; exit 1 when they disagree. */
export const compare: Command = {
  name: 'compare',
  summary:
    'compare two models (or one against saved outputs) on the reference backend; --bisect finds the node',
  usage: [
    'trtkit compare <a.onnx> [<b.onnx>] [--inputs x.npz | --images a.jpg,b.png --recipe <name>] [--expect y.npz]',
    '               [--save-outputs out.npz] [--force] [--atol 1e-5] [--rtol 1e-3] [--seed N] [--bisect] [--json]',
    '',
    'With two models: b is checked against a on the same inputs (seeded random unless --inputs or --images).',
    "--images: real images through the recipe's preprocessing (as `trtkit infer` feeds them), one batch.",
    'With --expect: the model is checked against saved outputs (keys <name> or output.<name>; inputs input.<name>).',
    'Exit code 1 when any output is outside atol + rtol * |reference|, has NaN/Inf, or is all zeros.',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        inputs: { type: 'string' },
        images: { type: 'string', multiple: true },
        recipe: { type: 'string' },
        expect: { type: 'string' },
        'save-outputs': { type: 'string' },
        force: { type: 'boolean' },
        atol: { type: 'string', default: '1e-5' },
        rtol: { type: 'string', default: '1e-3' },
        seed: { type: 'string', default: '0' },
        bisect: { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
    const [a, b] = positionals;
    if (!a || (!b && !values.expect) || positionals.length > 2) {
      throw new InvalidArgumentError('compare needs two models, or one model and --expect', {
        hint: compare.usage.split('\n')[0],
      });
    }
    const tolerance = { atol: Number(values.atol), rtol: Number(values.rtol) };
    if (!(tolerance.atol >= 0) || !(tolerance.rtol >= 0))
      throw new InvalidArgumentError('--atol and --rtol must be >= 0');
    const images = (values.images ?? []).flatMap((v) => v.split(',')).filter((v) => v !== '');
    if (images.length && (!values.recipe || values.inputs)) {
      throw new InvalidArgumentError('--images needs --recipe (and excludes --inputs)', {
        hint: 'e.g. --images street.jpg --recipe detr',
      });
    }
    const backend = new OrtBackend();
    const reference = (await readModel(a)).model;
    const npzIn = values.inputs
      ? readTensors(values.inputs)
      : images.length
        ? await imageInputs(reference, values.recipe!, images)
        : undefined;
    let result: ComparisonResult & { bisect?: unknown };
    let outputs: Record<string, HostTensor> | undefined;
    if (values.expect) {
      const npz = readTensors(values.expect);
      const inputs = npzIn ? inputsFrom(npzIn) : inputsFrom(npz);
      result = await compareWithExpected(backend, reference, inputs, outputsFrom(npz), tolerance);
    } else {
      const candidate = (await readModel(b!)).model;
      const r = await compareModels(backend, reference, candidate, {
        ...(npzIn ? { inputs: inputsFrom(npzIn) } : { random: { seed: Number(values.seed) } }),
        tolerance,
        bisect: values.bisect ?? false,
      });
      result = r;
      outputs = r.candidateOutputs;
    }
    if (values['save-outputs'] && outputs) {
      writeNpz(values['save-outputs'], outputs, { overwrite: values.force ?? false });
    }
    if (values.json) {
      io.out(
        JSON.stringify(
          { pass: result.pass, outputs: result.outputs, ...(result.bisect ? { bisect: result.bisect } : {}) },
          null,
          2,
        ),
      );
    } else {
      for (const o of result.outputs) io.out(row(o));
      const div = (
        result as { bisect?: { firstDivergent?: { nodeName: string; opType: string; output: string } } }
      ).bisect?.firstDivergent;
      if (div) io.out(`first divergent node: '${div.nodeName}' (${div.opType}), output '${div.output}'`);
      io.out(result.pass ? 'PASS' : 'FAIL');
    }
    return result.pass ? 0 : 1;
  },
};
