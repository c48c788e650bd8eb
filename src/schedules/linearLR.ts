import { Schedule, type JsonValue } from './schedule.js';
import { between, finite, integer, readOptions } from './validate.js';

export interface LinearLROptions {
  /** The value before the first step: torch's initial lr. */
  base: number;
  /** Factor at step 0, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor from step `totalIters` on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Steps over which the factor moves from start to end (an integer >= 1). Default 5. */
  totalIters?: number;
}

// torch.optim.lr_scheduler.LinearLR, chainable: group['lr'] · start_factor at step 0, then each step the
// ratio of consecutive factors, 1 + (e − s) / (T·s + (t − 1)·(e − s)), until t > T.
class LinearLR extends Schedule {
  readonly kind = 'linearLR';

  constructor(
    base: number,
    readonly startFactor: number,
    readonly endFactor: number,
    readonly totalIters: number,
  ) {
    super(base);
    this.begin(base);
  }

  protected first(current: number): number {
    return current * this.startFactor;
  }

  // Closed form base · (s + (e − s) · min(T, 0) / T).
  protected override atZero(): number {
    return this.base * (this.startFactor + ((this.endFactor - this.startFactor) * 0) / this.totalIters);
  }

  protected next(current: number, t: number): number {
    if (t > this.totalIters) return current;
    const s = this.startFactor;
    const e = this.endFactor;
    return current * (1 + (e - s) / (this.totalIters * s + (t - 1) * (e - s)));
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { base: this.base, startFactor: this.startFactor, endFactor: this.endFactor, totalIters: this.totalIters };
  }
}

export function linearLR(options: LinearLROptions): Schedule {
  const o = readOptions('linearLR', options, ['base', 'startFactor', 'endFactor', 'totalIters']);
  const base = finite('linearLR', 'base', o.base);
  const startFactor = between('linearLR', 'startFactor', o.startFactor ?? 1 / 3, 0, 1);
  // torch: "Starting multiplicative factor expected to be greater than 0 and less or equal to 1."
  if (startFactor === 0) throw new RangeError('linearLR: invalid startFactor = 0: must be in (0, 1]');
  const endFactor = between('linearLR', 'endFactor', o.endFactor ?? 1, 0, 1);
  // torch's closed form divides by total_iters; 0 would only fail later, inside SequentialLR.
  return new LinearLR(base, startFactor, endFactor, integer('linearLR', 'totalIters', o.totalIters ?? 5, 1));
}
