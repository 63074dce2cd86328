import type { InferFn } from '@trtkit/core';

/** MSDA plugin output: [N, Lq, M, D] from value [N, S, M, D] and sampling locations [N, Lq, M, L, P, 2]. */
export const msdaShapeRule: InferFn = ({ inputs }) => {
  const value = inputs[0];
  const loc = inputs[3];
  if (!value?.dims || value.dims.length !== 4) return [{ dtype: value?.dtype }];
  const lq = loc?.dims && loc.dims.length === 6 ? loc.dims[1] : null;
  return [
    {
      dtype: value.dtype,
      dims: [value.dims[0] ?? null, lq ?? null, value.dims[2] ?? null, value.dims[3] ?? null],
    },
  ];
};
