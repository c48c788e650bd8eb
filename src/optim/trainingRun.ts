import type { Context } from '../context.js';
import type { GroupMemory } from './groupMemory.js';
import type { StateBuffer } from './optimizerSpec.js';
import type { SavedTraining } from './stateDict.js';
import { NO_TRAINING, readTraining, trainingBuffers, trainingInput, type Diagnostics, type Training, type TrainingOptions } from './training.js';
import { finish, freeDropped, prepare, restartTrainingBuffers, type PassCounters } from './trainingPasses.js';

// An optimizer's training options in effect (training.ts) and what their passes (trainingPasses.ts) carry
// from one step to the next: micro-batches pending, steps skipped, the last diagnostics. The plain step
// reads `on` and nothing else.

export class TrainingRun {
  #options: Training = NO_TRAINING;
  #on = false;
  readonly counters: PassCounters = { pending: 0, skipped: 0, diagnostics: null };
  /** 32 bytes for the diagnostics kernel's three f64 sums: the groups allocate it with the first of them. */
  scratch = -1;

  /** The training options in effect, defaults filled in. */
  get options(): Training {
    return this.#options;
  }

  /** Any training feature on: step() takes the plain path otherwise. */
  get on(): boolean {
    return this.#on;
  }

  set(t: Training): void {
    this.#options = t;
    this.#on = t !== NO_TRAINING && (t.clipGradNorm !== null || t.clipGradValue !== null || t.skipNonFinite || t.accumulate > 1 || t.diagnostics);
  }

  /** A group's buffers: the optimizer's own (`own`), then the ones training options `t` need. */
  buffers(own: StateBuffer[], t = this.#options): StateBuffer[] {
    return this.#on || t !== this.#options ? [...own, ...trainingBuffers(t)] : own;
  }

  /**
   * configure(): `given` over the options in effect, checked; `allocate` makes the buffers they need (all
   * or nothing) before anything changes, and the ones no longer needed are freed after.
   */
  configure(where: string, given: TrainingOptions, memory: readonly GroupMemory[], allocate: () => void): void {
    const next = readTraining(where, given, this.#options);
    if (next.accumulate !== this.#options.accumulate) this.refusePending(where, '; change accumulate after the step that uses them');
    const before = this.#options;
    this.set(next);
    try {
      allocate();
    } catch (e) {
      this.set(before);
      throw e;
    }
    freeDropped(memory, before, next);
  }

  /** Throws while micro-batches are pending: `then` says what to do instead. */
  refusePending(where: string, then: string): void {
    const pending = this.counters.pending;
    if (pending > 0) throw new RangeError(`${where}: ${pending} of ${this.#options.accumulate} micro-batches are accumulated${then}`);
  }

  /** Whether this call only accumulates a micro-batch (no update, schedules stay). */
  accumulating(): boolean {
    return this.#on && this.counters.pending + 1 < this.#options.accumulate;
  }

  /** The passes before the update: false when the step makes no update (accumulating, or skipped by the guard). */
  prepare(ctx: Context, memory: readonly GroupMemory[], optimizer: string): boolean {
    return prepare(ctx, memory, this.#options, this.counters, this.scratch, optimizer);
  }

  /** The passes after the update. */
  finish(ctx: Context, memory: readonly GroupMemory[]): void {
    finish(ctx, memory, this.#options, this.counters);
  }

  get diagnostics(): Diagnostics | null {
    return this.counters.diagnostics;
  }

  /** What a checkpoint keeps (`calls`: the optimizer's step() calls). */
  saved(calls: number): { options: TrainingOptions; calls: number; pendingMicroBatches: number; skippedSteps: number } {
    return { options: trainingInput(this.#options), calls, pendingMicroBatches: this.counters.pending, skippedSteps: this.counters.skipped };
  }

  /** A checkpoint's training, checked; a version-1 dict's (`restart`) has no buffers for it: they start afresh. */
  restore(saved: SavedTraining, memory: readonly GroupMemory[], restart: boolean): void {
    const before = this.#options;
    this.set(saved.options);
    this.counters.pending = saved.pending;
    this.counters.skipped = saved.skipped;
    this.counters.diagnostics = null;
    if (restart) restartTrainingBuffers(memory, saved.options);
    freeDropped(memory, before, saved.options);
  }
}
