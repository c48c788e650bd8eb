import { Schedule, type JsonValue } from './schedule.js';
import { finite, integer, readOptions } from './validate.js';

export interface CosineAnnealingLROptions {
  /** The value before the first step (torch's initial lr): η_max. */
  base: number;
  /** Half-period in steps (an integer >= 1). */
  tMax: number;
  /** η_min. Default 0. */
  etaMin?: number;
}

// torch.optim.lr_scheduler.CosineAnnealingLR, chainable (SGDR's cosine without restarts):
//   η_t = η_min + (η_{t−1} − η_min) · (1 + cos(πt/T)) / (1 + cos(π(t−1)/T)),
// except where that ratio is 0/0 — t − 1 − T a multiple of 2T, the trough just passed — where torch adds
// (η_max − η_min)(1 − cos(π/T))/2 to the current value instead. Past T the value climbs back to η_max: a
// cosine with period 2T, as the recorded data shows.
class CosineAnnealingLR extends Schedule {
  readonly kind = 'cosineAnnealingLR';

  constructor(
    base: number,
    readonly tMax: number,
    readonly etaMin: number,
  ) {
    super(base);
    this.begin(base);
  }

  protected first(current: number): number {
    return current;
  }

  // Closed form η_min + (η_max − η_min)(1 + cos(π·0/T))/2.
  protected override atZero(): number {
    return this.etaMin + ((this.base - this.etaMin) * (1 + Math.cos((Math.PI * 0) / this.tMax))) / 2;
  }

  protected next(current: number, t: number): number {
    const T = this.tMax;
    const etaMin = this.etaMin;
    if ((t - 1 - T) % (2 * T) === 0) return current + ((this.base - etaMin) * (1 - Math.cos(Math.PI / T))) / 2;
    const below = 1 + this.#cos(t - 1); // cached: last step's numerator
    return ((1 + this.#cos(t)) / below) * (current - etaMin) + etaMin;
  }

  // cos(π·t/T) for consecutive t: step t's denominator is step t−1's numerator, the same expression, so
  // one Math.cos a step (the same bits as computing both).
  #cosT = NaN;
  #cosValue = NaN;
  #cos(t: number): number {
    if (t === this.#cosT) return this.#cosValue;
    const value = Math.cos((Math.PI * t) / this.tMax);
    this.#cosT = t;
    this.#cosValue = value;
    return value;
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { base: this.base, tMax: this.tMax, etaMin: this.etaMin };
  }
}

export function cosineAnnealingLR(options: CosineAnnealingLROptions): Schedule {
  const o = readOptions('cosineAnnealingLR', options, ['base', 'tMax', 'etaMin']);
  const base = finite('cosineAnnealingLR', 'base', o.base);
  return new CosineAnnealingLR(base, integer('cosineAnnealingLR', 'tMax', o.tMax, 1), finite('cosineAnnealingLR', 'etaMin', o.etaMin ?? 0));
}
