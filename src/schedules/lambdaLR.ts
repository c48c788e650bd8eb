import { Schedule, type JsonValue } from './schedule.js';
import { finite, fn, readOptions, returned } from './validate.js';

/** A factor as a function of the step count t (torch passes `last_epoch`). */
export type LrLambda = (t: number) => number;

export interface LambdaLROptions {
  /** The value before the first step: torch's initial lr. */
  base: number;
  /** value(t) = base · lrLambda(t). Not serialisable: `scheduleFromJSON` needs it passed back in. */
  lrLambda: LrLambda;
}

// torch.optim.lr_scheduler.LambdaLR: base_lr · lr_lambda(last_epoch), a closed form in t, so it ignores
// the current value (a manual change lasts one step, as in torch).
class LambdaLR extends Schedule {
  readonly kind = 'lambdaLR';
  readonly #lrLambda: LrLambda;

  constructor(base: number, lrLambda: LrLambda) {
    super(base);
    this.#lrLambda = lrLambda;
    this.begin(base);
  }

  protected first(): number {
    return this.base * returned(this.kind, 'lrLambda', 0, this.#lrLambda(0));
  }

  protected next(_current: number, t: number): number {
    return this.base * returned(this.kind, 'lrLambda', t, this.#lrLambda(t));
  }

  /** @internal */
  override functions(): { lrLambda: LrLambda } {
    return { lrLambda: this.#lrLambda };
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { base: this.base, lrLambda: 'function' };
  }
}

export function lambdaLR(options: LambdaLROptions): Schedule {
  const o = readOptions('lambdaLR', options, ['base', 'lrLambda']);
  return new LambdaLR(finite('lambdaLR', 'base', o.base), fn<LrLambda>('lambdaLR', 'lrLambda', o.lrLambda));
}
