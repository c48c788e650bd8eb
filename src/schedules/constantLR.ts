import { Schedule, type JsonValue } from './schedule.js';
import { between, finite, integer, readOptions } from './validate.js';

export interface ConstantLROptions {
  /** The value before the first step: torch's initial lr. */
  base: number;
  /** Multiplies the value until step `totalIters`, in (0, 1]. Default 1/3. */
  factor?: number;
  /** Step at which the factor is divided back out (an integer >= 0). Default 5. */
  totalIters?: number;
}

// torch.optim.lr_scheduler.ConstantLR, chainable: group['lr'] · factor at step 0, group['lr'] · (1/factor)
// at step total_iters, unchanged otherwise. (So totalIters = 0 keeps the factor for good, while torch's
// closed form, used by SequentialLR's restart, drops it: both reproduced.)
class ConstantLR extends Schedule {
  readonly kind = 'constantLR';

  constructor(
    base: number,
    readonly factor: number,
    readonly totalIters: number,
  ) {
    super(base);
    this.begin(base);
  }

  protected first(current: number): number {
    return current * this.factor;
  }

  // Closed form base · (factor + (0 >= total_iters) · (1 − factor)).
  protected override atZero(): number {
    return this.base * (this.factor + (this.totalIters <= 0 ? 1 : 0) * (1 - this.factor));
  }

  protected next(current: number, t: number): number {
    return t !== this.totalIters ? current : current * (1.0 / this.factor);
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { base: this.base, factor: this.factor, totalIters: this.totalIters };
  }
}

export function constantLR(options: ConstantLROptions): Schedule {
  const o = readOptions('constantLR', options, ['base', 'factor', 'totalIters']);
  const base = finite('constantLR', 'base', o.base);
  const factor = between('constantLR', 'factor', o.factor ?? 1 / 3, 0, 1);
  // torch accepts 0, then divides by it at total_iters (ZeroDivisionError): refuse it up front.
  if (factor === 0) throw new RangeError('constantLR: invalid factor = 0: must be in (0, 1] (torch 1.13 divides by it at totalIters)');
  return new ConstantLR(base, factor, integer('constantLR', 'totalIters', o.totalIters ?? 5, 0));
}
