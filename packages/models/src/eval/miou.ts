export interface MiouResult {
  readonly miou: number;
  /** IoU per class id that appears in the ground truth or the prediction. */
  readonly perClass: Readonly<Record<number, number>>;
  readonly pixelAccuracy: number;
}

/** Accumulates a confusion over many maps; `ignore` marks ground-truth pixels left out (255 in ADE20K/Cityscapes). */
export class MiouAccumulator {
  readonly #inter = new Map<number, number>();
  readonly #union = new Map<number, number>();
  #correct = 0;
  #total = 0;

  constructor(readonly ignore?: number) {}

  add(prediction: ArrayLike<number>, truth: ArrayLike<number>): void {
    if (prediction.length !== truth.length) {
      throw new RangeError(`prediction has ${prediction.length} pixels, ground truth ${truth.length}`);
    }
    const bump = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
    for (let i = 0; i < truth.length; i++) {
      const g = truth[i]!;
      if (g === this.ignore) continue;
      const p = prediction[i]!;
      this.#total++;
      if (p === g) {
        this.#correct++;
        bump(this.#inter, g);
        bump(this.#union, g);
      } else {
        bump(this.#union, g);
        bump(this.#union, p);
      }
    }
  }

  result(): MiouResult {
    const perClass: Record<number, number> = {};
    for (const [k, u] of this.#union) perClass[k] = (this.#inter.get(k) ?? 0) / u;
    const ious = Object.values(perClass);
    return {
      miou: ious.length ? ious.reduce((a, b) => a + b, 0) / ious.length : 0,
      perClass,
      pixelAccuracy: this.#total ? this.#correct / this.#total : 0,
    };
  }
}
