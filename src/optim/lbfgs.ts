import { checkTensors } from './checkTensors.js';
import type { Context } from '../context.js';
import { checkClosure, isThenable, refusedPromise } from './closure.js';
import { strongWolfe } from '../linalg/linesearch.js';
import { twoLoop } from '../linalg/twoLoop.js';
import { Workspace } from '../linalg/workspace.js';
import { describe } from '../describe.js';
import { Tensor } from '../tensor.js';
import { checkFree, findDrivers, optionName, residuesAsZero, writeOption, type Driven, type ScheduleDriver } from './drivers.js';
import { GroupSchedules } from './groupSchedules.js';
import { checkOptions, DEFAULTS, mergeOptions, type LBFGSOptions } from './lbfgsOptions.js';
import { readSchedules, type SavedSchedule } from './stateDict.js';
import type { OptionsInput } from './paramGroups.js';
import { makeStateDict, readStateDict, type LBFGSStateDict, type LBFGSTensorState } from './lbfgsState.js';

/** What persists between `step()` calls (torch's `state[param]`). */
interface History {
  funcEvals: number;
  nIter: number;
  t: number;
  hDiag: number;
  prevLoss: number;
  /** byte offsets of the pairs, oldest first: y = Δg (torch's old_dirs), s = t·d (old_stps) */
  y: number[];
  s: number[];
  ro: number[];
  /** pair buffers evicted from the history, reused before allocating */
  spare: number[];
}

/**
 * Where the parameters live (not exported from the package index): ravine's float32 tensors for users; a float64 vector in tests
 * that check the algorithm against torch's float64 run without float32 rounding in the way.
 */
export interface ParamIO {
  readonly ctx: Context;
  readonly n: number;
  /** gradient → h[at..at+n) */
  readGrad(h: Float64Array, at: number): void;
  /** parameters → h[at..at+n) */
  readParams(h: Float64Array, at: number): void;
  /** parameters ← h[x + i] + step·h[d + i] (indices in float64 elements) */
  writeParams(h: Float64Array, x: number, d: number, step: number): void;
}

/** The tensors as one flat float32 vector: p ← f32(x + t·d). */
function tensorIO(tensors: readonly Tensor[]): ParamIO {
  return {
    ctx: tensors[0]._ctx,
    n: tensors.reduce((sum, t) => sum + t.size, 0),
    readGrad(h, at) {
      for (const t of tensors) h.set(t.grad, at), (at += t.size);
    },
    readParams(h, at) {
      for (const t of tensors) h.set(t.data, at), (at += t.size);
    },
    writeParams(h, x, d, step) {
      for (const t of tensors) {
        const data = t.data;
        for (let i = 0; i < t.size; i++) data[i] = h[x + i] + step * h[d + i];
        x += t.size;
        d += t.size;
      }
    },
  };
}

/** LBFGS calls its closure up to maxEval times inside one step: it cannot wait for an async one. */
const LBFGS_SYNC = 'LBFGS evaluates its closure many times within one step, so the closure must compute the loss and write the gradients before it returns';
/**
 * L-BFGS as torch.optim.LBFGS (torch 1.13), step for step: `step(closure)` runs up to maxIter
 * iterations, each a two-loop recursion over the last historySize pairs (pairs with y·s ≤ 1e-10
 * skipped) and a fixed step of lr (the first min(1, 1/‖g‖₁)·lr) or torch's strong-Wolfe search.
 * Directions, gradients and history are float64 in the heap, on the f64 kernels; the parameters stay
 * float32 tensors, moved by p ← f32(p + t·d). One parameter group, as in torch.
 */
export class LBFGS {
  /** torch's `param_groups` (always one): change an option between steps with `opt.paramGroups[0].lr = 0.5`. */
  readonly paramGroups: [LBFGSOptions & { readonly params: readonly Tensor[] }];
  readonly #ctx: Context;
  /** The constructor's options over the defaults: what a loaded param group's missing options take, as in the first-order optimizers. */
  readonly #defaults: LBFGSOptions;
  /** Options driven by schedules (lr, toleranceGrad, ...): stepped after each step(), as torch's scheduler.step(). */
  readonly #schedules: GroupSchedules;
  readonly #io: ParamIO;
  readonly #ws: Workspace;
  readonly #flatGrad!: number;
  readonly #prevFlatGrad!: number;
  readonly #d!: number;
  readonly #xInit!: number;
  readonly #slots: number[] = [];
  /** Every (y, s) buffer reserved for the history, in use or spare. */
  #pairs: number[] = [];
  #history: History | null = null;
  #alpha = new Float64Array(0);
  #disposed = false;

  constructor(
    params: Tensor[] | [{ params: Tensor[] } & OptionsInput<LBFGSOptions>],
    options: OptionsInput<LBFGSOptions> = {},
    /** internal: tests drive float64 parameters through it */ io?: ParamIO,
  ) {
    const where = 'LBFGS';
    if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
    if (!Array.isArray(params) || (params.length === 0 && io === undefined))
      throw new TypeError(`${where}: params must be a non-empty array of tensors, got ${describe(params)}`);
    let tensors: Tensor[],
      groupOptions: Partial<LBFGSOptions> = {};
    if (params.length !== 1 || params[0] instanceof Tensor) {
      checkTensors(where, params);
      tensors = params as Tensor[];
    } else {
      if ((params as unknown[]).length !== 1)
        throw new TypeError(`${where} doesn't support per-parameter options (parameter groups): got ${params.length} groups`);
      const group: unknown = params[0];
      if (typeof group !== 'object' || group === null || Array.isArray(group)) {
        throw new TypeError(`${where}: params must be an array of tensors, or one param group { params: Tensor[], ...options }, got [${describe(group)}]`);
      }
      const { params: groupTensors, ...rest } = group as { params: Tensor[] } & Partial<LBFGSOptions>;
      if (!Array.isArray(groupTensors) || groupTensors.length === 0) throw new TypeError(`${where}: a param group must be { params: Tensor[] (non-empty) }`);
      checkTensors(where, groupTensors, { at: (i) => `param group's params[${i}]` });
      tensors = groupTensors;
      groupOptions = rest;
    }
    const defaults = mergeOptions(DEFAULTS, options, where);
    const merged = mergeOptions(defaults, groupOptions, where);
    const driven = takeDrivers(where, merged);
    for (const d of findDrivers(defaults)) writeOption(defaults, d, d.driver.value);
    checkOptions(where, merged);
    const ctx = io?.ctx ?? tensors[0]._ctx;
    checkTensors(where, tensors, { ctx, free: true });
    this.#ctx = ctx;
    this.#defaults = defaults;
    this.#io = io ?? tensorIO(tensors);
    // Everything a step will need, reserved now (all or nothing), so that step() never allocates: the
    // vectors of one iteration and historySize + 1 (y, s) pairs (one more than the history keeps: a new
    // pair is formed before the oldest is evicted). torch grows its history lazily instead; the memory
    // at steady state is the same, (2·historySize + 9)·n float64.
    const ws = (this.#ws = new Workspace(ctx, this.#io.n, `LBFGS (historySize ${merged.historySize})`));
    [this.#flatGrad, this.#prevFlatGrad, this.#d, this.#xInit, ...this.#slots] = ctx.arena.atomically(() => {
      const vectors = Array.from({ length: 7 }, () => ws.alloc());
      this.#pairs = Array.from({ length: 2 * (merged.historySize + 1) }, () => ws.alloc());
      return vectors;
    });
    for (const t of tensors) t._owner = this;
    this.paramGroups = [
      Object.defineProperty(merged, 'params', { value: Object.freeze([...tensors]), enumerable: true }) as LBFGSOptions & {
        readonly params: readonly Tensor[];
      },
    ];
    // For the schedules it drives: false once this optimizer or its context is disposed, which frees them.
    const alive = (): boolean => !this.#disposed && !this.#ctx.disposed;
    this.#schedules = new GroupSchedules(this.paramGroups, () => 'LBFGS', alive, schedulable);
    this.#schedules.addGroup(driven);
  }

  /** The schedule driving option `name` ('lr', 'toleranceGrad', ...), or null. */
  schedule(name: string): ScheduleDriver | null {
    this.#live();
    return this.#schedules.current(0, name);
  }

  /** Reserves pair buffers for a historySize raised between steps, before the step changes anything. */
  #reserveHistory(historySize: number): void {
    this.#history?.spare.push(...this.#reservePairs(historySize));
  }

  /** Grows the pool (all or nothing) to hold `pairs` pairs and the one formed before eviction; returns the new buffers. */
  #reservePairs(pairs: number): number[] {
    const missing = 2 * (pairs + 1) - this.#pairs.length;
    if (missing <= 0) return [];
    const ws = this.#ws;
    const more = this.#ctx.arena.atomically(() => Array.from({ length: missing }, () => ws.alloc()));
    this.#pairs.push(...more);
    return more;
  }

  /**
   * A copy of the state (see LBFGSStateDict), keyed by tensor name, with the options: `loadStateDict`
   * takes it back, and so it does after `JSON.parse(JSON.stringify(dict))`: JSON writes each vector as
   * `{ float64: <base64 of its bytes> }`, and t, hDiag or prevLoss as one such double when JSON has no
   * number for it (NaN, ±Infinity, −0), so every bit survives.
   */
  stateDict(): LBFGSStateDict {
    this.#live();
    const tensors = this.#tensors('LBFGS.stateDict');
    const st = this.#history;
    const state: Record<string, LBFGSTensorState> = Object.create(null); // keyed by tensor name: '__proto__' too
    if (st !== null) {
      const h = this.#ws.h;
      let from = 0;
      for (const { name, size } of tensors) {
        const slice = (at: number) => h.slice((at >>> 3) + from, (at >>> 3) + from + size);
        state[name] = { d: slice(this.#d), prevFlatGrad: slice(this.#prevFlatGrad), oldDirs: st.y.map(slice), oldStps: st.s.map(slice) };
        from += size;
      }
    }
    const run = st && { funcEvals: st.funcEvals, nIter: st.nIter, t: st.t, hDiag: st.hDiag, prevLoss: st.prevLoss, ro: [...st.ro] };
    const schedules = this.#schedules.saved(0); // takes the schedules assigned since the last step first
    return makeStateDict(
      this.paramGroups[0],
      tensors.map((t) => t.name),
      state,
      run,
      schedules,
    );
  }

  /**
   * Restores options and state saved by `stateDict()` (from an LBFGS over tensors of the same names
   * and sizes, in the same order); the caller restores the parameters. Checks everything, then
   * reserves the history's memory, before changing anything: on any error the optimizer is as it was.
   */
  loadStateDict(dict: LBFGSStateDict): void {
    this.#live();
    const where = 'LBFGS.loadStateDict';
    const tensors = this.#tensors(where);
    // The saved schedules are built while the options are checked: a value one of them set a rounding
    // residue below 0 (linearLR to 0) is checked as 0, as step() checks it.
    let schedules: SavedSchedule[] = [];
    const { options, run, vectors } = readStateDict(where, dict, tensors, this.#defaults, (read, saved) => {
      schedules = readSchedules(
        where,
        saved,
        2,
        (name) => {
          if (!NUMBER_OPTIONS.includes(name))
            throw new TypeError(`${where}: ${describe(name)} is not a number option of LBFGS (those are ${NUMBER_OPTIONS.join(', ')})`);
          return [0, name, -1];
        },
        (name) => this.#schedules.driverOf(0, name),
      );
      return residuesAsZero(read, schedules);
    });
    this.#reservePairs(Math.max(options.historySize, run?.ro.length ?? 0));
    Object.assign(this.paramGroups[0], options);
    this.#schedules.restore(0, schedules, true);
    if (run === null) {
      this.#history = null;
      return;
    }
    const pairs = run.ro.length;
    const y = this.#pairs.slice(0, pairs),
      s = this.#pairs.slice(pairs, 2 * pairs);
    this.#history = {
      funcEvals: run.funcEvals,
      nIter: run.nIter,
      t: run.t,
      hDiag: run.hDiag,
      prevLoss: run.prevLoss,
      y,
      s,
      ro: [...run.ro],
      spare: this.#pairs.slice(2 * pairs),
    };
    const h = this.#ws.h;
    let from = 0;
    tensors.forEach((t, k) => {
      const saved = vectors[k];
      const put = (at: number, values: Float64Array) => h.set(values, (at >>> 3) + from);
      put(this.#d, saved.d);
      put(this.#prevFlatGrad, saved.prevFlatGrad);
      saved.oldDirs.forEach((values, j) => put(y[j], values));
      saved.oldStps.forEach((values, j) => put(s[j], values));
      from += t.size;
    });
  }

  /** The tensors the state is keyed by (an LBFGS over a ParamIO, which tests use, has none). */
  #tensors(where: string): readonly Tensor[] {
    const tensors = this.paramGroups[0].params;
    if (tensors.length === 0) throw new TypeError(`${where}: this LBFGS steps a ParamIO, not tensors: there are no tensor names to key its state by`);
    return tensors;
  }

  /** Closure evaluations and iterations over all steps so far (torch's state 'func_evals', 'n_iter'). */
  get funcEvals(): number {
    return this.#history?.funcEvals ?? 0;
  }
  get nIter(): number {
    return this.#history?.nIter ?? 0;
  }

  /** Zeroes every parameter's gradient. */
  zeroGrad(): void {
    this.#live();
    for (const t of this.paramGroups[0].params) t.grad.fill(0);
  }

  /**
   * Up to maxIter L-BFGS iterations. `closure` recomputes the loss at the tensors' current values,
   * writes their gradients and returns the loss; it returns the loss of its first call, as torch does.
   */
  step(closure: () => number): number {
    this.#live();
    if (typeof closure !== 'function') throw new TypeError(`LBFGS.step: closure must be a function (LBFGS re-evaluates the loss), got ${describe(closure)}`);
    checkClosure('LBFGS.step', closure, true, LBFGS_SYNC);
    const schedules = this.#schedules;
    schedules.adoptAssigned(0);
    // A scheduled value that is a rounding residue below 0 (linearLR to 0) is checked as 0, used as it is.
    checkOptions('LBFGS', residuesAsZero(this.paramGroups[0], schedules.driven(0)) ?? this.paramGroups[0]);
    schedules.checkStep();
    // torch's scheduler.step() after optimizer.step(): advanced first (a schedule that cannot advance
    // refuses the step), written into the options after it, put back if the step throws. LBFGS's options
    // are doubles: a value beyond float32 is not refused.
    schedules.advance('LBFGS', false);
    let loss: number;
    try {
      loss = this.#step(closure);
    } catch (e) {
      schedules.rollback();
      throw e;
    }
    schedules.commit();
    return loss;
  }

  #step(closure: () => number): number {
    const origLoss = closure();
    // A function returning a Promise is async all the same: nothing has changed yet, so refuse it here.
    if (isThenable(origLoss)) throw refusedPromise('LBFGS.step', origLoss, LBFGS_SYNC);
    const o = this.paramGroups[0];
    const maxEval = o.maxEval ?? Math.floor((o.maxIter * 5) / 4);
    const ws = this.#ws,
      { k, n } = ws;
    const g = this.#flatGrad,
      d = this.#d;
    this.#reserveHistory(o.historySize);
    const st = (this.#history ??= { funcEvals: 0, nIter: 0, t: 0, hDiag: 1, prevLoss: NaN, y: [], s: [], ro: [], spare: [...this.#pairs] });

    let loss = Number(origLoss);
    let currentEvals = 1;
    st.funcEvals++;
    this.#gather(g);
    let optCond = this.#maxAbs(g) <= o.toleranceGrad;
    if (optCond) return origLoss;

    let nIter = 0;
    let t = st.t;
    while (nIter < o.maxIter) {
      nIter++;
      st.nIter++;
      if (st.nIter === 1) {
        ws.copy(d, g);
        k.scale_f64(d, n, -1);
        st.spare.push(...st.y, ...st.s);
        st.y = [];
        st.s = [];
        st.ro = [];
        st.hDiag = 1;
      } else {
        this.#updateHistory(t, o.historySize);
        this.#direction();
      }
      ws.copy(this.#prevFlatGrad, g);
      st.prevLoss = loss;
      t = st.nIter === 1 ? Math.min(1, 1 / this.#sumAbs(g)) * o.lr : o.lr;
      const gtd = k.dot_f64(g, d, n);
      if (gtd > -o.toleranceChange) break;

      let lsEvals = 0;
      if (o.lineSearchFn !== null) {
        this.#gatherParams(this.#xInit);
        const slots = this.#slots;
        const found = strongWolfe(
          (step, slot) => {
            this.#setParams(step);
            const f = Number(closure());
            this.#gather(slots[slot]);
            return [f, k.dot_f64(slots[slot], d, n)];
          },
          loss,
          gtd,
          t,
          this.#maxAbs(d),
        );
        [loss, t, lsEvals] = [found.f, found.t, found.evaluations];
        if (found.slot >= 0) ws.copy(g, slots[found.slot]);
        this.#setParams(t);
        optCond = this.#maxAbs(g) <= o.toleranceGrad;
      } else {
        this.#gatherParams(this.#xInit);
        this.#setParams(t);
        if (nIter !== o.maxIter) {
          loss = Number(closure());
          this.#gather(g);
          optCond = this.#maxAbs(g) <= o.toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      st.funcEvals += lsEvals;
      if (nIter === o.maxIter || currentEvals >= maxEval || optCond) break;
      if (this.#maxAbs(d) * Math.abs(t) <= o.toleranceChange) break;
      if (Math.abs(loss - st.prevLoss) < o.toleranceChange) break;
    }
    st.t = t;
    return origLoss;
  }

  /** Frees the optimizer's float64 state; the tensors are free to join another optimizer. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const t of this.paramGroups[0].params) t._owner = null;
    this.#schedules.release();
    if (!this.#ctx.disposed) this.#ws.dispose();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** y = g − g_prev, s = t·d; kept (evicting the oldest when full) when y·s > 1e-10. */
  #updateHistory(t: number, historySize: number): void {
    const ws = this.#ws,
      { k, n } = ws,
      st = this.#history!;
    const y = st.spare.pop()!,
      s = st.spare.pop()!; // reserved: see #reserveHistory
    ws.copy(y, this.#flatGrad);
    k.axpy_f64(y, this.#prevFlatGrad, n, -1);
    ws.copy(s, this.#d);
    k.scale_f64(s, n, t);
    const ys = k.dot_f64(y, s, n);
    if (ys > 1e-10) {
      while (st.y.length >= historySize) {
        st.spare.push(st.y.shift()!, st.s.shift()!);
        st.ro.shift();
      }
      st.y.push(y);
      st.s.push(s);
      st.ro.push(1 / ys);
      st.hDiag = ys / k.dot_f64(y, y, n);
    } else {
      st.spare.push(y, s);
    }
  }

  /** d = −H·g by the two-loop recursion, in torch's order. */
  #direction(): void {
    const ws = this.#ws,
      { k, n } = ws,
      st = this.#history!,
      d = this.#d;
    ws.copy(d, this.#flatGrad);
    k.scale_f64(d, n, -1);
    if (this.#alpha.length < st.y.length) this.#alpha = new Float64Array(st.y.length);
    twoLoop(k, n, d, st.s, st.y, st.ro, st.hDiag, this.#alpha);
  }

  #gather(at: number): void {
    this.#io.readGrad(this.#ws.h, at >>> 3);
  }

  #gatherParams(at: number): void {
    this.#io.readParams(this.#ws.h, at >>> 3);
  }

  /** p ← x_init + t·d (torch's _set_param(x_init) then _add_grad(t, d)), rounded as the parameters are. */
  #setParams(step: number): void {
    this.#io.writeParams(this.#ws.h, this.#xInit >>> 3, this.#d >>> 3, step);
  }

  #maxAbs(at: number): number {
    const h = this.#ws.h,
      start = at >>> 3;
    let m = 0;
    for (let i = 0; i < this.#ws.n; i++) m = Math.max(m, Math.abs(h[start + i]));
    return m;
  }

  #sumAbs(at: number): number {
    const h = this.#ws.h,
      start = at >>> 3;
    let s = 0;
    for (let i = 0; i < this.#ws.n; i++) s += Math.abs(h[start + i]);
    return s;
  }

  #live(): void {
    if (this.#disposed) throw new TypeError('this LBFGS optimizer has been disposed');
    if (this.#ctx.disposed) throw new TypeError('the Ravine context of this LBFGS optimizer has been disposed');
  }
}

/** The options a schedule may drive. */
const NUMBER_OPTIONS = ['lr', 'toleranceGrad', 'toleranceChange'];

/** Throws unless option `name` is one a schedule may drive. */
function schedulable(where: string, name: string): void {
  if (!NUMBER_OPTIONS.includes(name)) throw new TypeError(`${where}: option ${name} cannot be scheduled (LBFGS schedules ${NUMBER_OPTIONS.join(', ')})`);
}

/** The schedules among `options`' values, each checked free, replaced by its value. Throws before anything is bound. */
function takeDrivers(where: string, options: object): Driven[] {
  const found = findDrivers(options);
  const taken = found.map(({ key, index, driver }, k) => {
    const name = optionName(key, index);
    schedulable(where, name);
    checkFree(where, name, driver);
    if (found.findIndex((f) => f.driver === driver) !== k) throw new TypeError(`${where}: one ${driver.kind} is given to two options; a schedule drives one`);
    return { key, index, name, driver };
  });
  for (const d of taken) writeOption(options, d, d.driver.value);
  return taken;
}
