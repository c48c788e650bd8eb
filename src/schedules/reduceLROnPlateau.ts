import { describe } from '../describe.js';
import type { JsonValue, ScheduleJSON } from './schedule.js';
import { atLeast, between, choice, current as checkCurrent, finite, integer, readOptions } from './validate.js';

export interface ReduceLROnPlateauOptions {
  /** The value to start from: torch's initial lr. */
  base: number;
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** The value is multiplied by `factor`, in [0, 1), on a plateau. Default 0.1. */
  factor?: number;
  /** Observations without improvement tolerated before reducing (an integer >= 0). Default 10. */
  patience?: number;
  /** How much better counts as better. Default 1e-4. */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Observations after a reduction during which bad ones are not counted (an integer >= 0). Default 0. */
  cooldown?: number;
  /** The value is never reduced below this. Default 0. */
  minLr?: number;
  /** A reduction smaller than this is skipped. Default 1e-8. */
  eps?: number;
}

// torch.optim.lr_scheduler.ReduceLROnPlateau: not a function of the step count but a controller fed a
// metric. Each observation either improves on the best (by the threshold) or counts as bad; bad ones during
// a cooldown are forgiven; after more than `patience` bad ones the value becomes max(value·factor, minLr),
// unless that changes it by no more than eps, and the cooldown starts. NaN never improves (torch compares
// it, and every comparison with NaN is false).
/** The option a controller drives: its name, how to read and write it, whether its optimizer is alive. */
interface Binding {
  readonly drives: string;
  read(): number;
  write(value: number): void;
  alive(): boolean;
}

export class ReduceLROnPlateau {
  readonly kind = 'reduceLROnPlateau';
  readonly base: number;
  readonly #o: Required<Omit<ReduceLROnPlateauOptions, 'base'>>;
  #t = 0;
  #value: number;
  /** null until a first improvement: torch's mode_worse, ±inf. */
  #best: number | null = null;
  #numBadEpochs = 0;
  #cooldownCounter = 0;
  /** The optimizer's option this controller drives: read before, written after each observation. */
  #bound: Binding | null = null;

  constructor(options: ReduceLROnPlateauOptions) {
    const where = 'reduceLROnPlateau';
    const o = readOptions(where, options, ['base', 'mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    this.base = finite(where, 'base', o.base);
    this.#value = this.base;
    this.#o = {
      mode: choice(where, 'mode', o.mode ?? 'min', ['min', 'max'] as const),
      // torch: "Factor should be < 1.0."
      factor: between(where, 'factor', o.factor ?? 0.1, 0, 1, true),
      patience: integer(where, 'patience', o.patience ?? 10, 0),
      threshold: atLeast(where, 'threshold', o.threshold ?? 1e-4, 0),
      thresholdMode: choice(where, 'thresholdMode', o.thresholdMode ?? 'rel', ['rel', 'abs'] as const),
      cooldown: integer(where, 'cooldown', o.cooldown ?? 0, 0),
      minLr: finite(where, 'minLr', o.minLr ?? 0),
      eps: atLeast(where, 'eps', o.eps ?? 1e-8, 0),
    };
  }

  /** The value in effect now. */
  get value(): number {
    return this.#value;
  }

  /** Metrics observed: torch's `last_epoch`. */
  get t(): number {
    return this.#t;
  }

  /** The best metric so far, ±Infinity (the worst for the mode) before any. */
  get best(): number {
    return this.#best ?? (this.#o.mode === 'min' ? Infinity : -Infinity);
  }

  /** Bad observations since the last improvement or reduction. */
  get numBadEpochs(): number {
    return this.#numBadEpochs;
  }

  /** Observations left in the cooldown. */
  get cooldownCounter(): number {
    return this.#cooldownCounter;
  }

  /**
   * torch's `step(metrics)`: feeds one metric and returns the value in effect after it. `current` is the
   * hyperparameter's value now (torch reads `group['lr']`), by default this controller's own.
   */
  observe(metric: number, current?: number): number {
    const where = 'reduceLROnPlateau.observe';
    if (this.#bound !== null && !this.#bound.alive()) this.#bound = null; // its optimizer was disposed
    const from = current !== undefined ? checkCurrent(where, current) : this.#bound !== null ? this.#bound.read() : this.#value;
    if (typeof metric !== 'number') throw new TypeError(`${where}: metric must be a number, got ${describe(metric)}`);
    if (metric === (this.#o.mode === 'min' ? -Infinity : Infinity)) {
      throw new RangeError(`${where}: invalid metric = ${metric}: in mode '${this.#o.mode}' it would be a best nothing can improve on`);
    }
    let numBad = this.#numBadEpochs;
    let cooldown = this.#cooldownCounter;
    let best = this.#best;
    if (this.#isBetter(metric, this.best)) {
      best = metric;
      numBad = 0;
    } else numBad += 1;
    if (cooldown > 0) {
      cooldown -= 1;
      numBad = 0; // bad observations during the cooldown do not count
    }
    let value = from;
    if (numBad > this.#o.patience) {
      const reduced = Math.max(from * this.#o.factor, this.#o.minLr);
      if (from - reduced > this.#o.eps) value = reduced;
      cooldown = this.#o.cooldown;
      numBad = 0;
    }
    this.#t += 1;
    this.#best = best;
    this.#numBadEpochs = numBad;
    this.#cooldownCounter = cooldown;
    this.#value = value;
    this.#bound?.write(value);
    return value;
  }

  /** What this controller drives ('SGD param group 0's lr'), or null while no optimizer holds it. */
  get drives(): string | null {
    if (this.#bound !== null && !this.#bound.alive()) this.#bound = null;
    return this.#bound?.drives ?? null;
  }

  /**
   * @internal An optimizer takes this controller for one option (it observes from the option's current
   * value, as torch reads `group['lr']`, and writes the result into it), or lets go of it (null).
   */
  bind(bound: Binding | null): void {
    this.#bound = bound;
  }

  #isBetter(a: number, best: number): boolean {
    const { mode, threshold, thresholdMode } = this.#o;
    if (mode === 'min') return thresholdMode === 'rel' ? a < best * (1 - threshold) : a < best - threshold;
    return thresholdMode === 'rel' ? a > best * (threshold + 1) : a > best + threshold;
  }

  toJSON(): ScheduleJSON {
    return {
      kind: this.kind,
      options: { base: this.base, ...this.#o } as { [key: string]: JsonValue },
      t: this.#t,
      value: this.#value,
      state: { best: this.#best, numBadEpochs: this.#numBadEpochs, cooldownCounter: this.#cooldownCounter },
    };
  }

  /** @internal Puts the controller where `toJSON` left it; validates before changing anything. */
  restore(t: number, value: number, state: ScheduleJSON['state']): void {
    const where = 'scheduleFromJSON: reduceLROnPlateau';
    if (typeof state !== 'object' || state === null)
      throw new TypeError(`${where} needs state { best, numBadEpochs, cooldownCounter }, got ${describe(state)}`);
    const best = state.best === null ? null : finite(where, 'state.best', state.best);
    const numBadEpochs = integer(where, 'state.numBadEpochs', state.numBadEpochs, 0);
    const cooldownCounter = integer(where, 'state.cooldownCounter', state.cooldownCounter, 0);
    this.#t = t;
    this.#value = value;
    this.#best = best;
    this.#numBadEpochs = numBadEpochs;
    this.#cooldownCounter = cooldownCounter;
  }
}

/** The plateau controller: `reduceLROnPlateau(options)` is `new ReduceLROnPlateau(options)`. */
export function reduceLROnPlateau(options: ReduceLROnPlateauOptions): ReduceLROnPlateau {
  return new ReduceLROnPlateau(options);
}
