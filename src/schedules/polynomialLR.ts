import { Schedule, type JsonValue } from './schedule.js';
import { finite, integer, readOptions } from './validate.js';

export interface PolynomialLROptions {
  /** The value before the first step: torch's initial lr. */
  base: number;
  /** Steps to reach 0 (an integer >= 1). Default 5. */
  totalIters?: number;
  /** Default 1. */
  power?: number;
}

// torch.optim.lr_scheduler.PolynomialLR (new in 1.13), chainable: each step multiplies the group's value
// by ((1 − t/T) / (1 − (t−1)/T))^power, reaching exactly 0 at t = T and holding it.
class PolynomialLR extends Schedule {
  readonly kind = 'polynomialLR';

  constructor(
    base: number,
    readonly totalIters: number,
    readonly power: number,
  ) {
    super(base);
    this.begin(base);
  }

  protected first(current: number): number {
    return current;
  }

  // Closed form base · (1 − min(T, 0)/T)^power.
  protected override atZero(): number {
    return this.base * (1.0 - 0 / this.totalIters) ** this.power;
  }

  protected next(current: number, t: number): number {
    if (t > this.totalIters) return current;
    const T = this.totalIters;
    return current * ((1.0 - t / T) / (1.0 - (t - 1) / T)) ** this.power;
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { base: this.base, totalIters: this.totalIters, power: this.power };
  }
}

export function polynomialLR(options: PolynomialLROptions): Schedule {
  const o = readOptions('polynomialLR', options, ['base', 'totalIters', 'power']);
  const base = finite('polynomialLR', 'base', o.base);
  // torch's closed form divides by total_iters; 0 would only fail later, inside SequentialLR.
  return new PolynomialLR(base, integer('polynomialLR', 'totalIters', o.totalIters ?? 5, 1), finite('polynomialLR', 'power', o.power ?? 1));
}
