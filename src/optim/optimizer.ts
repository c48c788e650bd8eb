import type { Kernels } from '../backend/kernels.js';
import type { Context } from '../context.js';
import type { ScheduleDriver } from './drivers.js';
import { checkExternal, copyExternalIn, type GroupMemory } from './groupMemory.js';
import { GroupSchedules } from './groupSchedules.js';
import { blockFinite, Groups, nonFiniteScalar } from './groups.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import { groupsOf, readDefaults, type OptionsInput, type ParamGroup, type ParamGroupInput, type Params } from './paramGroups.js';
import { loadOptimizer, saveOptimizer, type OptimizerParts } from './optimizerCheckpoint.js';
import { STEP_LIMIT, type StateDict } from './stateDict.js';
import { NO_TRAINING, readTraining, type Diagnostics, type Training, type TrainingOptions } from './training.js';
import { TrainingRun } from './trainingRun.js';
import { callClosure, stepAsync } from './closure.js';

// The base class of the first-order optimizers: options, groups and step(). What it holds lives beside
// it: the groups and their memory (groups.ts), the schedules driving their options (groupSchedules.ts,
// shared with LBFGS), the training options and their passes (trainingRun.ts), checkpoints (optimizerCheckpoint.ts).
// The plain step (no schedule, no training option) runs here and in the subclass's update() only.

export abstract class Optimizer<O extends object> {
  readonly #spec: OptimizerSpec<O>;
  readonly #run = new TrainingRun();
  readonly #groups: Groups<O>;
  readonly #schedules: GroupSchedules;
  /** #groups' arrays, held here too: step() reads them with no detour. */
  readonly #list: ParamGroup<O>[];
  readonly #memory: GroupMemory[];
  #steps = 0;
  #disposed = false;

  protected constructor(params: Params<O>, options: OptionsInput<O> | undefined, spec: OptimizerSpec<O>, training?: TrainingOptions) {
    this.#spec = spec;
    const where = spec.name;
    this.#groups = new Groups(readDefaults(spec, options, where), this.#run);
    // For the schedules it drives: false once it or its context is disposed, which frees them.
    const alive = (): boolean => !this.#disposed && !(this.#groups.ctx?.disposed ?? false);
    this.#schedules = new GroupSchedules(this.#groups.list, (i) => `${where} param group ${i}`, alive);
    this.#list = this.#groups.list;
    this.#memory = this.#groups.memory;
    const groups = groupsOf(where, params);
    if (training !== undefined) this.#run.set(readTraining(where, training, NO_TRAINING));
    this.#install(groups); // a bad group or a failed allocation leaves every tensor, and the heap, as they were
  }

  /**
   * torch's `param_groups`: change an option between steps with `opt.paramGroups[i].lr = 0.01`. The array
   * cannot be changed (use addParamGroup); each group is sealed: a misspelt option cannot be added.
   */
  get paramGroups(): readonly ParamGroup<O>[] {
    return this.#groups.view;
  }

  /** The schedule driving option `name` ('lr', 'betas[0]') of group `group`, or null. */
  schedule(group: number, name: string): ScheduleDriver | null {
    this.#live();
    return this.#schedules.current(this.#groups.slot('schedule', group, name)[0], name);
  }

  /**
   * Puts a schedule (or a plateau controller) in charge of option `name` of group `group`, which takes its value
   * now (as `paramGroups[0].lr = anneal(...)` does at the next step); null detaches the one there.
   */
  setSchedule(group: number, name: string, driver: ScheduleDriver | null): void {
    this.#live();
    const [i, key, index] = this.#groups.slot('setSchedule', group, name);
    const where = `${this.#spec.name}.setSchedule`;
    this.#schedules.set(i, where, { key, index, name }, driver, (o) => this.#spec.check(`${where} param group ${i}`, o as O));
  }

  /** The training options in effect (clipping, the non-finite guard, accumulation, diagnostics), defaults filled in. */
  get training(): Training {
    return this.#run.options;
  }

  /** Changes the training options given, between steps: new buffers allocated first, dropped ones freed after. */
  configure(training: TrainingOptions): void {
    this.#live();
    this.#run.configure(`${this.#spec.name}.configure`, training, this.#memory, () => this.#groups.allocate(this.#list));
  }

  /** Steps the non-finite guard skipped so far. */
  get skippedSteps(): number {
    return this.#run.counters.skipped;
  }

  /** Micro-batches accumulated towards the next update (accumulate > 1). */
  get pendingMicroBatches(): number {
    return this.#run.counters.pending;
  }

  /** What the last update measured, with `diagnostics: true`; null before one. */
  get diagnostics(): Diagnostics | null {
    return this.#run.diagnostics;
  }

  /**
   * Group m's host scalars for step t, computed in f64 into its scalar block b (f32); returns the kernel's flags.
   * Scalar state for after the step goes to `m.next`, committed once the kernel has run.
   */
  protected abstract scalars(o: O, m: GroupMemory, b: Float32Array, t: number): number;

  /** The group's one kernel call, with the block and flags `scalars` prepared. */
  protected abstract run(o: O, m: GroupMemory, kernels: Kernels, flags: number): void;

  /** Each group's options and memory, for a subclass's passes of its own (ScheduleFreeAdamW's eval and train). */
  protected groupsWithMemory(): [O, GroupMemory][] {
    return this.#list.map((o, i) => [o, this.#memory[i]]);
  }

  /** Number of `step()` calls so far (skipped and accumulating ones too; a checkpoint carries it). */
  get steps(): number {
    return this.#steps;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /**
   * One step for every group, one kernel call each, every group's options checked first. A closure is called
   * first (to recompute the gradients) and its loss returned; an async one is refused: `await stepAsync(closure)`.
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    let ctx = this.#live();
    let loss: L | undefined;
    if (closure !== undefined) {
      loss = callClosure(`${this.#spec.name}.step`, closure);
      // The closure may have disposed this optimizer or its context: nothing may be written then.
      ctx = this.#live('during the closure of this step (nothing was stepped)');
    }
    const groups = this.#list,
      memory = this.#memory;
    for (let i = 0; i < groups.length; i++) {
      try {
        this.#check(memory[i].where, groups[i]);
      } catch (e) {
        this.#schedules.recheck(i, e, memory[i].where, this.#check.bind(this)); // no closure: step() would allocate its context every call
      }
    }
    for (let i = 0; i < groups.length; i++) if (memory[i].external.length > 0) checkExternal(memory[i]);
    if (this.#schedules.count > 0 || this.#run.on) return this.#stepDriven(ctx, loss);
    // The plain step: no schedule, no training option. Its work is the driven step's, without their parts.
    this.#groups.pool?.checkStep(memory.some((m) => m.plan >= 0));
    this.#groups.ensureState(ctx);
    // Every group's host scalars, checked finite in float32 (lr = 1e39 is not), before anything is written;
    // one group's just before its kernel (a pass of its own costs a 16-parameter step ~20 ns, measured).
    if (groups.length === 1) this.#updateOne(ctx);
    else {
      this.#hostScalars();
      this.#update(ctx, false);
    }
    this.#steps++;
    return loss;
  }

  /** The plain step of a one-group optimizer: #hostScalars and #update in one, out of step() to keep it small. */
  #updateOne(ctx: Context): void {
    const m = this.#memory[0],
      o = this.#list[0],
      b = m.block;
    const t = m.step < STEP_LIMIT ? m.step + 1 : m.step;
    const flags = this.scalars(o, m, b, t);
    if (!blockFinite(b, this.#spec.derivedSlots)) throw nonFiniteScalar(this.#spec, m, o, b, t);
    if (m.external.length > 0) copyExternalIn(m.external);
    m.step = t;
    this.run(o, m, ctx.backend.kernels, flags);
    m.stepped(this.#spec.stateBuffers, o);
  }

  /** spec.check behind a method: inlined into step() whole, it would spend V8's inlining budget the kernel call needs. */
  #check(where: string, o: O): void {
    this.#spec.check(where, o);
  }

  /** step() with schedules or training options, after the option checks: the plain step's parts, and theirs. */
  #stepDriven<L>(ctx: Context, loss: L): L {
    const memory = this.#memory,
      schedules = this.#schedules;
    // A schedule past its end (oneCycleLR's totalSteps) throws now, before anything is stepped (on a call
    // that will update: not on a micro-batch that only accumulates).
    const scheduled = schedules.count > 0 && !this.#run.accumulating();
    if (scheduled) schedules.checkStep();
    this.#groups.pool?.checkStep(memory.some((m) => m.plan >= 0));
    this.#groups.ensureState(ctx);
    this.#hostScalars();
    // The schedules advance with the step or not at all: a schedule that cannot advance refuses it here.
    if (scheduled) schedules.advance(this.#spec.name);
    const training = this.#run.on;
    let updates = true;
    try {
      // The training passes before the update; a refusal there puts advanced schedules back.
      if (training) updates = this.#run.prepare(ctx, memory, this.#spec.name);
      if (updates) this.#update(ctx, training);
    } catch (e) {
      // A kernel failed (a worker thread: ThreadError); the context refuses every later step. Keep the
      // bookkeeping of a step not taken: the schedules back, the gradient scale back to 1.
      for (const m of memory) m.gradScale = 1;
      if (scheduled) schedules.rollback();
      throw e;
    }
    if (updates && training) this.#run.finish(ctx, memory);
    this.#steps++;
    // Accumulating, or skipped by the guard: no update, and schedules stand still (unless told otherwise).
    if (scheduled && (updates || this.#run.options.advanceSchedulesOnSkip)) schedules.commit();
    else if (scheduled) schedules.rollback();
    return loss;
  }

  /** Writes every group's block for its next step and checks the slots that can overflow float32 (spec.derivedSlots). */
  #hostScalars(): void {
    const groups = this.#list,
      memory = this.#memory,
      derived = this.#spec.derivedSlots;
    for (let i = 0; i < groups.length; i++) {
      const m = memory[i],
        b = m.block;
      const t = m.step < STEP_LIMIT ? m.step + 1 : m.step;
      m.flags = this.scalars(groups[i], m, b, t);
      if (!blockFinite(b, derived)) throw nonFiniteScalar(this.#spec, m, groups[i], b, t);
    }
  }

  /** Every group's kernel, with the blocks #hostScalars wrote (`training`: the passes copied adopted arrays in). */
  #update(ctx: Context, training: boolean): void {
    const groups = this.#list,
      memory = this.#memory,
      kernels = ctx.backend.kernels;
    for (let i = 0; i < groups.length; i++) {
      const m = memory[i];
      if (m.external.length > 0 && !training) copyExternalIn(m.external);
      if (m.step < STEP_LIMIT) m.step++;
      // Clipping by norm folds its coefficient into the block's sign slot: write the block again with it.
      if (m.gradScale !== 1) m.flags = this.scalars(groups[i], m, m.block, m.step);
      this.run(groups[i], m, kernels, m.flags);
      m.stepped(this.#spec.stateBuffers, groups[i]);
    }
  }

  /** `step()`, awaitable: an async closure is awaited, then the step taken on the gradients it wrote (closure.ts). */
  stepAsync<L = undefined>(closure?: () => L | PromiseLike<L>): Promise<L | undefined> {
    this.#live();
    return stepAsync(`${this.#spec.name}.stepAsync`, closure, this.#live.bind(this), () => this.step());
  }

  /** Zeroes every gradient (one fill per tensor; adopted tensors' own grad arrays too). */
  zeroGrad(): void {
    this.#live();
    this.#groups.zeroGrad();
  }

  /** torch's `add_param_group`: options missing from the group take this optimizer's defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    this.#live();
    this.#run.refusePending(`${this.#spec.name}.addParamGroup`, ', and the new group has none; add it after the step that uses them');
    this.#install([group]);
  }

  /**
   * A copy of the state, keyed by tensor name, with the group options: `loadStateDict` takes it back, also
   * through JSON (each buffer as `{ float32: <base64> }`, NaN, ±Infinity and −0 kept bit for bit).
   */
  stateDict(): StateDict {
    this.#live();
    return saveOptimizer(this.#parts());
  }

  /** Restores options and state saved by `stateDict()`; checks everything (stateDict.ts) before changing anything. */
  loadStateDict(dict: StateDict): void {
    this.#live();
    this.#steps = loadOptimizer(this.#parts(), dict);
  }

  #parts(): OptimizerParts<O> {
    return { spec: this.#spec, groups: this.#groups, schedules: this.#schedules, run: this.#run, calls: this.#steps };
  }

  /** Frees the optimizer's memory (segment tables, state, scalar blocks); its tensors stay where they are. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#schedules.release(); // free to drive another optimizer's option, or to be stepped by hand
    this.#groups.dispose();
  }

  #live(when = ''): Context {
    if (this.#disposed) throw new TypeError(`this ${this.#spec.name} optimizer has been disposed${when && ` ${when}`}`);
    const ctx = this.#groups.ctx!;
    if (ctx.disposed) throw new TypeError(`the Ravine context of this ${this.#spec.name} optimizer has been disposed${when && ` ${when}`}`);
    return ctx;
  }

  /** Checks new groups, then allocates for all of them, then takes their tensors, then their schedules. */
  #install(inputs: ParamGroupInput<O>[]): void {
    const resolved = this.#groups.resolve(inputs);
    this.#groups.install(resolved, this);
    for (const r of resolved) this.#schedules.addGroup(r.driven);
  }
}
