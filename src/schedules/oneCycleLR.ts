import { Schedule, type JsonValue, type ScheduleJSON } from './schedule.js';
import { between, choice, finite, flag, integer, positive, readOptions } from './validate.js';

export interface OneCycleLROptions {
  /** The peak value. */
  maxLr: number;
  /** Steps in the cycle (an integer >= 1); or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing, in [0, 1]. Default 0.3. */
  pctStart?: number;
  /** Default 'cos'. */
  annealStrategy?: 'cos' | 'linear';
  /** Also build the momentum schedule, cycling inversely between maxMomentum and baseMomentum. Default true. */
  cycleMomentum?: boolean;
  /** Default 0.85. */
  baseMomentum?: number;
  /** Default 0.95. */
  maxMomentum?: number;
  /** The cycle starts at maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** ... and ends at maxLr / divFactor / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, back down to the start, then to the minimum) instead of two. Default false. */
  threePhase?: boolean;
}

/** OneCycleLR's pair: `lr`, and `momentum` (for `momentum` or `betas[0]`; null without cycleMomentum). */
export interface OneCycleSchedules {
  readonly lr: Schedule;
  readonly momentum: Schedule | null;
}

/** One phase: it ends at step `end` (a float, as torch computes it), annealing from `from` to `to`. */
interface Phase {
  readonly end: number;
  readonly from: number;
  readonly to: number;
}

// torch.optim.lr_scheduler.OneCycleLR (Smith & Topin, "Super-Convergence", 2017): a closed form in
// last_epoch, so it ignores the current value. Phases end at pct_start·T − 1 (and 2·pct_start·T − 2 with
// three phases) and T − 1; within a phase pct = (t − start) / (end − start) and the value anneals
//   cos:    to + (from − to)/2 · (cos(π·pct) + 1)        linear: (to − from)·pct + from.
// The last phase extrapolates past its end, so t = totalSteps is allowed, as in torch; torch raises one step
// later ("Tried to step ... times"), and so does `step()`, before changing anything.
class OneCycleLR extends Schedule {
  readonly kind = 'oneCycleLR';

  constructor(
    readonly options: { [key: string]: JsonValue },
    readonly part: 'lr' | 'momentum',
    base: number,
    readonly totalSteps: number,
    readonly phases: readonly Phase[],
    readonly cos: boolean,
  ) {
    super(base);
    this.#check(0);
    this.begin(base);
  }

  /** The value at step t, or why torch fails there. */
  #at(t: number): number | string {
    if (t > this.totalSteps) return `stepped ${t} times, past totalSteps = ${this.totalSteps} (torch 1.13 raises here too)`;
    let start = 0;
    for (let i = 0; i < this.phases.length; i++) {
      const phase = this.phases[i];
      if (t <= phase.end || i === this.phases.length - 1) {
        // torch divides by the phase's length: zero raises ZeroDivisionError there.
        if (phase.end === start) return `phase ${i + 1} has zero length at step ${t} (pctStart · totalSteps makes it empty)`;
        const pct = (t - start) / (phase.end - start);
        return this.cos ? phase.to + ((phase.from - phase.to) / 2.0) * (Math.cos(Math.PI * pct) + 1) : (phase.to - phase.from) * pct + phase.from;
      }
      start = phase.end;
    }
    return 'no phase';
  }

  #check(t: number): void {
    const v = this.#at(t);
    if (typeof v === 'string') throw new RangeError(`oneCycleLR: ${v}`);
  }

  /** @internal */
  override checkStep(): void {
    this.#check(this.t + 1);
  }

  protected first(): number {
    return this.#at(0) as number;
  }

  protected next(_current: number, t: number): number {
    return this.#at(t) as number;
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return this.options;
  }

  /** @internal */
  override restore(t: number, value: number, state: ScheduleJSON['state']): void {
    if (t > this.totalSteps) throw new RangeError(`scheduleFromJSON: oneCycleLR t = ${t} is past totalSteps = ${this.totalSteps}`);
    super.restore(t, value, state);
  }

  override toJSON(): ScheduleJSON {
    return { ...super.toJSON(), part: this.part };
  }
}

export function oneCycleLR(options: OneCycleLROptions): OneCycleSchedules {
  const where = 'oneCycleLR';
  const o = readOptions(where, options, [
    'maxLr',
    'totalSteps',
    'epochs',
    'stepsPerEpoch',
    'pctStart',
    'annealStrategy',
    'cycleMomentum',
    'baseMomentum',
    'maxMomentum',
    'divFactor',
    'finalDivFactor',
    'threePhase',
  ]);
  const maxLr = finite(where, 'maxLr', o.maxLr);
  let totalSteps: number;
  if (o.totalSteps !== undefined) totalSteps = integer(where, 'totalSteps', o.totalSteps, 1);
  else if (o.epochs !== undefined || o.stepsPerEpoch !== undefined) {
    totalSteps = integer(where, 'epochs', o.epochs, 1) * integer(where, 'stepsPerEpoch', o.stepsPerEpoch, 1);
  } else
    throw new TypeError(
      'oneCycleLR: give totalSteps, or epochs and stepsPerEpoch (torch: "You must define either total_steps OR (epochs AND steps_per_epoch)")',
    );
  const pctStart = between(where, 'pctStart', o.pctStart ?? 0.3, 0, 1);
  const annealStrategy = choice(where, 'annealStrategy', o.annealStrategy ?? 'cos', ['cos', 'linear'] as const);
  const cycleMomentum = flag(where, 'cycleMomentum', o.cycleMomentum ?? true);
  const baseMomentum = finite(where, 'baseMomentum', o.baseMomentum ?? 0.85);
  const maxMomentum = finite(where, 'maxMomentum', o.maxMomentum ?? 0.95);
  const divFactor = positive(where, 'divFactor', o.divFactor ?? 25);
  const finalDivFactor = positive(where, 'finalDivFactor', o.finalDivFactor ?? 1e4);
  const threePhase = flag(where, 'threePhase', o.threePhase ?? false);

  // torch: initial_lr = max_lr / div_factor, min_lr = initial_lr / final_div_factor, stored on the group.
  const initialLr = maxLr / divFactor;
  const minLr = initialLr / finalDivFactor;
  const ends = threePhase ? [pctStart * totalSteps - 1, 2 * pctStart * totalSteps - 2, totalSteps - 1] : [pctStart * totalSteps - 1, totalSteps - 1];
  const lrPoints = threePhase ? [initialLr, maxLr, initialLr, minLr] : [initialLr, maxLr, minLr];
  const momentumPoints = threePhase ? [maxMomentum, baseMomentum, maxMomentum, maxMomentum] : [maxMomentum, baseMomentum, maxMomentum];
  const phases = (points: number[]): Phase[] => ends.map((end, i) => ({ end, from: points[i], to: points[i + 1] }));

  const json: { [key: string]: JsonValue } = {
    maxLr,
    totalSteps,
    pctStart,
    annealStrategy,
    cycleMomentum,
    baseMomentum,
    maxMomentum,
    divFactor,
    finalDivFactor,
    threePhase,
  };
  const cos = annealStrategy === 'cos';
  return {
    lr: new OneCycleLR(json, 'lr', initialLr, totalSteps, phases(lrPoints), cos),
    // torch sets the group's momentum (or β1) to max_momentum before the construction step.
    momentum: cycleMomentum ? new OneCycleLR(json, 'momentum', maxMomentum, totalSteps, phases(momentumPoints), cos) : null,
  };
}
