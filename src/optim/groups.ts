import type { Context } from '../context.js';
import { describe } from '../describe.js';
import { GroupMemory } from './groupMemory.js';
import type { OptimizerSpec, StateBuffer } from './optimizerSpec.js';
import { resolveGroups, type GroupDefaults, type ParamGroup, type ParamGroupInput, type Resolved } from './paramGroups.js';
import { slotOf } from './scheduling.js';
import type { Training } from './training.js';
import type { TrainingRun } from './trainingRun.js';

// A first-order optimizer's param groups and their memory (segment tables, state buffers, scalar
// blocks: groupMemory.ts), kept in step: group i's options drive memory i. New groups are checked
// (paramGroups.ts), then allocated all or nothing, then take their tensors; state buffers are allocated
// when options that need them arrive (amsgrad turned on, a training option), before anything changes.

export class Groups<O extends object> {
  /** The groups, in the order of `memory`. */
  readonly list: ParamGroup<O>[] = [];
  /** What `paramGroups` hands out: `list` behind a proxy that refuses every change to the array. */
  readonly view: readonly ParamGroup<O>[];
  readonly memory: GroupMemory[] = [];
  /** The context of the tensors: null before the first group is resolved. */
  ctx: Context | null = null;
  /** The context's worker threads, if it has them: step() asks them first whether it may go on. */
  pool: { checkStep(split: boolean): void } | null = null;
  /** What new groups are checked against: the optimizer's defaults, the schedules among its options, the full check. */
  readonly owner: GroupDefaults<O>;
  readonly #spec: OptimizerSpec<O>;
  readonly #run: TrainingRun;

  constructor(owner: GroupDefaults<O>, run: TrainingRun) {
    const spec = owner.spec;
    this.owner = owner;
    this.#spec = spec;
    this.#run = run;
    const refuse = (): never => {
      throw new TypeError(
        `${spec.name}.paramGroups cannot be changed as an array (each group is tied to its memory): add a group with ` +
          `addParamGroup({ params, ...options }), and change options in place, as paramGroups[i].lr = 0.01`,
      );
    };
    this.view = new Proxy(this.list, { set: refuse, defineProperty: refuse, deleteProperty: refuse, setPrototypeOf: refuse, preventExtensions: refuse });
  }

  /** Checks new groups (tensors and options) before anything moves, and learns the context from the first. */
  resolve(groups: ParamGroupInput<O>[]): Resolved<O>[] {
    const existing = this.list.flatMap((g) => g.params);
    const { ctx, resolved } = resolveGroups(this.owner, this.ctx, groups, existing, this.list.length);
    this.ctx = ctx;
    this.pool = ctx.backend.pool ?? null;
    return resolved;
  }

  /** Allocates checked groups' tables and state (all or nothing), then takes their tensors; `owner` becomes theirs. */
  install(resolved: readonly Resolved<O>[], owner: object): void {
    const ctx = this.ctx!,
      run = this.#run,
      name = this.#spec.name;
    const first = this.list.length;
    const memory = ctx.arena.atomically(() => {
      const made = resolved.map(
        ({ tensors }, k) => new GroupMemory(ctx, tensors, { ...this.#spec.scalars }, `${name} param group ${first + k}`, this.#spec.stateShape),
      );
      const scratch = run.scratch < 0 ? ctx.arena.alloc(32, `${name}'s diagnostics block`) : run.scratch;
      const state = this.#alloc(
        resolved.map((r) => r.options),
        made,
      );
      return { made, scratch, state };
    });
    run.scratch = memory.scratch;
    resolved.forEach(({ tensors, options }, k) => {
      memory.made[k].write();
      const group = Object.defineProperty(options, 'params', { value: Object.freeze([...tensors]), enumerable: true, writable: false }) as ParamGroup<O>;
      for (const t of tensors) {
        t._owner = owner;
        if (t._external) ctx.heap.set(t._external.data, t._data >>> 2);
      }
      this.list.push(Object.seal(group));
      this.memory.push(memory.made[k]);
    });
    this.#commit(memory.state);
  }

  /** Checks a (group, option name) pair for `method`'s errors: [group index, option key, array index or -1]. */
  slot(method: string, group: number, name: string): [number, string, number] {
    return slotOf(this.#spec, this.owner.defaults, this.list.length, method, group, name);
  }

  /** The buffers group options `o` need: the optimizer's, then those of training options `t`. */
  buffersFor(o: O, t?: Training): StateBuffer[] {
    return this.#run.buffers(this.#spec.stateBuffers(o), t);
  }

  /**
   * Allocates (all or nothing) every state buffer the groups' options need and they lack, then fills
   * them. Cheap when nothing changed: spec.stateKey tells whether the buffer list could differ. Every
   * step calls it.
   */
  ensureState(ctx: Context): void {
    const memory = this.memory,
      options = this.list,
      stateKey = this.#spec.stateKey;
    let changed = false;
    for (let i = 0; i < memory.length; i++) if ((stateKey?.(options[i]) ?? 0) !== memory[i].stateKey) changed = true;
    if (changed) this.#commit(ctx.arena.atomically(() => this.#alloc(options, memory)));
  }

  /** Allocates (all or nothing), then fills, the buffers options `options[i]` (or `buffers[i]`, given) need for group i. */
  allocate(options: readonly O[], buffers?: readonly (readonly StateBuffer[])[]): void {
    this.#commit(this.ctx!.arena.atomically(() => this.#alloc(options, this.memory, buffers)));
  }

  /** The regions the groups' options (or `buffers`, when given) need and lack, allocated but not yet the groups'. */
  #alloc(options: readonly O[], memory: readonly GroupMemory[], buffers?: readonly (readonly StateBuffer[])[]): NewState[] {
    const regions: NewState[] = [];
    memory.forEach((m, i) => {
      for (const buffer of buffers?.[i] ?? this.buffersFor(options[i])) {
        if (!m.state.has(buffer.name)) regions.push({ m, name: buffer.name, fill: buffer.fill, at: m.allocStateRegion(buffer.name) });
      }
      regions.push({ m, name: '', fill: this.#spec.stateKey?.(options[i]) ?? 0, at: -1 }); // the key these options leave
    });
    return regions;
  }

  #commit(regions: readonly NewState[]): void {
    for (const { m, name, fill, at } of regions) {
      if (at < 0) {
        m.stateKey = fill;
        continue;
      }
      m.addState(name, at, fill);
      m.fresh.add(name);
    }
  }

  /** Zeroes every gradient (one fill per tensor; adopted tensors' own grad arrays too). */
  zeroGrad(): void {
    for (const m of this.memory) {
      m.zeroGrads();
      for (const t of m.external) t._external!.grad.fill(0);
    }
  }

  /** Frees the tensors (to join another optimizer) and, while the context lives, the memory. */
  dispose(): void {
    const ctx = this.ctx!;
    for (const m of this.memory) for (const t of m.tensors) t._owner = null;
    if (ctx.disposed) return;
    for (const m of this.memory) m.free();
    if (this.#run.scratch >= 0) ctx.arena.free(this.#run.scratch);
  }
}

/** Whether the block's `slots` are finite: x − x is 0 for a finite x and NaN for ±Infinity or NaN, one test for them all. */
export function blockFinite(b: Float32Array, slots: readonly number[]): boolean {
  let sum = 0;
  for (let k = 0; k < slots.length; k++) {
    const x = b[slots[k]];
    sum += x - x;
  }
  return sum === 0;
}

/** The error for a host scalar that is not finite in float32: the slot, its value and the group's number options. */
export function nonFiniteScalar<O>(spec: OptimizerSpec<O>, m: GroupMemory, o: O, block: Float32Array, t: number): RangeError {
  const slot = block.findIndex((v) => !Number.isFinite(v));
  const value = block[slot];
  const name = Object.keys(spec.slots).find((key) => spec.slots[key] === slot) ?? `slot ${slot}`;
  const options = Object.entries(o as Record<string, unknown>)
    .filter(([key, v]) => key !== 'params' && (typeof v === 'number' || Array.isArray(v)))
    .map(([key, v]) => `${key} = ${describe(v)}`)
    .join(', ');
  return new RangeError(
    `${m.where}: at step ${t}, ${name} (computed from the options) is ${value} in float32, ` +
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
