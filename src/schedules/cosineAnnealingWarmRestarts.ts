import { describe } from '../describe.js';
import { Schedule, type JsonValue, type ScheduleJSON } from './schedule.js';
import { finite, integer, readOptions } from './validate.js';

export interface CosineAnnealingWarmRestartsOptions {
  /** The value before the first step (torch's initial lr): η_max, where every period starts. */
  base: number;
  /** Length of the first period in steps (an integer >= 1). */
  t0: number;
  /** Each period is tMult times longer than the one before (an integer >= 1). Default 1. */
  tMult?: number;
  /** η_min. Default 0. */
  etaMin?: number;
}

// torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (SGDR): a closed form in the position within the
// current period, η_min + (η_max − η_min)(1 + cos(π·T_cur/T_i))/2, so it ignores the current value. It keeps
// torch's two counters, T_cur (steps into the period) and T_i (the period's length).
class CosineAnnealingWarmRestarts extends Schedule {
  readonly kind = 'cosineAnnealingWarmRestarts';
  #tCur = 0;
  #tI: number;

  constructor(
    base: number,
    readonly t0: number,
    readonly tMult: number,
    readonly etaMin: number,
  ) {
    super(base);
    this.#tI = t0;
    this.begin(base);
  }

  #at(tCur: number, tI: number): number {
    return this.etaMin + ((this.base - this.etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2;
  }

  protected first(): number {
    this.#tCur = 0;
    this.#tI = this.t0;
    return this.#at(0, this.t0);
  }

  protected next(): number {
    this.#tCur += 1;
    if (this.#tCur >= this.#tI) {
      this.#tCur -= this.#tI;
      this.#tI *= this.tMult;
    }
    return this.#at(this.#tCur, this.#tI);
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { base: this.base, t0: this.t0, tMult: this.tMult, etaMin: this.etaMin };
  }

  protected override jsonState(): ScheduleJSON['state'] {
    return { tCur: this.#tCur, tI: this.#tI };
  }

  protected override restoreState(state: ScheduleJSON['state']): void {
    if (typeof state !== 'object' || state === null)
      throw new TypeError(`scheduleFromJSON: cosineAnnealingWarmRestarts needs state { tCur, tI }, got ${describe(state)}`);
    const tI = integer('scheduleFromJSON: cosineAnnealingWarmRestarts', 'state.tI', state.tI, this.t0);
    const tCur = integer('scheduleFromJSON: cosineAnnealingWarmRestarts', 'state.tCur', state.tCur, 0);
    if (tCur >= tI) throw new RangeError(`scheduleFromJSON: cosineAnnealingWarmRestarts state.tCur = ${tCur} must be < state.tI = ${tI}`);
    this.#tCur = tCur;
    this.#tI = tI;
  }
}

export function cosineAnnealingWarmRestarts(options: CosineAnnealingWarmRestartsOptions): Schedule {
  const where = 'cosineAnnealingWarmRestarts';
  const o = readOptions(where, options, ['base', 't0', 'tMult', 'etaMin']);
  const base = finite(where, 'base', o.base);
  const t0 = integer(where, 't0', o.t0, 1);
  return new CosineAnnealingWarmRestarts(base, t0, integer(where, 'tMult', o.tMult ?? 1, 1), finite(where, 'etaMin', o.etaMin ?? 0));
}
