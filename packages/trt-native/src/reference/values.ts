import { float16ToFloat32Array, type HostTensor, InvalidArgumentError } from '@trtkit/core';

/** The numbers of a float32 or float16 host tensor. */
export function floatValues(name: string, t: HostTensor): Float32Array {
  if (t.dtype === 'float32') return t.data as Float32Array;
  if (t.dtype === 'float16') return float16ToFloat32Array(t.data as Uint16Array);
  throw new InvalidArgumentError(`${name} must be float32 or float16, got ${t.dtype}`);
}

export function expectRank(name: string, t: HostTensor, rank: number): number[] {
  if (t.dims.length !== rank)
    throw new InvalidArgumentError(`${name} must have rank ${rank}, got dims [${t.dims.join(', ')}]`);
  return [...t.dims];
}
