import { describe } from '../describe.js';
import { Schedule, type JsonValue, type ScheduleJSON } from './schedule.js';
import { choice, finite, integer, readOptions } from './validate.js';

export interface SWALROptions {
  /** The value before the first step (torch's initial lr). */
  base: number;
  /** The value the anneal ends at and then holds: torch's `swa_lr`. */
  swaLr: number;
  /** Steps the anneal takes (an integer >= 0; 0 jumps to swaLr at once). Default 10, as torch's. */
  annealEpochs?: number;
  /** 'cos' (default, as torch's) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
}

// torch.optim.swa_utils.SWALR (1.13), chainable: at SWALR's own step s (torch's `_step_count − 1`; with
// annealEpochs E = 0, s is at least 1), from the group's current value η,
//   α(τ) = τ (linear) or (1 − cos(πτ))/2 (cos),   τ_s = clamp(s / max(1, E), 0, 1)
//   η₀ = α(τ_{s−1}) = 1 ? swaLr : (η − α(τ_{s−1})·swaLr) / (1 − α(τ_{s−1}))     (the value before the anneal)
//   η_s = swaLr·α(τ_s) + η₀·(1 − α(τ_s))
// in torch's float64 operations and order. torch counts s with `_step_count`, which the deprecated
// `step(0)` a SequentialLR milestone makes does not reset: there SWALR continues from s = 1, 2, ... (from
// the value the previous schedule left), and `#ahead` keeps how far s runs ahead of t.
class SWALR extends Schedule {
  readonly kind = 'swaLR';
  #ahead = 0;

  constructor(
    base: number,
    readonly swaLr: number,
    readonly annealEpochs: number,
    readonly annealStrategy: 'cos' | 'linear',
  ) {
    super(base);
    this.begin(base);
  }

  #alpha(tau: number): number {
    return this.annealStrategy === 'linear' ? tau : (1 - Math.cos(Math.PI * tau)) / 2;
  }

  /** torch's get_lr() at SWALR's own step `s`, from the current value. */
  #at(current: number, s: number): number {
    const epochs = Math.max(1, this.annealEpochs);
    const step = this.annealEpochs === 0 ? Math.max(1, s) : s;
    const prevAlpha = this.#alpha(Math.max(0, Math.min(1, (step - 1) / epochs)));
    const prev = prevAlpha === 1 ? this.swaLr : (current - prevAlpha * this.swaLr) / (1 - prevAlpha);
    const alpha = this.#alpha(Math.max(0, Math.min(1, step / epochs)));
    return this.swaLr * alpha + prev * (1 - alpha);
  }

  protected first(current: number): number {
    return this.#at(current, 0);
  }

  protected next(current: number, t: number): number {
    return this.#at(current, t + this.#ahead);
  }

  // step(0) is get_lr() one step further on SWALR's own count (SWALR has no closed form).
  protected override atZero(current: number): number {
    return this.#at(current, this.t + this.#ahead + 1);
  }

  /** @internal */
  override begin(current: number): void {
    super.begin(current);
    this.#ahead = 0;
  }

  /** @internal */
  override restart(current: number): void {
    const ahead = this.t + this.#ahead + 1;
    super.restart(current);
    this.#ahead = ahead;
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { base: this.base, swaLr: this.swaLr, annealEpochs: this.annealEpochs, annealStrategy: this.annealStrategy };
  }

  protected override jsonState(): ScheduleJSON['state'] {
    return this.#ahead === 0 ? undefined : { ahead: this.#ahead };
  }

  protected override restoreState(state: ScheduleJSON['state']): void {
    if (state === undefined) {
      this.#ahead = 0;
      return;
    }
    if (typeof state !== 'object' || state === null) throw new TypeError(`scheduleFromJSON: swaLR state must be { ahead } or absent, got ${describe(state)}`);
    for (const key of Object.keys(state))
      if (key !== 'ahead') throw new TypeError(`scheduleFromJSON: swaLR state has unknown key ${describe(key)} (its one key is ahead)`);
    this.#ahead = integer('scheduleFromJSON: swaLR', 'state.ahead', state.ahead, 0);
  }
}

/** torch.optim.swa_utils.SWALR: anneals from the current value to `swaLr` over `annealEpochs` steps, then holds it. */
export function swaLR(options: SWALROptions): Schedule {
  const where = 'swaLR';
  const o = readOptions(where, options, ['base', 'swaLr', 'annealEpochs', 'annealStrategy']);
  const base = finite(where, 'base', o.base);
  const swaLr = finite(where, 'swaLr', o.swaLr);
  const annealEpochs = integer(where, 'annealEpochs', o.annealEpochs ?? 10, 0);
  return new SWALR(base, swaLr, annealEpochs, choice(where, 'annealStrategy', o.annealStrategy ?? 'cos', ['cos', 'linear'] as const));
}
