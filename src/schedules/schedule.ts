import { describe } from '../describe.js';
import { current as checkCurrent } from './validate.js';

// A schedule is a small state machine that reproduces one torch 1.13 lr_scheduler step by step. A torch
// scheduler writes into `param_group['lr']`; a ravine schedule holds the value itself, so that it can drive
// any hyperparameter (lr, momentum, betas[0], weightDecay, eps, ...).
//
// torch's schedulers are chainable: `get_lr()` computes the new value from the group's current one
// (ExponentialLR multiplies it by γ), not from a closed form in the step count. The recorded reference
// data comes from that sequence, so each schedule repeats torch's floating-point operations in torch's
// order, and `step(current)` takes the hyperparameter's current value where torch reads `group['lr']`:
// a manual change between steps is honoured as in torch. Without `current` a schedule continues from its
// own last value.

export type ScheduleKind =
  | 'lambdaLR'
  | 'multiplicativeLR'
  | 'stepLR'
  | 'multiStepLR'
  | 'constantLR'
  | 'linearLR'
  | 'exponentialLR'
  | 'polynomialLR'
  | 'cosineAnnealingLR'
  | 'cosineAnnealingWarmRestarts'
  | 'cyclicLR'
  | 'oneCycleLR'
  | 'sequentialLR'
  | 'chainedScheduler'
  | 'anneal'
  | 'swaLR';

export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A schedule as plain data (`JSON.stringify(schedule)` writes it): what it is, its options, and where it
 * stands. `scheduleFromJSON` rebuilds it at the same position. A user function (LambdaLR's `lrLambda`,
 * CyclicLR's `scaleFn`) is not data: its option reads `'function'` and has to be passed back in.
 */
export interface ScheduleJSON {
  kind: ScheduleKind | 'reduceLROnPlateau';
  /** The factory's options, defaults filled in. */
  options: { [key: string]: JsonValue };
  /** Steps taken (torch's `last_epoch`). */
  t: number;
  /** The value in effect. */
  value: number;
  /** Position beyond `t` and `value`, for the kinds that keep more (warm restarts, plateau). */
  state?: { [key: string]: number | null };
  /** Which of the pair OneCycleLR and CyclicLR build: the lr schedule or the momentum one. */
  part?: 'lr' | 'momentum';
  /** The children of SequentialLR and ChainedScheduler. */
  schedulers?: ScheduleJSON[];
}

export abstract class Schedule {
  abstract readonly kind: ScheduleKind;
  /** torch's `initial_lr` (its `base_lrs`): the value before the schedule's first (construction) step. */
  readonly base: number;
  #t = 0;
  #value: number;
  /** What this schedule drives, once an optimizer has taken it ('Adam param group 0's lr'), else null. */
  #drives: string | null = null;
  /** Whether the optimizer that took this schedule is still alive (a disposed one lets go of it). */
  #alive: (() => boolean) | null = null;

  protected constructor(base: number) {
    this.base = base;
    this.#value = base;
  }

  /** The value in effect now: torch's `get_last_lr()`. Readable at any time. */
  get value(): number {
    return this.#value;
  }

  /** Steps taken since construction: torch's `last_epoch`. */
  get t(): number {
    return this.#t;
  }

  /**
   * Advances one step and returns the new value. `current` is the hyperparameter's value now (torch's
   * `group['lr']`, read by the chainable schedules); it defaults to this schedule's own last value.
   */
  step(current?: number): number {
    if (this.drives !== null) {
      throw new TypeError(
        `${this.kind}.step: this schedule drives ${this.#drives}, and the optimizer steps it after each of its own steps (read its value, or detach it with setSchedule(i, option, null))`,
      );
    }
    const from = current === undefined ? this.#value : checkCurrent(`${this.kind}.step`, current);
    this.checkStep();
    return this.advance(from);
  }

  /** What this schedule drives ('Adam param group 0's lr'), or null while no optimizer holds it. */
  get drives(): string | null {
    if (this.#drives !== null && this.#alive !== null && !this.#alive()) this.bind(null);
    return this.#drives;
  }

  /** @internal An optimizer takes (a label, and whether it is still alive) or lets go of (null) this schedule. */
  bind(drives: string | null, alive: (() => boolean) | null = null): void {
    this.#drives = drives;
    this.#alive = drives === null ? null : alive;
  }

  /** @internal The user functions this schedule holds itself (not its children's): see `scheduleFromJSON`. */
  functions(): { lrLambda?: (t: number) => number; scaleFn?: (x: number) => number } {
    return {};
  }

  /** @internal `step(current)` for the optimizer that drives this schedule, which has called `checkStep()` already. */
  advance(from: number): number {
    const value = this.#finite(this.next(from, this.#t + 1), this.#t + 1);
    this.#t += 1;
    this.#value = value;
    return value;
  }

  /** @internal torch's `_initial_step()`: step 0, computed from the shared value `current`. */
  begin(current: number): void {
    const value = this.#finite(this.first(current), 0);
    this.#t = 0;
    this.#value = value;
  }

  /** @internal torch's deprecated `step(0)`, which SequentialLR calls at a milestone: step 0 again. */
  restart(current: number): void {
    const value = this.#finite(this.atZero(current), 0);
    this.#t = 0;
    this.#value = value;
  }

  // A value that is not a finite number (a user function's NaN, an overflow) would train silently on
  // garbage; torch would write it into the group. Refuse it before it is adopted.
  #finite(value: number, t: number): number {
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new RangeError(`${this.kind}: the value at step ${t} would be ${describe(value)}, not a finite number`);
    return value;
  }

  /**
   * @internal Whether its position is more than `t` and `value` (a `jsonState` of its own, or children):
   * putting it back after a refused step then takes its whole JSON.
   */
  get keepsMore(): boolean {
    return this.jsonState !== Schedule.prototype.jsonState || 'schedulers' in this;
  }

  /** @internal Throws, before anything changes, where torch would fail the next step. */
  checkStep(): void {}

  /** @internal Puts the schedule at step `t` with `value`, as `toJSON` saved them. */
  restore(t: number, value: number, state: ScheduleJSON['state']): void {
    this.restoreState(state);
    this.#t = t;
    this.#value = value;
  }

  toJSON(): ScheduleJSON {
    const json: ScheduleJSON = { kind: this.kind, options: this.jsonOptions(), t: this.#t, value: this.#value };
    const state = this.jsonState();
    if (state !== undefined) json.state = state;
    return json;
  }

  /** torch's `get_lr()` at `last_epoch` 0 (the construction step), from the group's value `current`. */
  protected abstract first(current: number): number;

  /** torch's `step(0)`: its closed form at epoch 0 where the class has one, else `get_lr()` at 0. */
  protected atZero(current: number): number {
    return this.first(current);
  }

  /** torch's `get_lr()` at `last_epoch` = t >= 1, from the group's value `current`. */
  protected abstract next(current: number, t: number): number;

  protected abstract jsonOptions(): { [key: string]: JsonValue };

  protected jsonState(): ScheduleJSON['state'] {
    return undefined;
  }

  /** Validates and adopts the `state` that `jsonState` wrote; throws before changing anything. */
  protected restoreState(state: ScheduleJSON['state']): void {
    if (state !== undefined) throw new TypeError(`scheduleFromJSON: ${this.kind} keeps no state, got state`);
  }
}
