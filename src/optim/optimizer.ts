import type { Kernels } from '../backend/kernels.js';
import type { Context } from '../context.js';
import { Group } from '../memory/group.js';
import { describe } from '../ravine.js';
import { Tensor } from '../tensor.js';
import { ReduceLROnPlateau } from '../schedules/reduceLROnPlateau.js';
import { Schedule, type ScheduleJSON } from '../schedules/schedule.js';
import {
  accessors, bind, buildSaved, checkFree, copyDriver, findDrivers, isDriver, optionName, parseOptionName, placeAt, readOption, sameDefinition, unbind, writeOption,
  type Driven, type ScheduleDriver,
} from './drivers.js';
import { Powers } from './powers.js';
import {
  clipCoefficient, NO_TRAINING, readTraining, totalNorm, trainingBuffers, trainingInput,
  type Diagnostics, type Training, type TrainingOptions,
} from './training.js';
import { AccumulateFlag } from '../kernels/gradients.js';
import { readFloat32 } from './savedBuffers.js';
import { stateToJson } from './stateJson.js';

/**
 * A parameter group as the user sees it (torch's `param_groups[i]`): its tensors and its options, each
 * the number in effect now (a scheduled option too: its schedule writes it after every step).
 */
export type ParamGroup<O> = O & { readonly params: readonly Tensor[] };
/** A number option may be given a schedule instead (`lr: cosineAnnealingLR(...)`), as may each of `betas`. */
export type Drivable<T> = T extends number ? number | ScheduleDriver : T extends [number, number] ? [number | ScheduleDriver, number | ScheduleDriver] : T;
/** Options as given: any subset, each number option a number or a schedule. */
export type OptionsInput<O> = { [K in keyof O]?: Drivable<O[K]> };
export type ParamGroupInput<O> = { params: Tensor[] } & OptionsInput<O>;
export type Params<O> = Tensor[] | ParamGroupInput<O>[];

/** A state buffer: one float per parameter, named after torch's state key in camelCase. */
export interface StateBuffer {
  readonly name: string;
  readonly fill: number;
}

/** What makes an optimizer: its defaults, its checks, its state. The math lives in its kernel. */
export interface OptimizerSpec<O> {
  readonly name: string;
  readonly defaults: Readonly<O>;
  /** Options with no default (torch's `required`, e.g. SGD's lr). */
  readonly required?: readonly (keyof O & string)[];
  /** Throws a TypeError/RangeError naming the option and its value. */
  check(where: string, o: O): void;
  /** The state buffers these options need. */
  stateBuffers(o: O): StateBuffer[];
  /**
   * Buffers some options need and others do not (SGD's momentumBuffer, Adam's maxExpAvgSq): kept, and
   * saved, after an option change stops using them, so a checkpoint may carry them (filled with 0).
   */
  readonly optionalBuffers?: readonly string[];
  /**
   * A number that changes exactly when `stateBuffers(o)` would change (e.g. amsgrad on/off), so that
   * step() asks for the buffer list only after such an option change. Omitted: the list never changes.
   */
  stateKey?(o: O): number;
  /** Per-group scalar state with its initial value (NAdam's muProduct). */
  readonly scalars?: Readonly<Record<string, number>>;
}

/**
 * One group's memory (its segment table, state buffers and scalar block: see memory/group.ts) and the
 * optimizer's bookkeeping for it.
 */
export class GroupMemory extends Group {
  /** buffers allocated but not yet written by a step (SGD's momentum buffer starts as a copy of d) */
  readonly fresh = new Set<string>();
  /** per-group scalar state (NAdam's muProduct) */
  readonly scalars: Record<string, number>;
  readonly external: readonly Tensor[];
  step = 0;
  /** spec.stateKey of the options the state was last ensured for */
  stateKey = NaN;
  /** β1^t and β2^t, correctly rounded, one multiplication per step */
  readonly powers: readonly [Powers, Powers] = [new Powers(), new Powers()];
  /**
   * The factor every kernel applies to the gradient first (folded into the sign: clipping's coefficient,
   * an f32), so that a clipped step needs no pass of its own: f32(g·(±c)) = ±f32(g·c), bit for bit the
   * step on gradients clipped in place. 1 when nothing scales them.
   */
  gradScale = 1;

  constructor(ctx: Context, tensors: readonly Tensor[], scalars: Record<string, number>, where: string) {
    super(ctx, tensors, where);
    this.scalars = scalars;
    this.external = tensors.filter((t) => t._external !== null);
  }
}

export interface StateDict {
  readonly format: 'ravine/optimizer';
  /** 2 since schedules are saved (a group's `schedules`); version 1 dicts still load. */
  readonly version: 1 | 2;
  readonly optimizer: string;
  /** Each group's options (the numbers in effect), `params` (tensor names) and `schedules` by option name. */
  readonly paramGroups: readonly Record<string, unknown>[];
  /** Per tensor: `step`, per-group scalars, and each state buffer's floats (null: allocated, not yet written). */
  readonly state: Readonly<Record<string, Readonly<Record<string, number | Float32Array | null>>>>;
  /** The training options, micro-batches accumulated towards the next update, steps the guard skipped (version 2). */
  readonly training?: { readonly options: TrainingOptions; readonly calls: number; readonly pendingMicroBatches: number; readonly skippedSteps: number };
}

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
  readonly #memory: GroupMemory[] = [];
  /** Per group, its options driven by schedules (in the order of #groups). */
  readonly #driven: Driven[][] = [];
  #drivenCount = 0;
  /** The schedules step() advances (not the plateaus), flat, with their groups: rebuilt when one is attached or detached. */
  #stepped: { i: number; d: Driven; schedule: Schedule; read: () => number; write: (value: number) => void }[] = [];
  /** Schedules in the optimizer's options: the first group to use one gets it, later groups a copy. */
  readonly #defaultDrivers: Found[] = [];
  #training: Training = NO_TRAINING;
  /** Any training feature on: step() takes the plain path otherwise. */
  #trainingOn = false;
  /** Micro-batches accumulated since the last update (accumulate > 1). */
  #pending = 0;
  #skipped = 0;
  #diagnostics: Diagnostics | null = null;
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
    this.#groupsView = new Proxy(this.#groups, { set: refuse, defineProperty: refuse, deleteProperty: refuse, setPrototypeOf: refuse, preventExtensions: refuse });
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    }
    const { merged: defaults, drivers } = this.#mergeDriven(spec.defaults, (options ?? {}) as Partial<O>, where);
    this.#defaults = defaults;
    for (const d of drivers) checkFree(where, optionName(d.key, d.index), d.driver);
    this.#defaultDrivers.push(...drivers);
    // As torch does, defaults are checked even if every group overrides them (unless one is missing).
    if ((spec.required ?? []).every((key) => this.#defaults[key] !== undefined)) spec.check(where, this.#defaults);
    if (!Array.isArray(params) || params.length === 0) {
      throw new TypeError(`${where}: params must be a non-empty array of tensors or of param groups, got ${describe(params)}`);
    }
    const tensors = (params as unknown[]).filter((p) => p instanceof Tensor).length;
    if (tensors > 0 && tensors < params.length) {
      const i = (params as unknown[]).findIndex((p) => !(p instanceof Tensor));
      throw new TypeError(`${where}: params[${i}] must be a tensor (params is an array of tensors, or of param groups), got ${describe(params[i])}`);
    }
    const groups = tensors > 0 ? [{ params: params as Tensor[] } as ParamGroupInput<O>] : (params as ParamGroupInput<O>[]);
    if (training !== undefined) this.#setTraining(readTraining(where, training, NO_TRAINING));
    // Validate every group, then allocate for all of them, then take the tensors: a bad group or a
    // failed allocation leaves every tensor, and the heap, as they were.
    this.#install(this.#resolveGroups(groups, []));
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
      this.#check(`${where} param group ${i}`, options);
    }
    if (existing !== undefined) this.#detach(i, existing);
    if (driver !== null) this.#attach(i, { key, index, name, driver });
  }

  /** Checks a (group, option name) pair: [group index, option key, array index or -1]. */
  #slot(method: string, group: number, name: string): [number, string, number] {
    const where = `${this.#spec.name}.${method}`;
    if (!Number.isInteger(group) || group < 0 || group >= this.#groups.length) {
      throw new RangeError(`${where}: group must be an integer in [0, ${this.#groups.length - 1}], got ${describe(group)}`);
    }
    const parsed = typeof name === 'string' ? parseOptionName(name) : null;
    const base = parsed === null ? undefined : (this.#defaults as Record<string, unknown>)[parsed[0]];
    const numeric = parsed !== null && Object.hasOwn(this.#spec.defaults, parsed[0]) && (parsed[1] < 0
      ? typeof base === 'number' || isDriver(base) || (base === undefined && this.#spec.required?.includes(parsed[0] as keyof O & string))
      : Array.isArray(base) && parsed[1] < base.length);
    if (!numeric) {
      const names = Object.entries(this.#defaults as Record<string, unknown>).flatMap(([k, v]) => (Array.isArray(v) ? v.map((_, j) => optionName(k, j)) : typeof v === 'boolean' ? [] : [k]));
      throw new TypeError(`${where}: ${describe(name)} is not a number option of ${this.#spec.name} (those are ${names.join(', ')})`);
    }
    return [group, parsed![0], parsed![1]];
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
    this.#stepped = this.#driven.flatMap((driven, i) => driven.flatMap((d) => (d.driver instanceof Schedule ? [{ i, d, schedule: d.driver, ...accessors(this.#groups[i], d) }] : [])));
  }

  /**
   * Takes the schedules assigned to group i's options since the last look (`paramGroups[0].lr = anneal(...)`),
   * each replacing the one there before. False if there were none.
   */
  #adoptAssigned(i: number): boolean {
    const found = findDrivers(this.#groups[i]);
    if (found.length === 0) return false;
    const where = this.#memory[i].where;
    found.forEach(({ key, index, driver }, k) => {
      const name = optionName(key, index);
      const existing = this.#driven[i].find((d) => d.name === name);
      if (driver !== existing?.driver) checkFree(where, name, driver);
      if (found.findIndex((f) => f.driver === driver) !== k) throw new TypeError(`${where}: one ${driver.kind} is assigned to two options; a schedule drives one`);
    });
    for (const { key, index, driver } of found) {
      const name = optionName(key, index);
      const existing = this.#driven[i].find((d) => d.name === name);
      if (existing !== undefined) this.#detach(i, existing);
      this.#attach(i, { key, index, name, driver });
    }
    return true;
  }

  /** Steps every schedule after a step (torch's scheduler.step() after optimizer.step()); plateaus wait for observe(). */
  #advanceSchedules(): void {
    const stepped = this.#stepped;
    let k = 0;
    try {
      for (; k < stepped.length; k++) {
        const s = stepped[k];
        s.write(s.schedule.advance(s.read()));
      }
    } catch (first) {
      // The others still advance, so that schedules never drift apart; the first failure is reported.
      const { i, d } = stepped[k];
      const failure = new RangeError(`${this.#spec.name}.step: the step was taken (every group), but the schedule of ${this.#memory[i].where}'s ${d.name} could not advance: ${first instanceof Error ? first.message : describe(first)}`);
      for (k++; k < stepped.length; k++) {
        const s = stepped[k];
        try {
          s.write(s.schedule.advance(s.read()));
        } catch {
          // reported through the first
        }
      }
      throw failure;
    }
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
    if (this.#pending > 0 && next.accumulate !== this.#training.accumulate) {
      throw new RangeError(`${where}: ${this.#pending} of ${this.#training.accumulate} micro-batches are accumulated; change accumulate after the step that uses them`);
    }
    const before = this.#training;
    this.#setTraining(next);
    try {
      this.#commitState(ctx.arena.atomically(() => this.#allocState(this.#groups, this.#memory)));
    } catch (e) {
      this.#setTraining(before);
      throw e;
    }
    const keep = new Set(trainingBuffers(next).map((b) => b.name));
    for (const m of this.#memory) {
      for (const b of trainingBuffers(before)) {
        if (keep.has(b.name)) continue;
        m.freeState(b.name);
        m.fresh.delete(b.name);
      }
    }
  }

  /** Steps the non-finite guard skipped so far. */
  get skippedSteps(): number {
    return this.#skipped;
  }

  /** Micro-batches accumulated towards the next update (accumulate > 1). */
  get pendingMicroBatches(): number {
    return this.#pending;
  }

  /** What the last update measured, with `diagnostics: true`; null before one. */
  get diagnostics(): Diagnostics | null {
    return this.#diagnostics;
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
   * The training passes before an update, in this order: accumulation (false until the k-th micro-batch,
   * which turns the gradients into the mean), the non-finite guard (false: skipped) and the clipping norm,
   * sharing one reduction when they can; clipGradValue in place; clipGradNorm's coefficient into each
   * group's gradScale; the diagnostics pass. Nothing here touches parameters or optimizer state.
   */
  #prepare(ctx: Context): boolean {
    const t = this.#training, k = ctx.backend.kernels, memory = this.#memory;
    for (const m of memory) if (m.external.length > 0) copyExternalIn(ctx, m.external);
    if (t.accumulate > 1) {
      const last = this.#pending + 1 === t.accumulate;
      const flags = (this.#pending === 0 ? AccumulateFlag.first : 0) | (last ? AccumulateFlag.finish : 0);
      const invK = Math.fround(1 / t.accumulate);
      for (const m of memory) {
        k.accumulate_f32(m.segments, m.state.get('accumulatedGrad')!, m.count, flags, invK);
        m.fresh.delete('accumulatedGrad'); // written: a checkpoint must carry it
      }
      if (!last) {
        this.#pending++;
        return false;
      }
      // The grad arrays now hold the mean; #pending drops to 0 once the update is certain (below).
      copyGradsOut(ctx, memory);
    }
    const clip = t.clipGradNorm;
    let partials = NaN;
    if (t.skipNonFinite || (clip !== null && t.clipGradValue === null)) {
      // The guard reads the norm clipping needs (finite exactly when every gradient is): one pass for both.
      partials = this.#partials(k, t.clipGradValue === null && clip !== null ? clip.normType : 2);
      if (!Number.isFinite(partials) && t.skipNonFinite) {
        this.#skipped++;
        this.#pending = 0; // the k micro-batches are skipped together
        return false;
      }
    }
    if (t.clipGradValue !== null) {
      const v = Math.fround(t.clipGradValue);
      for (const m of memory) k.clampGrads_f32(m.segments, m.count, v);
      copyGradsOut(ctx, memory);
      if (clip !== null) partials = this.#partials(k, clip.normType);
    }
    if (clip !== null) {
      const total = totalNorm(clip.normType, partials);
      if (!Number.isFinite(total) && clip.errorIfNonfinite) {
        const kept = this.#pending > 0 ? `; the ${this.#pending} micro-batches before this one are still accumulated` : '';
        throw new RangeError(`${this.#spec.name}.step: the total norm of order ${clip.normType} of the gradients is ${total}, so clipGradNorm cannot clip them (errorIfNonfinite); parameters and state are untouched${kept}`);
      }
      const coef = clipCoefficient(clip.maxNorm, total);
      if (coef !== 1) for (const m of memory) m.gradScale = coef;
    }
    if (t.diagnostics) {
      const out = this.#scratch;
      const f64 = new Float64Array(ctx.backend.buffer, out, 3);
      let gg = 0, gp = 0, pp = 0, first = false;
      for (const m of memory) {
        first ||= m.fresh.has('previousGrad');
        k.diagnose_f32(m.segments, m.state.get('previousGrad')!, m.state.get('previousParams')!, m.count, out);
        m.fresh.delete('previousGrad');
        m.fresh.delete('previousParams');
        gg += f64[0];
        gp += f64[1];
        pp += f64[2];
      }
      this.#diagnostics = { gradNorm: Math.sqrt(gg), updateNorm: NaN, cosine: first || gg === 0 || pp === 0 ? null : gp / Math.sqrt(gg * pp) };
    }
    this.#pending = 0;
    return true;
  }

  /** Σ over groups of the gradients' partial norms (assembly/gradients.ts), in group order. */
  #partials(k: Kernels, normType: number): number {
    let sum = 0;
    for (const m of this.#memory) {
      const p = k.gradNorm_f32(m.segments, m.count, normType === Infinity ? 0 : normType);
      sum = normType === Infinity ? (p > sum || p !== p ? p : sum) : sum + p;
    }
    return sum;
  }

  /** After the update: the gradient scale back to 1, the update's norm measured. */
  #finish(ctx: Context): void {
    for (const m of this.#memory) m.gradScale = 1;
    if (this.#training.diagnostics) {
      let uu = 0;
      for (const m of this.#memory) uu += ctx.backend.kernels.updateNorm_f32(m.segments, m.state.get('previousParams')!, m.count);
      this.#diagnostics = { ...this.#diagnostics!, updateNorm: Math.sqrt(uu) };
    }
  }

  /** The kernel call for one group: host scalars in f64, computed once per step, then one kernel call. */
  protected abstract update(o: O, m: GroupMemory, kernels: Kernels): void;

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
   * (to recompute the gradients, as in torch) and its result returned.
   */
  step<L = undefined>(closure?: () => L): L | undefined {
    const ctx = this.#live();
    if (closure !== undefined && typeof closure !== 'function') {
      throw new TypeError(`${this.#spec.name}.step: closure must be a function, got ${describe(closure)}`);
    }
    const loss = closure?.();
    // The closure may have disposed this optimizer or its context: nothing may be written then.
    if (closure !== undefined) this.#live('during the closure of this step (nothing was stepped)');
    const groups = this.#groups;
    for (let i = 0; i < groups.length; i++) {
      try {
        this.#check(this.#memory[i].where, groups[i]);
      } catch (e) {
        // A schedule assigned to an option since the last step fails the number check: take it, check again.
        if (!this.#adoptAssigned(i)) throw this.#explain(i, e);
        this.#check(this.#memory[i].where, groups[i]);
      }
    }
    // A schedule past its end (oneCycleLR's totalSteps) throws now, before anything is stepped (on a call
    // that will update: not on a micro-batch that only accumulates).
    const accumulating = this.#trainingOn && this.#pending + 1 < this.#training.accumulate;
    if (this.#drivenCount > 0 && !accumulating) {
      const stepped = this.#stepped;
      for (let k = 0; k < stepped.length; k++) stepped[k].schedule.checkStep();
    }
    for (let i = 0; i < groups.length; i++) if (this.#memory[i].external.length > 0) checkExternal(this.#memory[i]);
    this.#ensureState(ctx, groups, this.#memory);
    const training = this.#trainingOn;
    if (training && !this.#prepare(ctx)) {
      // Accumulating, or skipped by the guard: no update, and schedules stand still (unless told otherwise).
      this.#steps++;
      if (this.#drivenCount > 0 && this.#pending === 0 && this.#training.advanceSchedulesOnSkip) this.#advanceSchedules();
      return loss;
    }
    const kernels = ctx.backend.kernels;
    for (let i = 0; i < groups.length; i++) {
      const m = this.#memory[i];
      if (m.external.length > 0 && !training) copyExternalIn(ctx, m.external);
      if (m.step < STEP_LIMIT) m.step++;
      this.update(groups[i], m, kernels);
      if (m.fresh.size > 0) m.fresh.clear();
      if (m.external.length > 0) copyExternalOut(ctx, m.external);
    }
    if (training) this.#finish(ctx);
    this.#steps++;
    if (this.#drivenCount > 0) this.#advanceSchedules();
    return loss;
  }

  /** An option check's error, saying which schedule set the offending value. */
  #explain(i: number, e: unknown): unknown {
    if (!(e instanceof Error) || this.#driven[i].length === 0) return e;
    const names = this.#driven[i].map((d) => `${d.name} (${d.driver.kind})`).join(', ');
    const error = new (e instanceof RangeError ? RangeError : TypeError)(`${e.message}; options set by schedules in this group: ${names}`);
    return error;
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
    if (this.#pending > 0) {
      throw new RangeError(`${this.#spec.name}.addParamGroup: ${this.#pending} of ${this.#training.accumulate} micro-batches are accumulated, and the new group has none; add it after the step that uses them`);
    }
    this.#install(this.#resolveGroups([group], this.#groups.flatMap((g) => g.params)));
  }

  /**
   * A copy of the state, keyed by tensor name, with the group options: `loadStateDict` takes it back,
   * and so it does after `JSON.parse(JSON.stringify(dict))`: JSON writes each buffer as
   * `{ float32: <base64 of its little-endian bytes> }`, keeping NaN, ±Infinity and −0 bit for bit.
   */
  stateDict(): StateDict {
    this.#live();
    for (let i = 0; i < this.#groups.length; i++) this.#adoptAssigned(i);
    const state: Record<string, Record<string, number | Float32Array | null>> = {};
    const paramGroups = this.#groups.map((group, i) => {
      const m = this.#memory[i];
      group.params.forEach((t, k) => {
        const entry: Record<string, number | Float32Array | null> = { step: m.step, ...m.scalars };
        for (const name of m.state.keys()) entry[name] = m.fresh.has(name) ? null : m.readState(name, k);
        state[t.name] = entry;
      });
      const saved: Record<string, unknown> = { ...cloneOptions(group as O), params: group.params.map((t) => t.name) };
      if (this.#driven[i].length > 0) saved.schedules = Object.fromEntries(this.#driven[i].map((d) => [d.name, d.driver.toJSON()]));
      return saved;
    });
    const training = { options: trainingInput(this.#training), calls: this.#steps, pendingMicroBatches: this.#pending, skippedSteps: this.#skipped };
    const dict: StateDict = { format: 'ravine/optimizer', version: 2, optimizer: this.#spec.name, paramGroups, state, training };
    // Not enumerable: a spread or structuredClone of the dict keeps its Float32Arrays and drops this.
    Object.defineProperty(dict, 'toJSON', { value: () => stateToJson({ ...dict }), enumerable: false });
    return dict;
  }

  /** Restores options and state saved by `stateDict()`; checks everything before changing anything. */
  loadStateDict(dict: StateDict): void {
    const ctx = this.#live();
    const where = `${this.#spec.name}.loadStateDict`;
    if (typeof dict !== 'object' || dict === null || dict.format !== 'ravine/optimizer') {
      throw new TypeError(`${where}: not a ravine optimizer state dict (format 'ravine/optimizer')`);
    }
    if (dict.version !== 1 && dict.version !== 2) throw new TypeError(`${where}: state dict version ${describe(dict.version)} is not one this ravine reads (1, 2)`);
    if (dict.optimizer !== this.#spec.name) throw new TypeError(`${where}: state dict is for ${describe(dict.optimizer)}, not ${this.#spec.name}`);
    if (!Array.isArray(dict.paramGroups) || dict.paramGroups.length !== this.#groups.length) {
      throw new RangeError(`${where}: state dict has ${describe(dict.paramGroups?.length)} param groups, this optimizer has ${this.#groups.length}`);
    }
    if (typeof dict.state !== 'object' || dict.state === null) throw new TypeError(`${where}: state must be an object keyed by tensor name, got ${describe(dict.state)}`);
    const training = this.#readSavedTraining(where, dict);
    const mine = new Set(this.#groups.flatMap((g) => g.params.map((t) => t.name)));
    for (const name of Object.keys(dict.state)) {
      if (!mine.has(name)) throw new RangeError(`${where}: state for tensor ${describe(name)}, which this optimizer does not hold`);
    }
    const plans = this.#groups.map((group, i) => {
      const saved = dict.paramGroups[i];
      if (typeof saved !== 'object' || saved === null) throw new TypeError(`${where}: param group ${i} is ${describe(saved)}`);
      const names = group.params.map((t) => t.name);
      if (!Array.isArray(saved.params) || saved.params.join('\u0000') !== names.join('\u0000')) {
        throw new RangeError(`${where}: param group ${i} holds ${describe(saved.params)}, this optimizer's holds ${describe(names)}`);
      }
      const { params: _, schedules: savedSchedules, ...savedOptions } = saved;
      const options = this.#merge(this.#defaults, savedOptions as Partial<O>, `${where} param group ${i}`);
      this.#check(`${where} param group ${i}`, options);
      const schedules = this.#readSchedules(`${where} param group ${i}`, i, savedSchedules, dict.version);
      // A version-1 dict predates training options: the ones in effect stay, their buffers start afresh.
      const needed = dict.version === 1 ? this.#spec.stateBuffers(options) : this.#buffersFor(options, training.options);
      // Optional buffers these options do not use, carried by the checkpoint: loaded all the same.
      const carried = (this.#spec.optionalBuffers ?? [])
        .filter((name) => !needed.some((b) => b.name === name) && group.params.some((t) => (dict.state[t.name] as Record<string, unknown> | undefined)?.[name] !== undefined))
        .map((name) => ({ name, fill: 0 }));
      const buffers = [...needed, ...carried];
      const entries = group.params.map((t) => this.#checkEntry(where, t, dict.state[t.name], buffers));
      const first = entries[0];
      for (const key of ['step', ...Object.keys(this.#spec.scalars ?? {})]) {
        if (entries.some((e) => e.scalars[key] !== first.scalars[key])) {
          throw new RangeError(`${where}: the tensors of param group ${i} disagree on ${key}; ravine steps a group together`);
        }
      }
      for (const name of Object.keys(first.buffers)) {
        if (entries.some((e) => (e.buffers[name] === null) !== (first.buffers[name] === null))) {
          throw new RangeError(`${where}: state '${name}' is null (not yet written) for some tensors of param group ${i} and not for others; ravine keeps a group's state together`);
        }
      }
      if (training.pending > 0 && first.buffers.accumulatedGrad == null) {
        throw new RangeError(`${where}: training.pendingMicroBatches is ${training.pending}, but param group ${i}'s accumulatedGrad is not there (null)`);
      }
      return { options, entries, buffers, schedules };
    });
    // Everything checked: allocate what the loaded options need and the carried buffers (all or nothing), then write.
    this.#commitState(ctx.arena.atomically(() => this.#allocState(plans.map((p) => p.options), this.#memory, plans.map((p) => p.buffers))));
    const before = this.#training;
    this.#setTraining(training.options);
    this.#pending = training.pending;
    this.#steps = training.calls;
    this.#skipped = training.skipped;
    this.#diagnostics = null;
    if (dict.version === 1) {
      for (const m of this.#memory) {
        for (const b of trainingBuffers(training.options)) {
          m.fillState(b.name, b.fill);
          m.fresh.add(b.name);
        }
      }
    }
    const keep = new Set(trainingBuffers(training.options).map((b) => b.name));
    for (const m of this.#memory) {
      for (const b of trainingBuffers(before)) {
        if (keep.has(b.name)) continue;
        m.freeState(b.name);
        m.fresh.delete(b.name);
      }
    }
    plans.forEach(({ options, entries, buffers, schedules }, i) => {
      const group = this.#groups[i];
      const m = this.#memory[i];
      Object.assign(group, options);
      // A version-1 dict predates schedules: the ones in charge stay.
      if (dict.version >= 2) for (const d of [...this.#driven[i]]) if (!schedules.some((s) => s.name === d.name)) this.#detach(i, d);
      for (const s of schedules) {
        const existing = this.#driven[i].find((d) => d.name === s.name);
        // The same schedule as the one in charge: moved to the saved position, so a handle on it stays live.
        if (existing !== undefined && sameDefinition(existing.driver.toJSON(), s.data)) {
          placeAt(existing.driver, s.data);
          continue;
        }
        if (existing !== undefined) this.#detach(i, existing);
        bind(group, s, `${m.where}'s ${s.name}`, this.#alive);
        this.#driven[i].push(s);
        this.#drivenCount++;
        this.#restep();
      }
      m.step = entries[0].scalars.step;
      for (const key of Object.keys(this.#spec.scalars ?? {})) m.scalars[key] = entries[0].scalars[key];
      for (const buffer of buffers) {
        const fresh = entries[0].buffers[buffer.name] === null;
        if (fresh) {
          m.fillState(buffer.name, buffer.fill);
          m.fresh.add(buffer.name);
        } else {
          group.params.forEach((_, k) => m.writeState(buffer.name, k, entries[k].buffers[buffer.name]!));
          m.fresh.delete(buffer.name);
        }
      }
    });
  }

  /** A checkpoint's training options and counters, checked; a version-1 dict keeps the ones in effect. */
  #readSavedTraining(where: string, dict: StateDict): { options: Training; calls: number; pending: number; skipped: number } {
    if (dict.version === 1 || dict.training === undefined) {
      if (dict.version === 2) throw new TypeError(`${where}: a version-2 state dict needs training { options, calls, pendingMicroBatches, skippedSteps }`);
      return { options: this.#training, calls: this.#steps, pending: 0, skipped: 0 };
    }
    const saved = dict.training as unknown as Record<string, unknown>;
    if (typeof saved !== 'object' || saved === null) throw new TypeError(`${where}: training must be { options, pendingMicroBatches, skippedSteps }, got ${describe(saved)}`);
    const options = readTraining(`${where} training.options`, saved.options, NO_TRAINING);
    const pending = saved.pendingMicroBatches, skipped = saved.skippedSteps, calls = saved.calls;
    if (typeof calls !== 'number' || !Number.isSafeInteger(calls) || calls < 0) throw new RangeError(`${where}: training.calls must be an integer >= 0, got ${describe(calls)}`);
    if (typeof pending !== 'number' || !Number.isInteger(pending) || pending < 0 || pending >= options.accumulate) {
      throw new RangeError(`${where}: training.pendingMicroBatches must be an integer in [0, ${options.accumulate - 1}] (accumulate ${options.accumulate}), got ${describe(pending)}`);
    }
    if (typeof skipped !== 'number' || !Number.isSafeInteger(skipped) || skipped < 0) {
      throw new RangeError(`${where}: training.skippedSteps must be an integer >= 0, got ${describe(skipped)}`);
    }
    return { options, calls, pending, skipped };
  }

  /** A saved group's schedules, each checked by building it; nothing is attached yet. */
  #readSchedules(where: string, i: number, saved: unknown, version: number): (Driven & { data: ScheduleJSON })[] {
    if (saved === undefined) return [];
    if (version < 2 || typeof saved !== 'object' || saved === null || Array.isArray(saved)) {
      throw new TypeError(`${where}: schedules must be an object keyed by option name (state dict version 2), got ${describe(saved)}`);
    }
    return Object.entries(saved).map(([name, data]) => {
      const [, key, index] = this.#slot('loadStateDict', i, name);
      const like = this.#driven[i].find((d) => d.name === name)?.driver;
      return { key, index, name, driver: buildSaved(where, name, data, like), data: data as ScheduleJSON };
    });
  }

  /**
   * One tensor's saved state, checked: `step` an integer in [0, 2^24] (torch 1.13 counts in float32),
   * per-group scalars in range, and every buffer these options need present — its floats (a
   * Float32Array, an array of numbers, or JSON's { float32 }), or null for one not yet written —
   * with the tensor's length, and ≥ 0 (+∞ allowed, NaN not) in the buffers torch keeps non-negative.
   * A tensor that has never been stepped may have no buffers at all (torch's empty state).
   */
  #checkEntry(where: string, t: Tensor, saved: unknown, buffers: readonly StateBuffer[]) {
    if (typeof saved !== 'object' || saved === null) throw new TypeError(`${where}: no state for tensor '${t.name}'`);
    const entry = saved as Record<string, unknown>;
    const scalarDefaults = this.#spec.scalars ?? {};
    for (const key of Object.keys(entry)) {
      if (key !== 'step' && !Object.hasOwn(scalarDefaults, key) && !buffers.some((b) => b.name === key)) {
        throw new TypeError(`${where}: unknown state key '${t.name}'.${describe(key)} for these options (expected step${Object.keys(scalarDefaults).map((k) => `, ${k}`).join('')}${buffers.map((b) => `, ${b.name}`).join('')})`);
      }
    }
    const step = entry.step;
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > STEP_LIMIT) {
      throw new RangeError(`${where}: state '${t.name}'.step must be an integer in [0, 2^24] (torch 1.13 counts steps in float32), got ${describe(step)}`);
    }
    const scalars: Record<string, number> = { step };
    for (const [key, initial] of Object.entries(scalarDefaults)) {
      const value = entry[key] ?? (step === 0 ? initial : undefined);
      if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
        throw new RangeError(`${where}: state '${t.name}'.${key} must be a number in (0, 1], got ${describe(value)}`);
      }
      scalars[key] = value;
    }
    const neverStepped = step === 0 && buffers.every((b) => entry[b.name] === undefined);
    const values: Record<string, Float32Array | null> = {};
    for (const { name } of buffers) {
      const value = neverStepped ? null : entry[name];
      if (value === undefined) throw new TypeError(`${where}: state '${t.name}'.${name} is missing: these options need it (null marks a buffer not yet written)`);
      values[name] = value === null ? null : readBuffer(`${where}: state '${t.name}'.${name}`, value, t.size, NON_NEGATIVE.has(name));
    }
    return { scalars, buffers: values };
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

  /** Defaults overlaid with `options`; unknown keys are rejected. Checking is the caller's. */
  #merge(base: Readonly<O>, options: Partial<O>, where: string): O {
    if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    const given: Record<string, unknown> = {};
    for (const key of Object.keys(options)) {
      // Own, known keys only: 'toString' or '__proto__' are not options because Object.prototype has them.
      if (!Object.hasOwn(this.#spec.defaults, key)) {
        throw new TypeError(`${where}: unknown option ${describe(key)} (${this.#spec.name} takes ${Object.keys(this.#spec.defaults).join(', ')})`);
      }
      // undefined means "the default", as a missing key does in torch.
      const value = (options as Record<string, unknown>)[key];
      if (value !== undefined) given[key] = value;
    }
    return cloneOptions({ ...base, ...given } as O);
  }

  /**
   * `#merge`, with the schedules among `options` taken out: the merged options hold their values, so a
   * group's number options are numbers from the start (an option field that once held an object would
   * box every number written to it, ~20 ns a scheduled step), and the schedules come back beside them.
   */
  #mergeDriven(base: Readonly<O>, options: Partial<O>, where: string): { merged: O; drivers: Found[] } {
    if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    const drivers = findDrivers(options);
    if (drivers.length === 0) return { merged: this.#merge(base, options, where), drivers };
    const values: Record<string, unknown> = { ...options };
    for (const d of drivers) {
      if (d.index < 0) values[d.key] = d.driver.value;
      else values[d.key] = (values[d.key] as unknown[]).map((v, j) => (j === d.index ? d.driver.value : v));
    }
    return { merged: this.#merge(base, values as Partial<O>, where), drivers };
  }

  /** The full check of one group's options: required ones present, then the optimizer's own checks. */
  #check(where: string, o: O): void {
    for (const key of this.#spec.required ?? []) {
      if ((o as Record<string, unknown>)[key] === undefined) throw new TypeError(`${where}: option ${key} is required`);
    }
    this.#spec.check(where, o);
  }

  /** Checks groups (tensors and options) before anything moves. */
  #resolveGroups(groups: ParamGroupInput<O>[], existing: Tensor[]): Resolved<O>[] {
    const seen = new Set<Tensor>(existing);
    const claimed = new Set<ScheduleDriver>();
    const names = new Set(existing.map((t) => t.name));
    return groups.map((group, i) => {
      const where = `${this.#spec.name} param group ${this.#groups.length + i}`;
      if (typeof group !== 'object' || group === null || !Array.isArray(group.params) || group.params.length === 0) {
        throw new TypeError(`${where}: a param group must be { params: Tensor[] (non-empty), ...options }, got ${describe(group)}`);
      }
      const { params: tensors, ...options } = group;
      for (const t of tensors) {
        if (!(t instanceof Tensor)) throw new TypeError(`${where}: params must be tensors made by a Ravine context, got ${describe(t)}`);
        if (t.disposed) throw new TypeError(`${where}: tensor '${t.name}' has been disposed`);
        if (t._ctx.disposed) throw new TypeError(`${where}: tensor '${t.name}' belongs to a disposed Ravine context`);
        this.#ctx ??= t._ctx;
        if (t._ctx !== this.#ctx) throw new TypeError(`${where}: tensor '${t.name}' belongs to another Ravine context`);
        if (t._owner) throw new TypeError(`${where}: tensor '${t.name}' already belongs to an optimizer`);
        if (seen.has(t) || names.has(t.name)) throw new TypeError(`${where}: tensor '${t.name}' appears more than once`);
        seen.add(t);
        names.add(t.name);
      }
      const { merged, drivers } = this.#mergeDriven(this.#defaults, options as Partial<O>, where);
      // The optimizer's schedules apply to the options this group does not give itself.
      const given = new Set(Object.keys(options).filter((key) => (options as Record<string, unknown>)[key] !== undefined));
      const defaults = this.#defaultDrivers.filter((d) => !given.has(d.key));
      // Each schedule drives one option of one group: a default's goes to the first group that uses it
      // (later groups get a copy at its position), a group's own must be free.
      const driven: Driven[] = [...drivers, ...defaults].map(({ key, index, driver }) => {
        const name = optionName(key, index);
        let own = driver;
        if (defaults.some((d) => d.driver === driver)) {
          if ((driver.drives !== null || claimed.has(driver)) && driver instanceof ReduceLROnPlateau) {
            // A copy would never be observed: the user's observe() moves the one they hold.
            throw new TypeError(`${where}: the reduceLROnPlateau on ${name} in the optimizer's options drives its first group only; give each group its own, in the group's options`);
          }
          if (driver.drives !== null || claimed.has(driver)) own = copyDriver(driver);
        } else {
          checkFree(where, name, driver);
          if (claimed.has(driver)) throw new TypeError(`${where}: option ${name} is given a ${driver.kind} that another option or group was given too; a schedule drives one option of one group`);
        }
        claimed.add(own);
        writeOption(merged, { key, index }, own.value);
        return { key, index, name, driver: own };
      });
      this.#check(where, merged);
      return { tensors, options: merged, driven };
    });
  }

  /** Allocates checked groups' tables and state (all or nothing), then takes their tensors. */
  #install(resolved: Resolved<O>[]): void {
    const ctx = this.#ctx!;
    const first = this.#groups.length;
    const memory = ctx.arena.atomically(() => {
      const made = resolved.map(({ tensors }, k) => new GroupMemory(ctx, tensors, { ...this.#spec.scalars }, `${this.#spec.name} param group ${first + k}`));
      const scratch = this.#scratch < 0 ? ctx.arena.alloc(32, `${this.#spec.name}'s diagnostics block`) : this.#scratch;
      return { made, scratch, state: this.#allocState(resolved.map((r) => r.options), made) };
    });
    this.#scratch = memory.scratch;
    resolved.forEach(({ tensors, options }, k) => {
      memory.made[k].write();
      const group = Object.defineProperty(options, 'params', {
        value: Object.freeze([...tensors]), enumerable: true, writable: false,
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

interface Resolved<O> {
  tensors: Tensor[];
  options: O;
  driven: Driven[];
}

/** A schedule found among options, and where. */
type Found = { key: string; index: number; driver: ScheduleDriver };

/** A state buffer allocated for a group, or (at = -1) the stateKey the group's options now have, in `fill`. */
interface NewState {
  m: GroupMemory;
  name: string;
  fill: number;
  at: number;
}

function cloneOptions<O>(o: O): O {
  const copy = { ...o } as Record<string, unknown>;
  delete copy.params;
  for (const key of Object.keys(copy)) if (Array.isArray(copy[key])) copy[key] = [...(copy[key] as unknown[])];
  return copy as O;
}

function copyExternalIn(ctx: Context, tensors: readonly Tensor[]): void {
  const heap = ctx.heap;
  for (const t of tensors) {
    heap.set(t._external!.data, t._data >>> 2);
    heap.set(t._external!.grad, t._grad >>> 2);
  }
}

/** Adopted tensors' gradients back to their own arrays, after a pass changed them in the heap (torch changes them in place). */
function copyGradsOut(ctx: Context, memory: readonly GroupMemory[]): void {
  const heap = ctx.heap;
  for (const m of memory) for (const t of m.external) t._external!.grad.set(heap.subarray(t._grad >>> 2, (t._grad >>> 2) + t.size));
}

function copyExternalOut(ctx: Context, tensors: readonly Tensor[]): void {
  const heap = ctx.heap;
  for (const t of tensors) t._external!.data.set(heap.subarray(t._data >>> 2, (t._data >>> 2) + t.size));
}

/** torch 1.13 keeps `step` in a float32 tensor: counting stops at 2^24, where step + 1 rounds back to step. */
const STEP_LIMIT = 2 ** 24;

/** State buffers torch keeps ≥ 0 (squares, their averages and maxima, sums of squares, |g| maxima). */
const NON_NEGATIVE = new Set(['expAvgSq', 'maxExpAvgSq', 'squareAvg', 'accDelta', 'sum', 'expInf']);

/** A saved buffer's floats, checked: its kind, its length, every element a number, and ≥ 0 where required. */
function readBuffer(what: string, value: unknown, size: number, nonNegative: boolean): Float32Array {
  const floats = readFloat32(what, value, size);
  if (nonNegative) {
    const bad = floats.findIndex((v) => !(v >= 0));
    if (bad >= 0) throw new RangeError(`${what}[${bad}] must be ≥ 0 (torch keeps this buffer non-negative; NaN is not allowed), got ${floats[bad]}`);
  }
  return floats;
}

/** Every adopted array must still be there (a transferred ArrayBuffer leaves a view of length 0). */
function checkExternal(m: GroupMemory): void {
  for (const t of m.external) {
    const { data, grad } = t._external!;
    if (data.length !== t.size || grad.length !== t.size) {
      throw new TypeError(`${m.where}: adopted tensor '${t.name}' has lost its ${data.length !== t.size ? 'data' : 'grad'} array (length ${data.length !== t.size ? data.length : grad.length}, expected ${t.size}: was its buffer transferred?); nothing was stepped`);
    }
  }
}
