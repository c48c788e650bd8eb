import { Schedule, type JsonValue, type ScheduleJSON } from './schedule.js';
import { atLeast, choice, finite, flag, fn, positive, readOptions, returned } from './validate.js';

/** A custom amplitude scale, 0 <= scaleFn(x) <= 1, of the cycle number or of the step count. */
export type ScaleFn = (x: number) => number;

export interface CyclicLROptions {
  /** Lower boundary of the cycle, and the value at step 0 (torch sets the group's lr to it). */
  baseLr: number;
  /** Upper boundary; the amplitude is (maxLr − baseLr) times the scale. */
  maxLr: number;
  /** Steps in the increasing half of a cycle (> 0). Default 2000. */
  stepSizeUp?: number;
  /** Steps in the decreasing half (>= 0). Default: stepSizeUp. */
  stepSizeDown?: number;
  /** Amplitude scale: 1, halved each cycle, or gamma^t. Ignored when `scaleFn` is given. Default 'triangular'. */
  mode?: 'triangular' | 'triangular2' | 'expRange';
  /** 'expRange''s base. Default 1. */
  gamma?: number;
  /** A custom scale instead of `mode`. Not serialisable: pass it back to `scheduleFromJSON`. */
  scaleFn?: ScaleFn;
  /** What `scaleFn` is a function of. Default 'cycle'. */
  scaleMode?: 'cycle' | 'iterations';
  /** Also build the momentum schedule, cycling inversely between maxMomentum and baseMomentum. Default true. */
  cycleMomentum?: boolean;
  /** Default 0.8. */
  baseMomentum?: number;
  /** Default 0.9. */
  maxMomentum?: number;
}

/** CyclicLR's pair: `lr`, and `momentum` (for `momentum` or `betas[0]`; null without cycleMomentum). */
export interface CyclicSchedules {
  readonly lr: Schedule;
  readonly momentum: Schedule | null;
}

interface Cycle {
  readonly total: number;
  readonly stepRatio: number;
  readonly scale: ScaleFn;
  readonly scaleMode: 'cycle' | 'iterations';
}

// torch.optim.lr_scheduler.CyclicLR (Smith, "Cyclical Learning Rates for Training Neural Networks", 2017):
// a closed form in last_epoch, so it ignores the current value. torch computes the lr and, with
// cycle_momentum, writes the momentum from the same scale factor; here each is its own schedule.
//   cycle = floor(1 + t/total), x = 1 + t/total − cycle,
//   s = x/ratio while x <= ratio, else (x − 1)/(ratio − 1),
//   lr = base + (max − base)·s·scale,   momentum = maxM − (maxM − baseM)·s·scale.
// torch 1.13 refuses cycle_momentum for an optimizer without 'momentum' (Adam); torch >= 2.2 cycles β1,
// which is what the momentum schedule does when it drives betas[0].
class CyclicLR extends Schedule {
  readonly kind = 'cyclicLR';

  constructor(
    readonly options: { [key: string]: JsonValue },
    readonly part: 'lr' | 'momentum',
    readonly low: number,
    readonly high: number,
    readonly cycle: Cycle,
  ) {
    // torch sets the group's lr to base_lr (momentum to base_momentum) before the construction step.
    super(low);
    this.begin(this.base);
  }

  #at(t: number): number {
    const { total, stepRatio, scale, scaleMode } = this.cycle;
    const cycle = Math.floor(1 + t / total);
    const x = 1 + t / total - cycle;
    const scaleFactor = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
    const height = (this.high - this.low) * scaleFactor;
    const scaleAt = scaleMode === 'cycle' ? cycle : t;
    const scaled = height * returned(this.kind, 'scaleFn', scaleAt, scale(scaleAt));
    return this.part === 'lr' ? this.low + scaled : this.high - scaled;
  }

  protected first(): number {
    return this.#at(0);
  }

  protected next(_current: number, t: number): number {
    return this.#at(t);
  }

  /** @internal */
  override functions(): { scaleFn?: ScaleFn } {
    return this.options.scaleFn === 'function' ? { scaleFn: this.cycle.scale } : {};
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return this.options;
  }

  override toJSON(): ScheduleJSON {
    return { ...super.toJSON(), part: this.part };
  }
}

const triangular: ScaleFn = () => 1;
const triangular2: ScaleFn = (x) => 1 / 2 ** (x - 1);

export function cyclicLR(options: CyclicLROptions): CyclicSchedules {
  const where = 'cyclicLR';
  const o = readOptions(where, options, [
    'baseLr',
    'maxLr',
    'stepSizeUp',
    'stepSizeDown',
    'mode',
    'gamma',
    'scaleFn',
    'scaleMode',
    'cycleMomentum',
    'baseMomentum',
    'maxMomentum',
  ]);
  const baseLr = finite(where, 'baseLr', o.baseLr);
  const maxLr = finite(where, 'maxLr', o.maxLr);
  // torch accepts 0, then divides by the step ratio: refuse it up front.
  const stepSizeUp = positive(where, 'stepSizeUp', o.stepSizeUp ?? 2000);
  const stepSizeDown = atLeast(where, 'stepSizeDown', o.stepSizeDown ?? stepSizeUp, 0);
  const mode = choice(where, 'mode', o.mode ?? 'triangular', ['triangular', 'triangular2', 'expRange'] as const);
  const gamma = finite(where, 'gamma', o.gamma ?? 1);
  const scaleFn = o.scaleFn === undefined ? undefined : fn<ScaleFn>(where, 'scaleFn', o.scaleFn);
  const scaleMode = choice(where, 'scaleMode', o.scaleMode ?? 'cycle', ['cycle', 'iterations'] as const);
  const cycleMomentum = flag(where, 'cycleMomentum', o.cycleMomentum ?? true);
  const baseMomentum = finite(where, 'baseMomentum', o.baseMomentum ?? 0.8);
  const maxMomentum = finite(where, 'maxMomentum', o.maxMomentum ?? 0.9);

  const total = stepSizeUp + stepSizeDown;
  const builtIn = mode === 'triangular' ? triangular : mode === 'triangular2' ? triangular2 : (x: number) => gamma ** x;
  const cycle: Cycle = {
    total,
    stepRatio: stepSizeUp / total,
    scale: scaleFn ?? builtIn,
    // torch: the built-in modes fix scale_mode ('iterations' for exp_range); only a scale_fn reads it.
    scaleMode: scaleFn ? scaleMode : mode === 'expRange' ? 'iterations' : 'cycle',
  };
  const json: { [key: string]: JsonValue } = {
    baseLr,
    maxLr,
    stepSizeUp,
    stepSizeDown,
    mode,
    gamma,
    scaleFn: scaleFn ? 'function' : null,
    scaleMode,
    cycleMomentum,
    baseMomentum,
    maxMomentum,
  };
  return {
    lr: new CyclicLR(json, 'lr', baseLr, maxLr, cycle),
    momentum: cycleMomentum ? new CyclicLR(json, 'momentum', baseMomentum, maxMomentum, cycle) : null,
  };
}
