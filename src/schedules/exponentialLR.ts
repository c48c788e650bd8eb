import { Schedule, type JsonValue } from './schedule.js';
import { finite, readOptions } from './validate.js';

export interface ExponentialLROptions {
  /** The value before the first step: torch's initial lr. */
  base: number;
  /** Multiplies the value every step. */
  gamma: number;
}

// torch.optim.lr_scheduler.ExponentialLR, chainable: group['lr'] · γ each step — a running product, not
// base · γ^t, which is what the recorded sequence holds.
class ExponentialLR extends Schedule {
  readonly kind = 'exponentialLR';

  constructor(
    base: number,
    readonly gamma: number,
  ) {
    super(base);
    this.begin(base);
  }

  protected first(current: number): number {
    return current;
  }

  // Closed form base · γ^0.
  protected override atZero(): number {
    return this.base * this.gamma ** 0;
  }

  protected next(current: number): number {
    return current * this.gamma;
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { base: this.base, gamma: this.gamma };
  }
}

export function exponentialLR(options: ExponentialLROptions): Schedule {
  const o = readOptions('exponentialLR', options, ['base', 'gamma']);
  return new ExponentialLR(finite('exponentialLR', 'base', o.base), finite('exponentialLR', 'gamma', o.gamma));
}
