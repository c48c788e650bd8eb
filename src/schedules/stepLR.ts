import { Schedule, type JsonValue } from './schedule.js';
import { finite, integer, readOptions } from './validate.js';

export interface StepLROptions {
  /** The value before the first step: torch's initial lr. */
  base: number;
  /** Period: the value is multiplied by `gamma` every `stepSize` steps (an integer >= 1). */
  stepSize: number;
  /** Default 0.1. */
  gamma?: number;
}

// torch.optim.lr_scheduler.StepLR, chainable: group['lr'] · γ when last_epoch is a multiple of step_size.
class StepLR extends Schedule {
  readonly kind = 'stepLR';

  constructor(
    base: number,
    readonly stepSize: number,
    readonly gamma: number,
  ) {
    super(base);
    this.begin(base);
  }

  protected first(current: number): number {
    return current;
  }

  // Closed form base · γ^(0 // step_size).
  protected override atZero(): number {
    return this.base;
  }

  protected next(current: number, t: number): number {
    return t % this.stepSize !== 0 ? current : current * this.gamma;
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { base: this.base, stepSize: this.stepSize, gamma: this.gamma };
  }
}

export function stepLR(options: StepLROptions): Schedule {
  const o = readOptions('stepLR', options, ['base', 'stepSize', 'gamma']);
  return new StepLR(finite('stepLR', 'base', o.base), integer('stepLR', 'stepSize', o.stepSize, 1), finite('stepLR', 'gamma', o.gamma ?? 0.1));
}
