import type { Kernels } from '../backend/kernels.js';
import type { Context } from '../context.js';
import { describe } from '../describe.js';
import {
  bind,
  checkFree,
  isDriver,
  optionName,
  placeAt,
  residuesAsZero,
  sameDefinition,
  unbind,
  writeOption,
  type Driven,
  type ScheduleDriver,
} from './drivers.js';
import { checkExternal, copyExternalIn, copyExternalOut, GroupMemory } from './groupMemory.js';
import type { OptimizerSpec, StateBuffer } from './optimizerSpec.js';
import {
  cloneOptions,
  groupsOf,
  mergeDriven,
  mergeOptions,
  resolveGroups,
  type Found,
  type OptionsInput,
  type ParamGroup,
  type ParamGroupInput,
  type Params,
  type Resolved,
} from './paramGroups.js';
import { advanceAll, assignedDrivers, commitAll, explain, rollback, slotOf, steppedOf, type Stepped } from './scheduling.js';
import { readCheckpoint, restoreState, savedEntry, STEP_LIMIT, type SavedSchedule, type StateDict } from './stateDict.js';
import { NO_TRAINING, readTraining, trainingBuffers, trainingInput, type Diagnostics, type Training, type TrainingOptions } from './training.js';
import { finish, freeDropped, prepare, restartTrainingBuffers, type PassCounters } from './trainingPasses.js';
import { stateToJson } from './stateJson.js';
import { checkClosure, isThenable, refusedPromise } from './closure.js';

// The base class of the first-order optimizers: groups, their memory, step() and zeroGrad(). What it
// wires in lives beside it: param group checks (paramGroups.ts), schedules (scheduling.ts), the training
// passes (trainingPasses.ts) and checkpoints (stateDict.ts). The plain step (no schedule, no training
// option) runs here and in the subclass's update() only: #trainingOn and #drivenCount keep the rest out.

export abstract class Optimizer<O extends object> {
  /** The groups, in the order of #memory: group i's options drive memory i. */
  readonly #groups: ParamGroup<O>[] = [];
  /** What `paramGroups` hands out: #groups behind a proxy that refuses every change to the array. */
  readonly #groupsView: readonly ParamGroup<O>[];
  /** Number of `step()` calls so far. */
  #steps = 0;
  readonly #spec: OptimizerSpec<O>;
  readonly #defaults: O;
  #ctx: Context | null = null;
  /** The context's worker threads, if it has them: step() asks them first whether it may go on. */
  #pool: { checkStep(split: boolean): void } | null = null;
  readonly #memory: GroupMemory[] = [];
  /** Per group, its options driven by schedules (in the order of #groups). */
  readonly #driven: Driven[][] = [];
  #drivenCount = 0;
  /** The schedules step() advances (not the plateaus), flat, with their groups: rebuilt when one is attached or detached. */
  #stepped: Stepped[] = [];
  /** Schedules in the optimizer's options: the first group to use one gets it, later groups a copy. */
  readonly #defaultDrivers: Found[] = [];
  #training: Training = NO_TRAINING;
  /** Any training feature on: step() takes the plain path otherwise. */
  #trainingOn = false;
  /** What the training passes carry between steps: micro-batches pending, steps skipped, the last diagnostics. */
  readonly #counters: PassCounters = { pending: 0, skipped: 0, diagnostics: null };
  /** 32 bytes for the diagnostics kernel's three f64 sums. */
  #scratch = -1;
  #disposed = false;
  /** For the schedules this optimizer drives: false once it or its context is disposed, which frees them. */
  readonly #alive = (): boolean => !this.#disposed && !(this.#ctx?.disposed ?? false);

  protected constructor(params: Params<O>, options: OptionsInput<O> | undefined, spec: OptimizerSpec<O>, training?: TrainingOptions) {
    this.#spec = spec;
    const where = spec.name;
    const refuse = (): never => {
      throw new TypeError(
        `${where}.paramGroups cannot be changed as an array (each group is tied to its memory): add a group with ` +
          `addParamGroup({ params, ...options }), and change options in place, as paramGroups[i].lr = 0.01`,
      );
    };
    this.#groupsView = new Proxy(this.#groups, {
      set: refuse,
      defineProperty: refuse,
      deleteProperty: refuse,
      setPrototypeOf: refuse,
      preventExtensions: refuse,
    });
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    }
    const { merged: defaults, drivers } = mergeDriven(spec, spec.defaults, (options ?? {}) as Partial<O>, where);
    this.#defaults = defaults;
    for (const d of drivers) checkFree(where, optionName(d.key, d.index), d.driver);
    this.#defaultDrivers.push(...drivers);
    // As torch does, defaults are checked even if every group overrides them.
    spec.check(where, this.#defaults);
    const groups = groupsOf(where, params);
    if (training !== undefined) this.#setTraining(readTraining(where, training, NO_TRAINING));
    // Validate every group, then allocate for all of them, then take the tensors: a bad group or a
    // failed allocation leaves every tensor, and the heap, as they were.
    this.#install(this.#resolve(groups));
  }

  /**
   * torch's `param_groups`: change an option between steps with `opt.paramGroups[i].lr = 0.01`. The
   * array itself cannot be changed (push, splice, reverse, assignment all throw: use addParamGroup), and
   * each group is sealed: its options can be set, but a misspelt one cannot be added.
   */
  get paramGroups(): readonly ParamGroup<O>[] {
    return this.#groupsView;
  }

  /** The schedule driving option `name` ('lr', 'betas[0]') of group `group`, or null. */
  schedule(group: number, name: string): ScheduleDriver | null {
    this.#live();
    const [i] = this.#slot('schedule', group, name);
    this.#adoptAssigned(i);
    return this.#driven[i].find((d) => d.name === name)?.driver ?? null;
  }

  /**
   * Puts a schedule (or a plateau controller) in charge of option `name` of group `group`, which takes its
   * value now; null detaches the one there, leaving the option at its value. Assigning a schedule to the
   * option (`paramGroups[0].lr = anneal(...)`) does the same at the next step.
   */
  setSchedule(group: number, name: string, driver: ScheduleDriver | null): void {
    this.#live();
    const [i, key, index] = this.#slot('setSchedule', group, name);
    const where = `${this.#spec.name}.setSchedule`;
    if (driver !== null && !isDriver(driver)) throw new TypeError(`${where}: driver must be a schedule, a reduceLROnPlateau or null, got ${describe(driver)}`);
    this.#adoptAssigned(i);
    const existing = this.#driven[i].find((d) => d.name === name);
    if (driver === existing?.driver) return;
    if (driver !== null) {
      checkFree(where, name, driver);
      const options = cloneOptions(this.#groups[i] as O);
      writeOption(options, { key, index }, driver.value);
      const driven = [...this.#driven[i].filter((d) => d.name !== name), { key, index, name, driver }];
      this.#check(`${where} param group ${i}`, residuesAsZero(options, driven) ?? options);
    }
    if (existing !== undefined) this.#detach(i, existing);
    if (driver !== null) this.#attach(i, { key, index, name, driver });
  }

  /** Checks a (group, option name) pair for `method`'s errors: [group index, option key, array index or -1]. */
  #slot(method: string, group: number, name: string): [number, string, number] {
    return slotOf(this.#spec, this.#defaults, this.#groups.length, method, group, name);
  }

  #attach(i: number, d: Driven): void {
    writeOption(this.#groups[i], d, d.driver.value);
    bind(this.#groups[i], d, `${this.#memory[i].where}'s ${d.name}`, this.#alive);
    this.#driven[i].push(d);
    this.#drivenCount++;
    this.#restep();
  }

  #detach(i: number, d: Driven): void {
    unbind(d);
    this.#driven[i].splice(this.#driven[i].indexOf(d), 1);
    this.#drivenCount--;
    this.#restep();
  }

  #restep(): void {
    this.#stepped = steppedOf(this.#groups, this.#driven);
  }

  /**
   * Takes the schedules assigned to group i's options since the last look (`paramGroups[0].lr = anneal(...)`),
   * each replacing the one there before. False if there were none.
   */
  #adoptAssigned(i: number): boolean {
    const found = assignedDrivers(this.#groups[i], this.#driven[i], this.#memory[i].where);
    if (found.length === 0) return false;
    for (const { key, index, driver } of found) {
      const name = optionName(key, index);
      const existing = this.#driven[i].find((d) => d.name === name);
      if (existing !== undefined) this.#detach(i, existing);
      this.#attach(i, { key, index, name, driver });
    }
    return true;
  }

  /** The training options in effect (clipping, the non-finite guard, accumulation, diagnostics), defaults filled in. */
  get training(): Training {
    return this.#training;
  }

  /**
   * Changes training options between steps: only the keys given change. Buffers the new options need
   * are allocated (all or nothing) before anything changes; ones they no longer need are freed. Refused
   * while micro-batches are pending.
   */
  configure(training: TrainingOptions): void {
    const ctx = this.#live();
    const where = `${this.#spec.name}.configure`;
    const next = readTraining(where, training, this.#training);
    const pending = this.#counters.pending;
    if (pending > 0 && next.accumulate !== this.#training.accumulate) {
      throw new RangeError(
        `${where}: ${pending} of ${this.#training.accumulate} micro-batches are accumulated; change accumulate after the step that uses them`,
      );
    }
    const before = this.#training;
    this.#setTraining(next);
    try {
      this.#commitState(ctx.arena.atomically(() => this.#allocState(this.#groups, this.#memory)));
    } catch (e) {
      this.#setTraining(before);
      throw e;
    }
    freeDropped(this.#memory, before, next);
  }

  /** Steps the non-finite guard skipped so far. */
  get skippedSteps(): number {
    return this.#counters.skipped;
  }

  /** Micro-batches accumulated towards the next update (accumulate > 1). */
  get pendingMicroBatches(): number {
    return this.#counters.pending;
  }

  /** What the last update measured, with `diagnostics: true`; null before one. */
  get diagnostics(): Diagnostics | null {
    return this.#counters.diagnostics;
  }

  #setTraining(t: Training): void {
    this.#training = t;
    this.#trainingOn = t !== NO_TRAINING && (t.clipGradNorm !== null || t.clipGradValue !== null || t.skipNonFinite || t.accumulate > 1 || t.diagnostics);
  }

  /** The buffers group options `o` need: the optimizer's, then the training options'. */
  #buffersFor(o: O, training = this.#training): StateBuffer[] {
    const own = this.#spec.stateBuffers(o);
    return this.#trainingOn || training !== this.#training ? [...own, ...trainingBuffers(training)] : own;
  }

  /**
   * Group m's host scalars for step t, computed once per step in f64 and written to its scalar block b
   * (`m.block`: rounding each to f32); returns the kernel's flags. Changes nothing else: per-group scalar state for
   * after the step goes to `m.next`, which step() commits once the kernel has run. step() calls it for
   * every group before any kernel, and refuses the step if a slot is not finite in float32.
   */
  protected abstract scalars(o: O, m: GroupMemory, b: Float32Array, t: number): number;

  /** The group's one kernel call, with the block and flags `scalars` prepared. */
  protected abstract run(o: O, m: GroupMemory, kernels: Kernels, flags: number): void;

  /** Number of `step()` calls so far (skipped and accumulating ones too; a checkpoint carries it). */
  get steps(): number {
    return this.#steps;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * One optimisation step for every group: one kernel call per group. Every group's options are
   * checked first, so an invalid option throws and changes nothing. With a closure, it is called first
   * (to recompute the gradients, as in torch) and its result returned. An async closure (one that
   * returns a Promise) is refused, since its gradients are not there yet: `await stepAsync(closure)`.
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    let ctx = this.#live();
    let loss: L | undefined;
    if (closure !== undefined) {
      loss = this.#callClosure(closure);
      // The closure may have disposed this optimizer or its context: nothing may be written then.
      ctx = this.#live('during the closure of this step (nothing was stepped)');
    }
    const groups = this.#groups;
    for (let i = 0; i < groups.length; i++) {
      try {
        this.#check(this.#memory[i].where, groups[i]);
      } catch (e) {
        this.#recheck(i, e);
      }
    }
    if (this.#drivenCount > 0 || this.#trainingOn) return this.#stepDriven(ctx, loss);
    // The plain step: no schedule, no training option. Its work is the driven step's, without their parts.
    const memory = this.#memory;
    for (let i = 0; i < groups.length; i++) if (memory[i].external.length > 0) checkExternal(memory[i]);
    if (this.#pool !== null) this.#pool.checkStep(memory.some((m) => m.plan >= 0));
    this.#ensureState(ctx, groups, memory);
    // Every group's host scalars, checked finite in float32, before anything is written: lr = 1e39 is a
    // finite double but an infinite float32, and so is lr/biasCorrection1 with lr = 1e38. One group is
    // checked just before its kernel (a pass of its own costs a 16-parameter step ~20 ns, measured).
    if (groups.length === 1) {
      this.#updateOne(ctx);
    } else {
      this.#hostScalars(groups);
      this.#update(ctx, false);
    }
    this.#steps++;
    return loss;
  }

  /** The plain step of a one-group optimizer: #hostScalars and #update in one. */
  #updateOne(ctx: Context): void {
    const m = this.#memory[0],
      o = this.#groups[0];
    const b = m.block;
    const t = m.step < STEP_LIMIT ? m.step + 1 : m.step;
    const flags = this.scalars(o, m, b, t);
    if (!blockFinite(b, this.#spec.derivedSlots)) throw nonFiniteScalar(this.#spec, m, o, b);
    if (m.external.length > 0) copyExternalIn(m.external);
    m.step = t;
    this.run(o, m, ctx.backend.kernels, flags);
    this.#after(o, m);
  }

  /** step() with schedules or training options, after the option checks: the plain step's parts, and theirs. */
  #stepDriven<L>(ctx: Context, loss: L): L {
    const groups = this.#groups,
      memory = this.#memory;
    // A schedule past its end (oneCycleLR's totalSteps) throws now, before anything is stepped (on a call
    // that will update: not on a micro-batch that only accumulates).
    const accumulating = this.#trainingOn && this.#counters.pending + 1 < this.#training.accumulate;
    const scheduled = this.#drivenCount > 0 && !accumulating;
    if (scheduled) {
      const stepped = this.#stepped;
      for (let k = 0; k < stepped.length; k++) stepped[k].schedule.checkStep();
    }
    for (let i = 0; i < groups.length; i++) if (memory[i].external.length > 0) checkExternal(memory[i]);
    if (this.#pool !== null) this.#pool.checkStep(memory.some((m) => m.plan >= 0));
    this.#ensureState(ctx, groups, memory);
    this.#hostScalars(groups);
    // The schedules advance with the step or not at all: a schedule that cannot advance refuses it here.
    if (scheduled) advanceAll(this.#stepped, this.#spec.name, memory);
    const training = this.#trainingOn;
    if (training && !this.#prepare(ctx, scheduled)) {
      // Accumulating, or skipped by the guard: no update, and schedules stand still (unless told otherwise).
      this.#steps++;
      if (scheduled) {
        if (this.#training.advanceSchedulesOnSkip) commitAll(this.#stepped);
        else rollback(this.#stepped);
      }
      return loss;
    }
    try {
      this.#update(ctx, training);
    } catch (e) {
      // A kernel failed (a worker thread: ThreadError); the context refuses every later step. Keep the
      // bookkeeping of a step not taken: the schedules back, the gradient scale back to 1.
      for (const m of memory) m.gradScale = 1;
      if (scheduled) rollback(this.#stepped);
      throw e;
    }
    if (training) finish(ctx, memory, this.#training, this.#counters);
    this.#steps++;
    if (scheduled) commitAll(this.#stepped);
    return loss;
  }

  /** Every group's kernel, with the blocks #hostScalars wrote (`training`: the passes copied adopted arrays in). */
  #update(ctx: Context, training: boolean): void {
    const groups = this.#groups,
      kernels = ctx.backend.kernels;
    for (let i = 0; i < groups.length; i++) {
      const m = this.#memory[i];
      if (m.external.length > 0 && !training) copyExternalIn(m.external);
      if (m.step < STEP_LIMIT) m.step++;
      // Clipping by norm folds its coefficient into the block's sign slot: write the block again with it.
      if (m.gradScale !== 1) m.flags = this.scalars(groups[i], m, m.block, m.step);
      this.run(groups[i], m, kernels, m.flags);
      this.#after(groups[i], m);
    }
  }

  /** After group m's kernel: its per-group scalars, the buffers it wrote, adopted arrays back. */
  #after(o: O, m: GroupMemory): void {
    if (m.next !== null) Object.assign(m.scalars, m.next);
    // Written now: the buffers these options use (not one they leave alone, as SGD's momentumBuffer
    // while momentum is 0: torch keeps that None, and it starts from the gradient when momentum returns).
    if (m.fresh.size > 0) for (const b of this.#spec.stateBuffers(o)) m.fresh.delete(b.name);
    if (m.external.length > 0) copyExternalOut(m.external);
  }

  /**
   * After group i's options failed their check with `e`: a schedule assigned to an option since the last
   * step (which fails the number check) is taken, and a scheduled value that is only a rounding residue
   * below 0 is checked as 0 (drivers.ts: residuesAsZero); then the group is checked again, or `e` is
   * thrown, saying which schedules set the group's options.
   */
  #recheck(i: number, e: unknown): void {
    const where = this.#memory[i].where,
      group = this.#groups[i];
    if (this.#adoptAssigned(i)) {
      try {
        this.#check(where, group);
        return;
      } catch (again) {
        e = again;
      }
    }
    const probe = residuesAsZero(group, this.#driven[i]);
    if (probe !== null) {
      try {
        this.#check(where, probe);
        return;
      } catch {
        // the residue was not the only problem: report the first
      }
    }
    throw explain(this.#driven[i], e);
  }

  /** Calls a synchronous closure for its loss; an async one is refused (its gradients are not written yet). */
  #callClosure<L>(closure: () => L): L {
    checkClosure(`${this.#spec.name}.step`, closure, true);
    const loss = closure();
    if (isThenable(loss)) throw refusedPromise(`${this.#spec.name}.step`, loss);
    return loss;
  }

  /** The training passes before the update (trainingPasses.ts); a refusal there puts advanced schedules back. */
  #prepare(ctx: Context, scheduled: boolean): boolean {
    try {
      return prepare(ctx, this.#memory, this.#training, this.#counters, this.#scratch, this.#spec.name);
    } catch (e) {
      if (scheduled) rollback(this.#stepped);
      throw e;
    }
  }

  /**
   * `step()`, awaitable: the closure may be async (its Promise is awaited, and the step taken on the
   * gradients it wrote, before this resolves to its loss). Where the context has worker threads and this
   * thread may not block (a browser's main thread), it steps with them, polling for their end instead of
   * sleeping; elsewhere the step itself is `step()`'s.
   */
  async stepAsync<L = undefined>(closure?: () => L | PromiseLike<L>): Promise<L | undefined> {
    this.#live();
    if (closure !== undefined) checkClosure(`${this.#spec.name}.stepAsync`, closure, false);
    const loss = closure === undefined ? undefined : await closure();
    // The closure may have disposed this optimizer or its context while it ran: nothing may be written then.
    const pool = this.#live(closure === undefined ? '' : 'during the closure of this step (nothing was stepped)').backend.pool;
    if (pool && !pool.canBlock) await pool.runAsync(() => this.step());
    else this.step();
    return loss;
  }

  /**
   * Writes every group's block for its next step and checks that the slots which can overflow float32
   * (spec.derivedSlots) did not; throws naming the slot. (Reading the whole block back costs ~20 ns a
   * step: it lies in shared memory, where each typed-array read is checked against a length that can grow.)
   */
  #hostScalars(groups: readonly O[]): void {
    const derived = this.#spec.derivedSlots;
    for (let i = 0; i < groups.length; i++) {
      const m = this.#memory[i];
      const b = m.block;
      m.flags = this.scalars(groups[i], m, b, m.step < STEP_LIMIT ? m.step + 1 : m.step);
      if (!blockFinite(b, derived)) throw nonFiniteScalar(this.#spec, m, groups[i], b);
    }
  }

  /** Zeroes every gradient (one fill per tensor; adopted tensors' own grad arrays too). */
  zeroGrad(): void {
    this.#live();
    for (const m of this.#memory) {
      m.zeroGrads();
      for (const t of m.external) t._external!.grad.fill(0);
    }
  }

  /** torch's `add_param_group`: options missing from the group take this optimizer's defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    this.#live();
    if (this.#counters.pending > 0) {
      throw new RangeError(
        `${this.#spec.name}.addParamGroup: ${this.#counters.pending} of ${this.#training.accumulate} micro-batches are accumulated, and the new group has none; add it after the step that uses them`,
      );
    }
    this.#install(this.#resolve([group]));
  }

  /**
   * A copy of the state, keyed by tensor name, with the group options: `loadStateDict` takes it back,
   * and so it does after `JSON.parse(JSON.stringify(dict))`: JSON writes each buffer as
   * `{ float32: <base64 of its little-endian bytes> }`, keeping NaN, ±Infinity and −0 bit for bit.
   */
  stateDict(): StateDict {
    this.#live();
    for (let i = 0; i < this.#groups.length; i++) this.#adoptAssigned(i);
    // Keyed by tensor name with no prototype: a tensor named '__proto__' is an entry like any other.
    const state: Record<string, Record<string, number | Float32Array | null>> = Object.create(null);
    const paramGroups = this.#groups.map((group, i) => {
      const m = this.#memory[i];
      group.params.forEach((t, k) => {
        state[t.name] = savedEntry(m, k);
      });
      const saved: Record<string, unknown> = { ...cloneOptions(group as O), params: group.params.map((t) => t.name) };
      if (this.#driven[i].length > 0) saved.schedules = Object.fromEntries(this.#driven[i].map((d) => [d.name, d.driver.toJSON()]));
      return saved;
    });
    const training = {
      options: trainingInput(this.#training),
      calls: this.#steps,
      pendingMicroBatches: this.#counters.pending,
      skippedSteps: this.#counters.skipped,
    };
    const dict: StateDict = { format: 'ravine/optimizer', version: 2, optimizer: this.#spec.name, paramGroups, state, training };
    // Not enumerable: a spread or structuredClone of the dict keeps its Float32Arrays and drops this.
    Object.defineProperty(dict, 'toJSON', { value: () => stateToJson({ ...dict }), enumerable: false });
    return dict;
  }

  /** Restores options and state saved by `stateDict()`; checks everything (stateDict.ts) before changing anything. */
  loadStateDict(dict: StateDict): void {
    const ctx = this.#live();
    const { training, plans } = readCheckpoint(`${this.#spec.name}.loadStateDict`, dict, {
      spec: this.#spec,
      groups: this.#groups,
      training: this.#training,
      calls: this.#steps,
      options: (saved, where, schedules) => {
        const options = mergeOptions(this.#spec, this.#defaults, saved, where);
        this.#check(where, residuesAsZero(options, schedules) ?? options);
        return options;
      },
      slot: (i, name) => this.#slot('loadStateDict', i, name),
      driver: (i, name) => this.#driven[i].find((d) => d.name === name)?.driver,
      buffersFor: (o, t) => this.#buffersFor(o, t),
    });
    // Everything checked: allocate what the loaded options need and the carried buffers (all or nothing), then write.
    this.#commitState(
      ctx.arena.atomically(() =>
        this.#allocState(
          plans.map((p) => p.options),
          this.#memory,
          plans.map((p) => p.buffers),
        ),
      ),
    );
    const before = this.#training;
    this.#setTraining(training.options);
    this.#counters.pending = training.pending;
    this.#steps = training.calls;
    this.#counters.skipped = training.skipped;
    this.#counters.diagnostics = null;
    // A version-1 dict predates training options: the buffers of the ones in effect start afresh.
    if (dict.version === 1) restartTrainingBuffers(this.#memory, training.options);
    freeDropped(this.#memory, before, training.options);
    plans.forEach((plan, i) => {
      Object.assign(this.#groups[i], plan.options);
      // A version-1 dict predates schedules: the ones in charge stay.
      if (dict.version >= 2) for (const d of [...this.#driven[i]]) if (!plan.schedules.some((s) => s.name === d.name)) this.#detach(i, d);
      for (const s of plan.schedules) this.#restoreSchedule(i, s);
      restoreState(this.#memory[i], plan, Object.keys(this.#spec.scalars ?? {}));
    });
  }

  /** Puts a saved schedule in charge of its option of group i; the option already holds the saved value. */
  #restoreSchedule(i: number, s: SavedSchedule): void {
    const existing = this.#driven[i].find((d) => d.name === s.name);
    // The same schedule as the one in charge: moved to the saved position, so a handle on it stays live.
    if (existing !== undefined && sameDefinition(existing.driver.toJSON(), s.data)) {
      placeAt(existing.driver, s.data);
      return;
    }
    if (existing !== undefined) this.#detach(i, existing);
    bind(this.#groups[i], s, `${this.#memory[i].where}'s ${s.name}`, this.#alive);
    this.#driven[i].push(s);
    this.#drivenCount++;
    this.#restep();
  }

  /** Frees the optimizer's memory (segment tables, state, scalar blocks); its tensors stay where they are. */
  dispose(): void {
    if (this.#disposed) return;
    const ctx = this.#ctx!;
    this.#disposed = true;
    for (const m of this.#memory) for (const t of m.tensors) t._owner = null;
    // Its schedules are free again (to drive another optimizer's option, or to be stepped by hand).
    for (const driven of this.#driven) for (const d of driven) unbind(d);
    if (ctx.disposed) return;
    for (const m of this.#memory) m.free();
    if (this.#scratch >= 0) ctx.arena.free(this.#scratch);
  }

  #live(when = ''): Context {
    if (this.#disposed) throw new TypeError(`this ${this.#spec.name} optimizer has been disposed${when && ` ${when}`}`);
    if (this.#ctx!.disposed) throw new TypeError(`the Ravine context of this ${this.#spec.name} optimizer has been disposed${when && ` ${when}`}`);
    return this.#ctx!;
  }

  /** The full check of one group's options: the optimizer's own. */
  #check(where: string, o: O): void {
    this.#spec.check(where, o);
  }

  /** Checks new groups (tensors and options) before anything moves, and learns the context from the first. */
  #resolve(groups: ParamGroupInput<O>[]): Resolved<O>[] {
    const owner = { spec: this.#spec, defaults: this.#defaults, drivers: this.#defaultDrivers, check: (where: string, o: O) => this.#check(where, o) };
    const { ctx, resolved } = resolveGroups(
      owner,
      this.#ctx,
      groups,
      this.#groups.flatMap((g) => g.params),
      this.#groups.length,
    );
    this.#ctx = ctx;
    this.#pool = ctx.backend.pool ?? null;
    return resolved;
  }

  /** Allocates checked groups' tables and state (all or nothing), then takes their tensors. */
  #install(resolved: Resolved<O>[]): void {
    const ctx = this.#ctx!;
    const first = this.#groups.length;
    const memory = ctx.arena.atomically(() => {
      const made = resolved.map(({ tensors }, k) => new GroupMemory(ctx, tensors, { ...this.#spec.scalars }, `${this.#spec.name} param group ${first + k}`));
      const scratch = this.#scratch < 0 ? ctx.arena.alloc(32, `${this.#spec.name}'s diagnostics block`) : this.#scratch;
      return {
        made,
        scratch,
        state: this.#allocState(
          resolved.map((r) => r.options),
          made,
        ),
      };
    });
    this.#scratch = memory.scratch;
    resolved.forEach(({ tensors, options }, k) => {
      memory.made[k].write();
      const group = Object.defineProperty(options, 'params', {
        value: Object.freeze([...tensors]),
        enumerable: true,
        writable: false,
      }) as ParamGroup<O>;
      for (const t of tensors) {
        t._owner = this;
        if (t._external) ctx.heap.set(t._external.data, t._data >>> 2);
      }
      this.#groups.push(Object.seal(group));
      this.#memory.push(memory.made[k]);
      this.#driven.push([]);
      for (const d of resolved[k].driven) this.#attach(this.#groups.length - 1, d);
    });
    this.#commitState(memory.state);
  }

  /**
   * Allocates (all or nothing) every state buffer the groups' options need and they lack, then fills
   * them. Cheap when nothing changed: spec.stateKey tells whether the buffer list could differ.
   * step() inlines this, and V8's inlining budget for step() (920 bytes of inlined bytecode) is nearly
   * spent: calling an imported commitState here (10 bytes shorter) let SGD's check in instead of #live
   * and Group's block getter, and the 16-parameter SGD step went from 49 to 65 ns (Node 20,
   * --no-concurrent-recompilation). So #allocState and #commitState stay methods of the class.
   */
  #ensureState(ctx: Context, options: readonly O[], memory: readonly GroupMemory[]): void {
    let changed = false;
    for (let i = 0; i < memory.length; i++) if ((this.#spec.stateKey?.(options[i]) ?? 0) !== memory[i].stateKey) changed = true;
    if (!changed) return;
    this.#commitState(ctx.arena.atomically(() => this.#allocState(options, memory)));
  }

  /** The regions the groups' options (or `buffers`, when given) need and lack, allocated but not yet the groups'. */
  #allocState(options: readonly O[], memory: readonly GroupMemory[], buffers?: readonly (readonly StateBuffer[])[]): NewState[] {
    const regions: NewState[] = [];
    memory.forEach((m, i) => {
      for (const buffer of buffers?.[i] ?? this.#buffersFor(options[i])) {
        if (!m.state.has(buffer.name)) regions.push({ m, name: buffer.name, fill: buffer.fill, at: m.allocStateRegion(buffer.name) });
      }
      regions.push({ m, name: '', fill: this.#spec.stateKey?.(options[i]) ?? 0, at: -1 }); // the key these options leave
    });
    return regions;
  }

  #commitState(regions: readonly NewState[]): void {
    for (const { m, name, fill, at } of regions) {
      if (at < 0) {
        m.stateKey = fill;
        continue;
      }
      m.addState(name, at, fill);
      m.fresh.add(name);
    }
  }
}

/** Whether the block's `slots` are finite: x − x is 0 for a finite x and NaN for ±Infinity or NaN, one test for them all. */
function blockFinite(b: Float32Array, slots: readonly number[]): boolean {
  let sum = 0;
  for (let k = 0; k < slots.length; k++) {
    const x = b[slots[k]];
    sum += x - x;
  }
  return sum === 0;
}

/** The error for a host scalar that is not finite in float32: the slot, its value and the group's number options. */
function nonFiniteScalar<O>(spec: OptimizerSpec<O>, m: GroupMemory, o: O, block: Float32Array): RangeError {
  const slot = block.findIndex((v) => !Number.isFinite(v));
  const value = block[slot];
  const name = Object.keys(spec.slots).find((key) => spec.slots[key] === slot) ?? `slot ${slot}`;
  const options = Object.entries(o as Record<string, unknown>)
    .filter(([key, v]) => key !== 'params' && (typeof v === 'number' || Array.isArray(v)))
    .map(([key, v]) => `${key} = ${describe(v)}`)
    .join(', ');
  return new RangeError(
    `${m.where}: at step ${m.step < STEP_LIMIT ? m.step + 1 : m.step}, ${name} (computed from the options) is ${value} in float32, ` +
      `which would write ${Number.isNaN(value) ? 'NaN' : 'infinities'} into the parameters; options: ${options}. Nothing was stepped`,
  );
}

/** A state buffer allocated for a group, or (at = -1) the stateKey the group's options now have, in `fill`. */
interface NewState {
  m: GroupMemory;
  name: string;
  fill: number;
  at: number;
}
