import type { LrLambda } from './lambdaLR.js';
import { Schedule, type JsonValue } from './schedule.js';
import { finite, fn, readOptions, returned } from './validate.js';

export interface MultiplicativeLROptions {
  /** The value before the first step: torch's initial lr. */
  base: number;
  /** value(t) = value(t−1) · lrLambda(t) for t >= 1. Not serialisable: pass it back to `scheduleFromJSON`. */
  lrLambda: LrLambda;
}

// torch.optim.lr_scheduler.MultiplicativeLR: chainable, group['lr'] · lr_lambda(last_epoch) from step 1;
// step 0 keeps the group's value (torch >= 1.10 returns group['lr'] there, not base_lrs).
class MultiplicativeLR extends Schedule {
  readonly kind = 'multiplicativeLR';
  readonly #lrLambda: LrLambda;

  constructor(base: number, lrLambda: LrLambda) {
    super(base);
    this.#lrLambda = lrLambda;
    this.begin(base);
  }

  protected first(current: number): number {
    return current;
  }

  protected next(current: number, t: number): number {
    return current * returned(this.kind, 'lrLambda', t, this.#lrLambda(t));
  }

  /** @internal */
  override functions(): { lrLambda: LrLambda } {
    return { lrLambda: this.#lrLambda };
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { base: this.base, lrLambda: 'function' };
  }
}

export function multiplicativeLR(options: MultiplicativeLROptions): Schedule {
  const o = readOptions('multiplicativeLR', options, ['base', 'lrLambda']);
  return new MultiplicativeLR(finite('multiplicativeLR', 'base', o.base), fn<LrLambda>('multiplicativeLR', 'lrLambda', o.lrLambda));
}
