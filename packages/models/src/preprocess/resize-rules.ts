/** How a family sizes its input. */
export type ResizeRule =
  | { readonly kind: 'shortest-edge'; readonly shortest: number; readonly longest: number }
  | { readonly kind: 'fixed'; readonly height: number; readonly width: number }
  | { readonly kind: 'none' };

// Python's round(): halves go to the even neighbour.
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Output size for DETR-style resizing: shortest side to `shortest` unless that pushes the longest past `longest`,
 * computed as transformers' image processors do (same rounding and truncation), so sizes agree pixel for pixel.
 */
export function shortestEdgeSize(
  height: number,
  width: number,
  shortest: number,
  longest: number,
): [number, number] {
  let size = shortest;
  let raw: number | undefined;
  const minSide = Math.min(height, width);
  const maxSide = Math.max(height, width);
  if ((maxSide / minSide) * size > longest) {
    raw = (longest * minSide) / maxSide;
    size = roundHalfEven(raw);
  }
  if ((height <= width && height === size) || (width <= height && width === size)) return [height, width];
  if (width < height) {
    const ow = size;
    const oh = Math.trunc(((raw ?? size) * height) / width);
    return [oh, ow];
  }
  const oh = size;
  const ow = Math.trunc(((raw ?? size) * width) / height);
  return [oh, ow];
}

/** The (height, width) an image of the given size is resized to under a rule. */
export function resizedSize(rule: ResizeRule, height: number, width: number): [number, number] {
  switch (rule.kind) {
    case 'shortest-edge':
      return shortestEdgeSize(height, width, rule.shortest, rule.longest);
    case 'fixed':
      return [rule.height, rule.width];
    case 'none':
      return [height, width];
  }
}
