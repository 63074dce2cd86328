/** One ground-truth or predicted box, COCO style: [x, y, width, height] in pixels. */
export interface EvalBox {
  readonly imageId: number;
  readonly categoryId: number;
  readonly bbox: readonly [number, number, number, number];
  /** Predictions only. */
  readonly score?: number;
  /** Ground truth only: crowd regions are ignored, as COCO does. */
  readonly iscrowd?: boolean;
}

export interface MapResult {
  /** AP averaged over IoU 0.50:0.05:0.95 and categories (COCO's headline number). */
  readonly ap: number;
  readonly ap50: number;
  readonly ap75: number;
  /** AP per category id, averaged over IoU thresholds. */
  readonly perCategory: Readonly<Record<number, number>>;
}

function iou(a: readonly number[], b: readonly number[]): number {
  const x0 = Math.max(a[0]!, b[0]!);
  const y0 = Math.max(a[1]!, b[1]!);
  const x1 = Math.min(a[0]! + a[2]!, b[0]! + b[2]!);
  const y1 = Math.min(a[1]! + a[3]!, b[1]! + b[3]!);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a[2]! * a[3]! + b[2]! * b[3]! - inter;
  return union > 0 ? inter / union : 0;
}

const THRESHOLDS = Array.from({ length: 10 }, (_, i) => 0.5 + 0.05 * i);
const RECALL_POINTS = Array.from({ length: 101 }, (_, i) => i / 100);

/**
 * AP for one category at one IoU threshold, COCO's way: greedy matching by descending score per image (each
 * ground truth matched once, to the highest-IoU unmatched one), precision made monotone, sampled at 101 recalls.
 * Returns undefined when the category has no ground truth (COCO leaves it out of the mean).
 */
function averagePrecision(
  gts: readonly EvalBox[],
  preds: readonly EvalBox[],
  threshold: number,
): number | undefined {
  const counted = gts.filter((g) => !g.iscrowd).length;
  if (counted === 0) return undefined;
  const byImage = new Map<number, EvalBox[]>();
  for (const g of gts) byImage.set(g.imageId, [...(byImage.get(g.imageId) ?? []), g]);
  const sorted = [...preds].sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  const used = new Map<EvalBox, boolean>();
  const tp: number[] = [];
  const fp: number[] = [];
  for (const p of sorted) {
    let best: EvalBox | undefined;
    let bestIou = threshold;
    for (const g of byImage.get(p.imageId) ?? []) {
      if (used.get(g) && !g.iscrowd) continue;
      const v = iou(p.bbox, g.bbox);
      if (v >= bestIou && !(best && !best.iscrowd && g.iscrowd)) {
        best = g;
        bestIou = v;
      }
    }
    if (best?.iscrowd) continue; // matched a crowd region: neither right nor wrong
    if (best) used.set(best, true);
    tp.push(best ? 1 : 0);
    fp.push(best ? 0 : 1);
  }
  const precision: number[] = [];
  const recall: number[] = [];
  let ctp = 0;
  let cfp = 0;
  for (let i = 0; i < tp.length; i++) {
    ctp += tp[i]!;
    cfp += fp[i]!;
    precision.push(ctp / (ctp + cfp));
    recall.push(ctp / counted);
  }
  for (let i = precision.length - 2; i >= 0; i--) precision[i] = Math.max(precision[i]!, precision[i + 1]!);
  let sum = 0;
  let j = 0;
  for (const r of RECALL_POINTS) {
    while (j < recall.length && recall[j]! < r) j++;
    sum += j < precision.length ? precision[j]! : 0;
  }
  return sum / RECALL_POINTS.length;
}

/** COCO-style mean average precision (all areas, at most `maxDets` predictions per image). */
export function cocoMap(
  groundTruth: readonly EvalBox[],
  predictions: readonly EvalBox[],
  maxDets = 100,
): MapResult {
  const perImage = new Map<number, EvalBox[]>();
  for (const p of predictions) perImage.set(p.imageId, [...(perImage.get(p.imageId) ?? []), p]);
  const kept = [...perImage.values()].flatMap((ps) =>
    [...ps].sort((a, b) => (b.score ?? 0) - (a.score ?? 0)).slice(0, maxDets),
  );
  const categories = [...new Set(groundTruth.map((g) => g.categoryId))].sort((a, b) => a - b);
  const table = categories.map((c) => {
    const gts = groundTruth.filter((g) => g.categoryId === c);
    const preds = kept.filter((p) => p.categoryId === c);
    return THRESHOLDS.map((t) => averagePrecision(gts, preds, t));
  });
  const mean = (xs: (number | undefined)[]) => {
    const v = xs.filter((x): x is number => x !== undefined);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
  };
  return {
    ap: mean(table.flat()),
    ap50: mean(table.map((r) => r[0])),
    ap75: mean(table.map((r) => r[5])),
    perCategory: Object.fromEntries(categories.map((c, i) => [c, mean(table[i]!)])),
  };
}
