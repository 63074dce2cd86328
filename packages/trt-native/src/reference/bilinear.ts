/**
 * PyTorch's bilinear source index for align_corners=False (area_pixel_compute_source_index, negatives
 * clamped to 0, upper neighbour clamped to the last pixel): output pixel `dst` of `outSize` reads
 * i0 and i1 of `inSize` with weights (1 - lambda, lambda).
 */
export function bilinearSource(
  dst: number,
  inSize: number,
  outSize: number,
): { i0: number; i1: number; lambda: number } {
  const scale = inSize / outSize;
  const src = Math.max(scale * (dst + 0.5) - 0.5, 0);
  const i0 = Math.floor(src);
  const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
  return { i0, i1, lambda: src - i0 };
}
