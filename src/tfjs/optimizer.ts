import { engine, Optimizer as TfOptimizer, type NamedTensorMap, type serialization, type Tensor as TfTensor, type Variable } from '@tensorflow/tfjs-core';
import { copyDriver, parseOptionName, residuesAsZero, type ScheduleDriver } from '../optim/drivers.js';
import type { Optimizer } from '../optim/optimizer.js';
import { optimizerRegistry, type FirstOrderMethod, type OptimizerRow } from '../optim/registry.js';
import type { StateDict } from '../optim/stateDict.js';
import { stateToJson } from '../optim/stateJson.js';
import type { Diagnostics, TrainingOptions } from '../optim/training.js';
import { describe } from '../describe.js';
import type { Ravine } from '../ravine.js';
import { ReduceLROnPlateau } from '../schedules/index.js';
import type { ScheduleJSON } from '../schedules/schedule.js';
import type { Tensor } from '../tensor.js';
import { cohorts, type Entry } from './cohorts.js';
import { floatsOf, writeVariable } from './storage.js';

// A TF.js optimizer whose update runs in ravine's kernels. TF.js computes the gradients (model.fit,
// optimizer.minimize) and calls applyGradients with them keyed by variable name; each variable has a
// ravine tensor of the same name, whose values are read from the variable only when TF.js changed it
// (the variable's data is not the data ravine last wrote), whose gradient is copied in, and whose new
// values are assigned to the variable after the step (a new tensor, as TF.js's own optimizers do: never
// into an array TF.js has handed out): one kernel call per group. State is keyed by variable name,
// so it survives a change of the trainable set, and saves and loads as a checkpoint.

/** A variable's parameter in ravine's heap. */
interface Param {
  readonly tensor: Tensor;
  /** The TF.js data the tensor's values were last read from or written to: when the variable's differs, TF.js changed it. */
  dataId: object | null;
}

/** What a ravine optimizer is rebuilt with: options in effect, schedules' positions, training options and counters. */
interface Config {
  options: Record<string, unknown>;
  schedules?: Record<string, ScheduleJSON>;
  training: NonNullable<StateDict['training']>;
}

/** The optimizer's checkpoint: everything keyed by TF.js variable name. */
export interface TfjsStateDict<O extends object = Record<string, unknown>> {
  readonly format: 'ravine/tfjs-optimizer';
  readonly version: 1;
  /** torch's class name: 'Adam', 'SGD', ... */
  readonly optimizer: string;
  /** TF.js's `iterations`: applyGradients calls. */
  readonly iterations: number;
  /** The options in effect (numbers). */
  readonly options: Readonly<O>;
  /** The schedules driving options, by option name, with their positions. */
  readonly schedules?: Readonly<Record<string, ScheduleJSON>>;
  /** Training options, calls, micro-batches accumulated, steps skipped. */
  readonly training: NonNullable<StateDict['training']>;
  /** Per variable: its step, per-group scalars and state buffers, as ravine keeps them per tensor. */
  readonly state: Readonly<Record<string, Entry>>;
}

/** TF.js's gradient list form (tfjs-core does not export the type from its index). */
interface NamedTensor {
  name: string;
  tensor: TfTensor;
}

type OptimizerClass = new (params: unknown, options?: unknown, training?: TrainingOptions) => Optimizer<object>;

let bridges = 0;

/** O: the optimizer's options (AdamOptions, …), as `stateDict().options` holds them. */
export class RavineTfjsOptimizer<O extends object = Record<string, unknown>> extends TfOptimizer {
  /** TF.js's serialization name. */
  static get className(): string {
    return 'RavineOptimizer';
  }

  readonly #rv: Ravine;
  readonly #Class: OptimizerClass;
  /** Whether its update reads a tensor's shape (Muon's, Adafactor's): a variable re-made in another shape is then another parameter. */
  readonly #shaped: boolean;
  /** torch's class name, as ravine's state dicts carry it. */
  readonly #torchName: string;
  readonly #name: string;
  /** Tensor names are this prefix + the variable's name: two bridges on one context never collide. */
  readonly #prefix: string;
  readonly #params = new Map<string, Param>();
  /** The ravine optimizer over the variables of the last applyGradients; null before the first. */
  #opt: Optimizer<object> | null = null;
  #active = new Set<string>();
  /** State of variables that were stepped before but are not in the current set: kept until they return. */
  readonly #stash = new Map<string, Entry>();
  /** Before the first step: the options as checked, and the user's schedules (they drive the first optimizer). */
  #initial: Config;
  #drivers: [string, ScheduleDriver][];
  #disposed = false;

  /** @internal use ravineAdam(rv, ...) and its siblings, or ravineOptimizer(rv, method, ...) */
  constructor(rv: Ravine, method: FirstOrderMethod, options: object = {}, training?: TrainingOptions) {
    super();
    checkContext(rv);
    const entry = Object.hasOwn(optimizerRegistry, method) ? optimizerRegistry[method] : undefined;
    if (entry === undefined) {
      throw new TypeError(`ravine/tfjs: unknown optimizer ${describe(method)} (one of ${Object.keys(optimizerRegistry).join(', ')})`);
    }
    this.#rv = rv;
    this.#Class = entry.Class as unknown as OptimizerClass;
    this.#shaped = (entry as OptimizerRow).perTensor === true || (entry as OptimizerRow).stateShape !== undefined;
    this.#torchName = entry.name;
    this.#name = `ravine/tfjs ${entry.name}`;
    this.#prefix = `tfjs${++bridges}:`;
    // Check the options and training options now, as the optimizer's own constructor does, on a one-float probe.
    // A 1×1 matrix: every optimizer takes one (Muon takes nothing else).
    const probe = rv.tensor(`${this.#prefix}(probe)`, 1, { shape: [1, 1] });
    try {
      const opt = new this.#Class([probe], options, training);
      const saved = opt.stateDict();
      this.#initial = { ...configOf(saved) };
      this.#drivers = Object.keys(this.#initial.schedules ?? {}).map((name) => [name, opt.schedule(0, name)!]);
      opt.dispose();
    } finally {
      probe.dispose();
    }
  }

  /**
   * torch's update on TF.js's gradients: one kernel call per group. Variables missing from the map (or
   * with a null gradient) are not stepped and keep their state, as torch skips a parameter without grad.
   */
  override applyGradients(variableGradients: NamedTensorMap | NamedTensor[]): void {
    const where = `${this.#name}.applyGradients`;
    this.#live(where);
    const [names, vars, grads] = readGradients(where, variableGradients);
    if (names.length === 0) return;
    for (let i = 0; i < names.length; i++) {
      const p = this.#params.get(names[i]);
      if (p !== undefined && p.tensor.size !== vars[i].size) {
        throw new RangeError(
          `${where}: variable '${names[i]}' has ${vars[i].size} elements, but its state in this optimizer is for ${p.tensor.size} (re-created under the same name? forget(['${names[i]}']) drops that state)`,
        );
      }
      if (p !== undefined && this.#shaped && p.tensor.shape.join() !== vars[i].shape.join()) {
        throw new RangeError(
          `${where}: variable '${names[i]}' has shape [${vars[i].shape.join(', ')}], but its state in this optimizer is for [${p.tensor.shape.join(', ')}] (re-created under the same name? forget(['${names[i]}']) drops that state)`,
        );
      }
    }
    if (names.length !== this.#active.size || names.some((n) => !this.#active.has(n))) this.#changeSet(where, names, vars);
    for (let i = 0; i < names.length; i++) {
      const p = this.#params.get(names[i])!,
        v = vars[i];
      // Read again unless the variable holds the data this bridge last read or wrote: nothing changes a
      // TF.js tensor's data in place (assign, setWeights and every bridge's write give the variable new data).
      if (p.dataId !== v.dataId) {
        p.tensor.data.set(floatsOf(v));
        p.dataId = v.dataId;
      }
      p.tensor.grad.set(floatsOf(grads[i]));
    }
    const opt = this.#opt!,
      skipped = opt.skippedSteps;
    opt.step();
    // Accumulating, or skipped by the guard: the parameters did not change.
    if (opt.pendingMicroBatches === 0 && opt.skippedSteps === skipped) {
      for (let i = 0; i < names.length; i++) {
        const p = this.#params.get(names[i])!;
        writeVariable(vars[i], p.tensor.data);
        p.dataId = vars[i].dataId;
      }
    }
    this.incrementIterations();
  }

  /**
   * ScheduleFreeAdamW's `eval()` and `train()` through TF.js: the variables the optimizer steps take the
   * average x (to evaluate or save the model), then the training point y back. Other optimizers refuse.
   */
  eval(): void {
    this.#switchPoint('eval');
  }

  train(): void {
    this.#switchPoint('train');
  }

  #switchPoint(to: 'eval' | 'train'): void {
    const where = `${this.#name}.${to}`;
    this.#live(where);
    if (this.#torchName !== 'ScheduleFreeAdamW')
      throw new TypeError(`${where}: eval() and train() are ScheduleFreeAdamW's (this optimizer is ${this.#torchName}, whose variables are its one point)`);
    const opt = this.#opt as unknown as { eval(): void; train(): void } | null;
    if (opt === null) return; // nothing stepped yet: the training point is the average
    const names = [...this.#active];
    const vars = names.map((name) => variableNamed(name));
    const missing = names.findIndex((_, i) => vars[i] === undefined);
    if (missing >= 0) throw new TypeError(`${where}: variable '${names[missing]}' is gone from TF.js; nothing was switched`);
    names.forEach((name, i) => {
      const p = this.#params.get(name)!,
        v = vars[i]!;
      if (p.dataId !== v.dataId) {
        p.tensor.data.set(floatsOf(v));
        p.dataId = v.dataId;
      }
    });
    opt[to]();
    names.forEach((name, i) => {
      const p = this.#params.get(name)!;
      writeVariable(vars[i]!, p.tensor.data);
      p.dataId = vars[i]!.dataId;
    });
  }

  /** The state, keyed by variable name (every variable stepped so far), with options, schedules and training counters. */
  stateDict(): TfjsStateDict<O> {
    this.#live(`${this.#name}.stateDict`);
    // By variable name in a Map, then as own keys (Object.fromEntries): a name such as '__proto__' is a key, never a prototype.
    const state = new Map(this.#stash);
    let config = this.#initial;
    if (this.#opt) {
      const saved = this.#opt.stateDict();
      for (const [name, entry] of this.#byVariable(saved.state)) state.set(name, entry);
      config = configOf(saved);
    } else if (this.#drivers.length > 0) {
      config = { ...config, schedules: Object.fromEntries(this.#drivers.map(([name, d]) => [name, d.toJSON()])) };
    }
    const dict: TfjsStateDict<O> = {
      format: 'ravine/tfjs-optimizer',
      version: 1,
      optimizer: this.#torchName,
      iterations: this.iterations,
      options: config.options as O,
      ...(config.schedules ? { schedules: config.schedules } : {}),
      training: config.training,
      state: Object.fromEntries(state),
    };
    // As ravine's own: JSON keeps every bit of the buffers (base64), structuredClone keeps the arrays.
    Object.defineProperty(dict, 'toJSON', { value: () => stateToJson({ ...dict }), enumerable: false });
    return dict;
  }

  /**
   * Restores a `stateDict()` (also after JSON or a binary checkpoint). Every variable it names must exist
   * in TF.js (build the model first); all is checked before anything changes. The variables' values are
   * the model's: load those with the model's weights.
   */
  loadStateDict(dict: TfjsStateDict<O>): void {
    const where = `${this.#name}.loadStateDict`;
    this.#live(where);
    if (typeof dict !== 'object' || dict === null || dict.format !== 'ravine/tfjs-optimizer') {
      throw new TypeError(`${where}: not a ravine/tfjs optimizer state dict (format 'ravine/tfjs-optimizer')`);
    }
    if (dict.version !== 1) throw new TypeError(`${where}: state dict version ${describe(dict.version)} is not one this ravine reads (1)`);
    if (dict.optimizer !== this.#torchName) throw new TypeError(`${where}: state dict is for ${describe(dict.optimizer)}, not ${this.#torchName}`);
    if (!Number.isSafeInteger(dict.iterations) || dict.iterations < 0)
      throw new RangeError(`${where}: iterations must be an integer >= 0, got ${describe(dict.iterations)}`);
    if (typeof dict.state !== 'object' || dict.state === null)
      throw new TypeError(`${where}: state must be an object keyed by variable name, got ${describe(dict.state)}`);
    if (typeof dict.options !== 'object' || dict.options === null) throw new TypeError(`${where}: options must be an object, got ${describe(dict.options)}`);
    if (typeof dict.training !== 'object' || dict.training === null) {
      throw new TypeError(`${where}: training must be { options, calls, pendingMicroBatches, skippedSteps }, got ${describe(dict.training)}`);
    }
    const names = Object.keys(dict.state);
    const vars = names.map((name) => {
      const v = variableNamed(name);
      if (v === undefined)
        throw new RangeError(`${where}: state for variable '${name}', which TF.js does not have: create the model before loading its optimizer's state`);
      const p = this.#params.get(name);
      if (p !== undefined && p.tensor.size !== v.size)
        throw new RangeError(`${where}: variable '${name}' has ${v.size} elements, but this optimizer's parameter of that name has ${p.tensor.size}`);
      return v;
    });
    const config: Config = {
      options: dict.options as Record<string, unknown>,
      schedules: dict.schedules as Record<string, ScheduleJSON> | undefined,
      training: dict.training,
    };
    if (names.length === 0) this.#loadUnstepped(config);
    else this.#swap(names, vars, new Map(names.map((name) => [name, dict.state[name]])), config);
    this.#stash.clear();
    this.#forget([...this.#params.keys()].filter((name) => !this.#active.has(name)));
    // The model's weights are loaded apart from the optimizer: read every variable afresh at the next step.
    for (const p of this.#params.values()) p.dataId = null;
    this.iterations_ = dict.iterations;
  }

  /**
   * Drops the state of the variables `names` (as if never stepped), and their copies in ravine's heap:
   * for a variable re-created under the same name, or one that will not be trained again.
   */
  forget(names: readonly string[]): void {
    const where = `${this.#name}.forget`;
    this.#live(where);
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
      throw new TypeError(`${where}: names must be an array of variable names, got ${describe(names)}`);
    const drop = new Set(names);
    const old = this.#opt;
    const keep = [...this.#active].filter((name) => !drop.has(name));
    if (old !== null && keep.length < this.#active.size) {
      if (old.pendingMicroBatches > 0)
        throw new RangeError(`${where}: ${old.pendingMicroBatches} micro-batches are accumulated; forget after the step that uses them`);
      const saved = old.stateDict();
      if (keep.length > 0) {
        const state = new Map([...this.#byVariable(saved.state)].filter(([name]) => !drop.has(name)));
        this.#swap(keep, [], state, configOf(saved), saved);
      } else {
        // Nothing left to step: keep the options, schedules and counters for the optimizer the next step builds.
        this.#drivers = this.#driversOf(old, saved);
        this.#initial = configOf(saved);
        old.dispose();
        this.#opt = null;
        this.#active = new Set();
      }
    }
    for (const name of drop) this.#stash.delete(name);
    this.#forget(names.filter((name) => !this.#active.has(name)));
  }

  /** Ravine groups (kernel calls per step): variables at different step counts are stepped in separate groups. */
  get groups(): number {
    return this.#opt?.paramGroups.length ?? 0;
  }
  get skippedSteps(): number {
    return this.#opt?.skippedSteps ?? this.#initial.training.skippedSteps;
  }
  get pendingMicroBatches(): number {
    return this.#opt?.pendingMicroBatches ?? 0;
  }
  get diagnostics(): Diagnostics | null {
    return this.#opt?.diagnostics ?? null;
  }

  /**
   * TF.js's deserialization hook (tf.serialization, a saved model's optimizer): not supported. A ravine
   * optimizer lives in a ravine context, which a config cannot carry; rebuild it with ravineAdam(rv, …) and
   * restore its state with loadStateDict(). Said here, rather than TF.js's "unknown optimizer undefined".
   */
  static override fromConfig(): never {
    throw new TypeError(
      'ravine/tfjs: fromConfig is not supported: a ravine optimizer needs a ravine context, which a config cannot carry; build it again with ravineAdam(rv, options) (or its siblings) and restore its state with loadStateDict()',
    );
  }

  override getConfig(): serialization.ConfigDict {
    const { params: _, ...inEffect } = (this.#opt?.paramGroups[0] ?? { params: null, ...this.#initial.options }) as Record<string, unknown>;
    return { optimizer: this.#torchName, ...inEffect } as serialization.ConfigDict;
  }

  /** Frees the ravine optimizer and the parameters' copies in ravine's heap; the TF.js variables are untouched. */
  override dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (!this.#rv.disposed) {
      this.#opt?.dispose();
      for (const p of this.#params.values()) p.tensor.dispose();
    }
    this.#opt = null;
    this.#params.clear();
    this.#stash.clear();
    this.#active.clear();
    super.dispose();
  }

  #live(where: string): void {
    if (this.#disposed) throw new TypeError(`${where}: this optimizer has been disposed`);
    if (this.#rv.disposed) throw new TypeError(`${where}: its Ravine context has been disposed`);
  }

  /** A new trainable set: the state of variables leaving it is kept aside, variables joining it get theirs back (or fresh state). */
  #changeSet(where: string, names: string[], vars: Variable[]): void {
    const old = this.#opt;
    if (old !== null && old.pendingMicroBatches > 0) {
      throw new RangeError(
        `${where}: the set of variables changed with ${old.pendingMicroBatches} of ${old.training.accumulate} micro-batches accumulated; change it after the step that uses them`,
      );
    }
    // The state of variables TF.js has disposed is dropped: nothing can step them again.
    const saved = old?.stateDict();
    const state = new Map([...this.#stash, ...(saved ? this.#byVariable(saved.state) : [])].filter(([name]) => variableNamed(name) !== undefined));
    const leaving = [...this.#active].filter((name) => !names.includes(name));
    this.#swap(names, vars, state, saved ? configOf(saved) : this.#initial, saved);
    this.#stash.clear();
    for (const [name, entry] of state) if (!this.#active.has(name)) this.#stash.set(name, entry);
    // Their values are TF.js's: read again if they come back. Only their state is kept (the stash).
    this.#forget(leaving);
  }

  /** A ravine state dict's entries by variable name (tensor names are the prefix + the variable's). */
  #byVariable(state: StateDict['state']): Map<string, Entry> {
    return new Map(Object.entries(state).map(([name, entry]) => [name.slice(this.#prefix.length), entry]));
  }

  /**
   * Replaces the ravine optimizer by one over `names`, restored from `state` and `config`. Tensors for new
   * names are allocated first; if building the new optimizer fails, the old one is rebuilt as it was and
   * the new tensors are freed, so nothing has changed.
   */
  #swap(names: string[], vars: Variable[], state: Map<string, Entry>, config: Config, oldSaved?: StateDict): void {
    const created: string[] = [];
    try {
      names.forEach((name, i) => {
        if (this.#params.has(name)) return;
        // The variable's shape: Muon and Adafactor read it, and checkpoints carry it.
        this.#params.set(name, { tensor: this.#rv.tensor(this.#prefix + name, vars[i].size, { shape: vars[i].shape }), dataId: null });
        created.push(name);
      });
    } catch (e) {
      this.#forget(created);
      throw e;
    }
    const old = this.#opt,
      oldNames = [...this.#active];
    const saved = old === null ? null : (oldSaved ?? old.stateDict());
    // The schedules in charge, the same objects: freed by old.dispose(), they drive the new optimizer's
    // first group (its other groups get copies), or the old one again if the new one cannot be built.
    const drivers = old === null ? this.#drivers : this.#driversOf(old, saved!);
    old?.dispose();
    try {
      this.#opt = this.#build(names, state, config, drivers);
    } catch (e) {
      this.#opt = null;
      try {
        if (old !== null) this.#opt = this.#build(oldNames, this.#byVariable(saved!.state), configOf(saved!), drivers);
      } finally {
        this.#forget(created);
      }
      throw this.#outside(e);
    }
    this.#active = new Set(names);
  }

  /** An error from ravine's own optimizer, in the user's terms: variable names, not the tensors' prefixed ones. */
  #outside(e: unknown): unknown {
    if (e instanceof Error) e.message = e.message.split(this.#prefix).join('');
    return e;
  }

  /**
   * A checkpoint taken before any step (no variable state): checked by loading it into an optimizer over
   * a one-float probe, then kept, with its schedules, for the optimizer the first step builds.
   */
  #loadUnstepped(config: Config): void {
    const old = this.#opt;
    // Copies: the schedules in charge still drive `old`, which is kept until this load has succeeded.
    const drivers = old ? this.#driversOf(old, old.stateDict()).map(([n, d]) => [n, copyDriver(d)] as [string, ScheduleDriver]) : this.#drivers;
    const probe = this.#rv.tensor(`${this.#prefix}(probe)`, 1);
    let opt: Optimizer<object> | null = null;
    try {
      opt = new this.#Class([probe], constructible(config.options, drivers), config.training.options);
      for (const [name, d] of drivers) opt.setSchedule(0, name, d);
      const schedules = config.schedules ?? (drivers.length > 0 ? Object.fromEntries(drivers.map(([n, d]) => [n, d.toJSON()])) : undefined);
      opt.loadStateDict({
        format: 'ravine/optimizer',
        version: 2,
        optimizer: this.#torchName,
        training: config.training,
        paramGroups: [{ ...config.options, params: [probe.name], ...(schedules ? { schedules } : {}) }],
        state: { [probe.name]: { step: 0 } },
      });
      const saved = opt.stateDict();
      const kept = Object.keys(saved.paramGroups[0].schedules ?? {}).map((name) => [name, opt!.schedule(0, name)!] as [string, ScheduleDriver]);
      opt.dispose(); // frees its schedules: they drive the optimizer the first step builds
      old?.dispose();
      this.#opt = null;
      this.#active = new Set();
      this.#initial = configOf(saved);
      this.#drivers = kept;
    } catch (e) {
      opt?.dispose();
      throw this.#outside(e);
    } finally {
      probe.dispose();
    }
  }

  /** The schedules driving `opt`'s first group, by option name (`saved` is its state dict). */
  #driversOf(opt: Optimizer<object>, saved: StateDict): [string, ScheduleDriver][] {
    return Object.keys((saved.paramGroups[0].schedules as object | undefined) ?? {}).map((name) => [name, opt.schedule(0, name)!]);
  }

  /** Frees the ravine tensors of `names` (held by no optimizer now). */
  #forget(names: readonly string[]): void {
    for (const name of names) {
      this.#params.get(name)?.tensor.dispose();
      this.#params.delete(name);
    }
  }

  /** A ravine optimizer over `names`, one group per cohort (cohorts.ts), with the schedules and the saved state. */
  #build(names: string[], state: Map<string, Entry>, config: Config, drivers: [string, ScheduleDriver][]): Optimizer<object> {
    const groups = cohorts(names, state);
    if (groups.length > 1 && drivers.some(([, d]) => d instanceof ReduceLROnPlateau)) {
      throw new TypeError(
        `${this.#name}: a reduceLROnPlateau cannot drive variables at different step counts (they are stepped as ${groups.length} groups, and it would drive only one); use a schedule, or keep the trainable set fixed`,
      );
    }
    const opt = new this.#Class(
      groups.map((g) => ({ params: g.map((n) => this.#params.get(n)!.tensor) })),
      constructible(config.options, drivers),
      config.training.options,
    );
    try {
      for (let i = 0; i < groups.length; i++) for (const [name, d] of drivers) opt.setSchedule(i, name, i === 0 ? d : copyDriver(d));
      const counters = config.training.calls + config.training.pendingMicroBatches + config.training.skippedSteps > 0;
      if (counters || names.some((n) => state.has(n)) || config.schedules !== undefined) {
        const schedules = config.schedules ?? (drivers.length > 0 ? Object.fromEntries(drivers.map(([n, d]) => [n, d.toJSON()])) : undefined);
        opt.loadStateDict({
          format: 'ravine/optimizer',
          version: 2,
          optimizer: this.#torchName,
          training: config.training,
          paramGroups: groups.map((g) => ({ ...config.options, params: g.map((n) => this.#prefix + n), ...(schedules ? { schedules } : {}) })),
          state: Object.fromEntries(names.map((n) => [this.#prefix + n, state.get(n) ?? { step: 0 }])),
        });
      }
      return opt;
    } catch (e) {
      opt.dispose();
      throw e;
    }
  }
}

/**
 * The TF.js variable named `name`, if there is one. TF.js keeps them in a plain object: its own keys only,
 * so that '__proto__' or 'constructor' (names TF.js refuses to create) is no variable's name.
 */
function variableNamed(name: string): Variable | undefined {
  const registered = engine().registeredVariables;
  return Object.hasOwn(registered, name) ? registered[name] : undefined;
}

/** A ravine state dict's first group's options (numbers in effect), its schedules, and the training section. */
function configOf(saved: StateDict): Config {
  const { params: _, schedules, ...options } = saved.paramGroups[0];
  return { options, ...(schedules ? { schedules: schedules as Record<string, ScheduleJSON> } : {}), training: saved.training! };
}

/** The gradients TF.js hands over, checked: each names a float32 variable and has its size. Null gradients are skipped. */
function readGradients(where: string, given: NamedTensorMap | NamedTensor[]): [string[], Variable[], TfTensor[]] {
  if (typeof given !== 'object' || given === null) throw new TypeError(`${where}: expected gradients keyed by variable name, got ${describe(given)}`);
  const names: string[] = [],
    vars: Variable[] = [],
    grads: TfTensor[] = [];
  const pairs: [string, TfTensor | null | undefined][] = Array.isArray(given) ? given.map((g) => [g.name, g.tensor]) : Object.entries(given);
  for (const [name, grad] of pairs) {
    if (grad == null) continue;
    const v = variableNamed(name);
    if (v === undefined) throw new TypeError(`${where}: no TF.js variable is named '${name}'`);
    if (v.dtype !== 'float32') throw new TypeError(`${where}: variable '${name}' is ${v.dtype}; ravine steps float32 variables`);
    if (grad.isDisposed) throw new TypeError(`${where}: the gradient of '${name}' has been disposed`);
    if (grad.dtype !== 'float32' || grad.size !== v.size) {
      throw new RangeError(`${where}: the gradient of '${name}' is ${grad.dtype}[${grad.size}], the variable float32[${v.size}]`);
    }
    names.push(name);
    vars.push(v);
    grads.push(grad);
  }
  if (Array.isArray(given) && new Set(names).size !== names.length) {
    throw new TypeError(`${where}: a variable is given two gradients (${names.filter((n, i) => names.indexOf(n) !== i).join(', ')})`);
  }
  return [names, vars, grads];
}

/**
 * Saved options as a constructor takes them: one a schedule in `drivers` set a rounding residue below 0
 * (linearLR to endFactor 0 ends at −9.25e-19, as torch's does) as 0; setSchedule and loadStateDict then put
 * the saved value back, checking it as step() does.
 */
function constructible(options: Record<string, unknown>, drivers: readonly [string, ScheduleDriver][]): Record<string, unknown> {
  const driven = drivers.flatMap(([name, driver]) => {
    const parsed = parseOptionName(name);
    return parsed === null ? [] : [{ key: parsed[0], index: parsed[1], name, driver }];
  });
  return residuesAsZero(options, driven) ?? options;
}

/** A Ravine context, or a clear error: a Promise (createRavine() without await) is named as such. */
function checkContext(rv: unknown): void {
  if (rv instanceof Promise || (typeof rv === 'object' && rv !== null && typeof (rv as { then?: unknown }).then === 'function')) {
    throw new TypeError('ravine/tfjs: expected a Ravine context, got a Promise: did you forget await? (const rv = await createRavine())');
  }
  if (typeof rv !== 'object' || rv === null || typeof (rv as { tensor?: unknown }).tensor !== 'function') {
    throw new TypeError(`ravine/tfjs: expected a Ravine context (from await createRavine()), got ${describe(rv)}`);
  }
}
