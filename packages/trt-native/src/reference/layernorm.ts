import { type HostTensor, InvalidArgumentError, tensor } from '@trtkit/core';
import { floatValues } from './values.js';

/** LayerNorm over the last axis on the CPU, in float64; returns float32 of x's dims. */
export function layerNormReference(
  x: HostTensor,
  gamma?: HostTensor,
  beta?: HostTensor,
  eps = 1e-5,
): HostTensor<'float32'> {
  if (x.dims.length < 1) throw new InvalidArgumentError('x must have at least one axis');
  const cols = x.dims[x.dims.length - 1]!;
  const xv = floatValues('x', x);
  const g = gamma ? floatValues('gamma', gamma) : undefined;
  const b = beta ? floatValues('beta', beta) : undefined;
  if ((g && g.length !== cols) || (b && b.length !== cols))
    throw new InvalidArgumentError(`gamma and beta must have ${cols} elements`);
  const rows = cols === 0 ? 0 : xv.length / cols;
  const out = new Float32Array(xv.length);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += xv[o + c]!;
    const mean = sum / cols;
    let sq = 0;
    for (let c = 0; c < cols; c++) sq += (xv[o + c]! - mean) ** 2;
    const rstd = 1 / Math.sqrt(sq / cols + eps);
    for (let c = 0; c < cols; c++)
      out[o + c] = (xv[o + c]! - mean) * rstd * (g ? g[c]! : 1) + (b ? b[c]! : 0);
  }
  return tensor('float32', x.dims, out);
}
