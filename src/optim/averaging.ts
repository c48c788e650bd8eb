import { checkTensors } from './checkTensors.js';
import type { Context } from '../context.js';
import { AverageFlag, AverageScalar } from '../kernels/average.js';
import { Group } from '../memory/group.js';
import { describe } from '../describe.js';
import { Tensor } from '../tensor.js';
import { readAveragedState, type AveragedStateDict } from './averagingState.js';
import { LBFGS } from './lbfgs.js';
import { Optimizer } from './optimizer.js';
import { stateToJson } from './stateJson.js';

export type { AveragedStateDict } from './averagingState.js';

/**
 * How the copy averages: `'swa'` (default) is torch's default `avg_fn`, the equal-weight running mean
 * `avg + (p − avg) / (n + 1)`; `'ema'` is the exponential moving average, torch 2.x's documented one
 * (`get_ema_multi_avg_fn(decay)`): a lerp of avg towards p by 1 − decay.
 */
export type AveragingOptions = { mode?: 'swa' } | { mode: 'ema'; decay: number };

export type AveragingMode = 'swa' | 'ema';

/** What to average: a list of tensors, or an optimizer (any of ravine's, LBFGS too), whose tensors in group order. */
// biome-ignore lint/suspicious/noExplicitAny: any optimizer, whatever its options (Optimizer<O> is invariant in O)
export type AveragedTensors = readonly Tensor[] | Optimizer<any> | LBFGS;

/** The state buffer holding the averaged copy, one slice per tensor. */
const AVERAGED = 'averaged';

/**
 * torch.optim.swa_utils.AveragedModel for a set of tensors: an averaged copy of their values, in
 * ravine's memory beside them, updated by one kernel pass over all of them (`update()`: torch's
 * `update_parameters(model)`), bit for bit as torch 1.13 computes it in float32 (assembly/average.ts).
 *
 * - Like torch's deep copy, the copy starts as the tensors' values now; the first `update()` copies them
 *   again (torch's `n_averaged == 0`), later ones average into it.
 * - `swap()` exchanges the live tensors' values with the averaged copy, bit for bit, so that a model
 *   reading `t.data` evaluates the average; `swap()` again puts the live values back. Swapping is for
 *   evaluation: an optimizer step while swapped would step the averaged values (which the tensors then
 *   hold), and swapping back would move those stepped values into the averaged copy. ravine does not
 *   stop the optimizer (its step does not know of this copy), so swap back before stepping; `update()`
 *   and `loadStateDict()` refuse while swapped, and `swapped` says which way round the values are.
 * - The tensors are fixed at construction (an optimizer's tensors as they are then: a group added later
 *   is not averaged). A tensor disposed while this copy holds it makes every method throw, naming it.
 *
 * Memory: the averaged copy, the group's segment table and its scalar block are allocated at
 * construction (all or nothing) and never move; `dispose()` frees them (swapping back first if swapped).
 */
export class AveragedParams {
  readonly tensors: readonly Tensor[];
  readonly mode: AveragingMode;
  /** The EMA's decay; null for SWA. */
  readonly decay: number | null;
  readonly #ctx: Context;
  readonly #group: Group;
  #numAveraged = 0;
  #swapped = false;
  #disposed = false;

  constructor(params: AveragedTensors, options?: AveragingOptions) {
    const where = 'AveragedParams';
    const { mode, decay } = readOptions(where, options);
    const tensors = tensorsOf(where, params);
    const ctx = tensors[0]._ctx;
    const { group, at } = ctx.arena.atomically(() => {
      const group = new Group(ctx, tensors, where);
      return { group, at: group.allocStateRegion(AVERAGED) };
    });
    group.write();
    group.addState(AVERAGED, at, 0);
    this.tensors = Object.freeze([...tensors]);
    this.mode = mode;
    this.decay = decay;
    this.#ctx = ctx;
    this.#group = group;
    this.#copyIn();
    ctx.backend.kernels.average_f32(group.segments, at, group.count, group.scalarBlock, AverageFlag.copy);
  }

  /** Updates so far: torch's `n_averaged`. */
  get numAveraged(): number {
    return this.#numAveraged;
  }

  /** True between a `swap()` and the next: the live tensors hold the averaged values. */
  get swapped(): boolean {
    return this.#swapped;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** torch's `update_parameters(model)`: averages the tensors' values now into the copy (the first update copies them). */
  update(): void {
    const ctx = this.#live('update');
    if (this.#swapped) throw new TypeError('AveragedParams.update: the averaged values are swapped into the tensors; swap() back first (nothing was averaged)');
    const group = this.#group;
    const first = this.#numAveraged === 0;
    // Host scalars, each stored as f32 once: torch casts n_averaged + 1 (an int64) to float32, and its
    // lerp takes the EMA's weight 1 − decay (a double) as a float32 w, then r(1 − w) in float32 when w >= 0.5.
    const block = group.block;
    block[AverageScalar.countPlusOne] = this.#numAveraged + 1;
    let high = false;
    if (this.decay !== null) {
      const weight = Math.fround(1 - this.decay);
      high = weight >= 0.5;
      block[AverageScalar.weight] = weight;
      block[AverageScalar.oneMinusWeight] = 1 - weight;
    }
    const flags = first ? AverageFlag.copy : this.mode === 'ema' ? (high ? AverageFlag.emaHigh : AverageFlag.ema) : 0;
    this.#copyIn();
    ctx.backend.kernels.average_f32(group.segments, group.state.get(AVERAGED)!, group.count, group.scalarBlock, flags);
    this.#numAveraged++;
  }

  /** Exchanges the live tensors' values with the averaged copy (for evaluation); call again to swap back. */
  swap(): void {
    this.#live('swap');
    this.#exchange();
  }

  /** A copy of the averaged values of `tensor` (a tensor or its name), wherever they are (swapped or not). */
  values(tensor: Tensor | string): Float32Array {
    this.#live('values');
    if (!(tensor instanceof Tensor) && typeof tensor !== 'string')
      throw new TypeError(`AveragedParams.values: tensor must be a tensor or a tensor's name, got ${describe(tensor)}`);
    const k = this.tensors.findIndex((t) => t === tensor || t.name === tensor);
    if (k < 0)
      throw new RangeError(
        `AveragedParams.values: ${tensor instanceof Tensor ? `tensor '${tensor.name}'` : describe(tensor)} is not one of the averaged tensors (${this.tensors.map((t) => `'${t.name}'`).join(', ')})`,
      );
    return this.#swapped ? this.tensors[k].data.slice() : this.#group.readState(AVERAGED, k);
  }

  /**
   * A copy of the averaged values, keyed by tensor name, with `numAveraged` and how they average;
   * `loadStateDict` takes it back, also after JSON (buffers as `{ float32: base64 }`, every bit kept)
   * or `encodeCheckpoint`/`decodeCheckpoint`. Saved while swapped, it holds the averaged values all the same.
   */
  stateDict(): AveragedStateDict {
    this.#live('stateDict');
    const averaged: Record<string, Float32Array> = Object.create(null); // keyed by tensor name: '__proto__' too
    this.tensors.forEach((t, k) => {
      averaged[t.name] = this.#swapped ? t.data.slice() : this.#group.readState(AVERAGED, k);
    });
    const dict: AveragedStateDict = { format: 'ravine/averaged', version: 1, mode: this.mode, decay: this.decay, numAveraged: this.#numAveraged, averaged };
    Object.defineProperty(dict, 'toJSON', { value: () => stateToJson({ ...dict }), enumerable: false });
    return dict;
  }

  /** Restores a `stateDict()`: everything is checked first, so a bad dict throws and changes nothing. */
  loadStateDict(dict: AveragedStateDict): void {
    const where = 'AveragedParams.loadStateDict';
    this.#live('loadStateDict');
    if (this.#swapped) throw new TypeError(`${where}: the averaged values are swapped into the tensors; swap() back first (nothing was loaded)`);
    const { numAveraged, values } = readAveragedState(where, dict, this);
    values.forEach((v, k) => this.#group.writeState(AVERAGED, k, v));
    this.#numAveraged = numAveraged;
  }

  /** Frees the averaged copy; if swapped, the live values go back into the tensors first. The tensors stay. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#ctx.disposed) return;
    try {
      if (this.#swapped) {
        // A tensor disposed meanwhile, or an adopted one whose array was transferred, is left out of the
        // swap back (its entry's length zeroed): there is nowhere to put its values.
        this.tensors.forEach((t, k) => {
          if (gone(t)) this.#group.leaveOut(k);
        });
        this.#exchange(true);
      }
    } finally {
      this.#group.free();
    }
  }

  #exchange(disposing = false): void {
    const group = this.#group;
    this.#copyIn(disposing);
    this.#ctx.backend.kernels.swapAveraged_f32(group.segments, group.state.get(AVERAGED)!, group.count);
    for (const t of this.tensors) {
      if (t._external !== null && !t.disposed && t._external.data.length === t.size) t._external.data.set(t._heapData());
    }
    this.#swapped = !this.#swapped;
  }

  /** Adopted tensors' own arrays into the heap, where the kernels read them (as an optimizer step does). */
  #copyIn(skipDisposed = false): void {
    const heap = this.#ctx.heap;
    for (const t of this.tensors) if (t._external !== null && !(skipDisposed && gone(t))) heap.set(t._external.data, t._data >>> 2);
  }

  /** The context, after checking that this copy, its context and every tensor are alive (adopted ones with their arrays). */
  #live(method: string): Context {
    const where = `AveragedParams.${method}`;
    if (this.#disposed) throw new TypeError(`${where}: this AveragedParams has been disposed`);
    if (this.#ctx.disposed) throw new TypeError(`${where}: its Ravine context has been disposed`);
    for (const t of this.tensors) {
      if (t.disposed) throw new TypeError(`${where}: tensor '${t.name}' has been disposed (dispose the AveragedParams before its tensors)`);
      if (t._external !== null && t._external.data.length !== t.size) {
        throw new TypeError(
          `${where}: adopted tensor '${t.name}' has lost its data array (length ${t._external.data.length}, expected ${t.size}: was its buffer transferred?)`,
        );
      }
    }
    return this.#ctx;
  }
}

/** A tensor whose values can no longer be reached: disposed, or adopted with its array transferred. */
function gone(t: Tensor): boolean {
  return t.disposed || (t._external !== null && t._external.data.length !== t.size);
}

function readOptions(where: string, options: unknown): { mode: AveragingMode; decay: number | null } {
  if (options === undefined) return { mode: 'swa', decay: null };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be { mode: 'swa' } or { mode: 'ema', decay }, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'mode' && key !== 'decay') throw new TypeError(`${where}: unknown option ${describe(key)} (options are mode, decay)`);
  }
  const { mode = 'swa', decay } = options as { mode?: unknown; decay?: unknown };
  if (typeof mode !== 'string') throw new TypeError(`${where}: option mode must be 'swa' or 'ema', got ${describe(mode)}`);
  if (mode !== 'swa' && mode !== 'ema') throw new RangeError(`${where}: invalid mode = ${describe(mode)}: must be one of 'swa', 'ema'`);
  if (mode === 'swa') {
    if (decay !== undefined) throw new TypeError(`${where}: option decay is for mode 'ema'; mode 'swa' weighs every update equally`);
    return { mode, decay: null };
  }
  if (typeof decay !== 'number') throw new TypeError(`${where}: option decay must be a number in [0, 1] (mode 'ema' needs it), got ${describe(decay)}`);
  if (!(decay >= 0 && decay <= 1)) throw new RangeError(`${where}: invalid decay = ${describe(decay)}: must be in [0, 1]`);
  return { mode, decay };
}

/** The tensors to average: a non-empty list of distinct live tensors of one context, or an optimizer's. */
function tensorsOf(where: string, params: unknown): Tensor[] {
  let tensors: unknown[];
  if (params instanceof Optimizer || params instanceof LBFGS) {
    if (params.disposed) throw new TypeError(`${where}: the optimizer has been disposed`);
    tensors = params.paramGroups.flatMap((g) => [...g.params]);
  } else if (Array.isArray(params)) {
    tensors = params;
  } else {
    throw new TypeError(`${where}: params must be an array of tensors or an optimizer, got ${describe(params)}`);
  }
  if (tensors.length === 0) throw new RangeError(`${where}: params is empty; there is nothing to average`);
  checkTensors(where, tensors);
  return tensors as Tensor[];
}
