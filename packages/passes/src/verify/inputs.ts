import { type DType, type HostTensor, InvalidArgumentError, type TensorSpec, tensor } from '@trtkit/core';

/** A small, fast, seedable PRNG (mulberry32): the same seed gives the same inputs everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomInputOptions {
  readonly seed?: number;
  /** Values for symbolic or unknown dims, by dim name (e.g. { batch: 2 }); others default to 1. */
  readonly dims?: Readonly<Record<string, number>>;
  /** Float range; default [-1, 1]. */
  readonly range?: readonly [number, number];
}

/** Seeded random inputs shaped and typed from a model's input specs. */
export function randomInputs(
  specs: readonly TensorSpec[],
  options: RandomInputOptions = {},
): Record<string, HostTensor> {
  const rand = seededRandom(options.seed ?? 0);
  const [lo, hi] = options.range ?? [-1, 1];
  const out: Record<string, HostTensor> = {};
  for (const spec of specs) {
    const dims = spec.dims.map((d) =>
      typeof d === 'number' ? d : typeof d === 'string' ? (options.dims?.[d] ?? 1) : 1,
    );
    const n = dims.reduce((a, b) => a * b, 1);
    const dtype = spec.dtype as DType;
    switch (dtype) {
      case 'float32':
      case 'float64': {
        const a = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
        for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rand();
        out[spec.name] = tensor(dtype, dims, a as never);
        break;
      }
      case 'int64': {
        const a = new BigInt64Array(n);
        for (let i = 0; i < n; i++) a[i] = BigInt(Math.floor(rand() * 10));
        out[spec.name] = tensor('int64', dims, a);
        break;
      }
      case 'int32': {
        const a = new Int32Array(n);
        for (let i = 0; i < n; i++) a[i] = Math.floor(rand() * 10);
        out[spec.name] = tensor('int32', dims, a);
        break;
      }
      case 'bool':
      case 'uint8': {
        const a = new Uint8Array(n);
        for (let i = 0; i < n; i++)
          a[i] = dtype === 'bool' ? (rand() < 0.5 ? 0 : 1) : Math.floor(rand() * 256);
        out[spec.name] = tensor(dtype, dims, a);
        break;
      }
      default:
        throw new InvalidArgumentError(`cannot make random inputs for '${spec.name}' of type ${spec.dtype}`, {
          hint: 'pass the inputs yourself (an .npz file)',
        });
    }
  }
  return out;
}
