import type { Kernels } from '../backend/kernels.js';
import { describe } from '../describe.js';
import { ScheduleFreeAdamWFlag, ScheduleFreeAdamWScalar } from '../kernels/scheduleFreeAdamW.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { StateDict } from './stateDict.js';
import type { TrainingOptions } from './training.js';
import { atLeast, betas, finite, flag } from './validate.js';

export interface ScheduleFreeAdamWOptions {
  lr: number;
  /** β1 interpolates the parameters between the average x and z (it must be > 0); β2 is the second moment's decay. */
  betas: [number, number];
  eps: number;
  /** Decoupled, added to the normalized gradient before the lr scales it (optax's add_decayed_weights). */
  weightDecay: number;
  /**
   * optax's linear warmup from 0 to lr over this many steps; null (the default) for none. As in optax, 0 is
   * a warmup that never starts (optax's linear schedule over 0 steps keeps its initial value, 0): the lr stays 0.
   */
  warmupSteps: number | null;
  /** The average weighs step t by max lr so far to this power. */
  weightLrPower: number;
  maximize: boolean;
}

const f = Math.fround;

const spec: OptimizerSpec<ScheduleFreeAdamWOptions> = {
  name: 'ScheduleFreeAdamW',
  slots: ScheduleFreeAdamWScalar,
  // negLr, the warmup's fraction of it, and c (a weight over a sum of weights, in [0, 1]) are bounded by the options.
  derivedSlots: [],
  // optax.contrib.schedule_free_adamw's defaults.
  defaults: { lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, warmupSteps: null, weightLrPower: 2, maximize: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    betas(where, o.betas);
    if (o.betas[0] === 0)
      throw new RangeError(`${where}: invalid betas[0] = 0: schedule-free needs β1 > 0 (the average is recovered as (y − (1 − β1)·z) / β1)`);
    atLeast(where, 'eps', o.eps, 0);
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    if (o.warmupSteps !== null && (!Number.isInteger(o.warmupSteps) || o.warmupSteps < 0 || o.warmupSteps > 2 ** 31 - 1))
      throw new RangeError(`${where}: invalid warmupSteps = ${describe(o.warmupSteps)}: must be an integer >= 0, or null for no warmup`);
    finite(where, 'weightLrPower', o.weightLrPower, true);
    flag(where, 'maximize', o.maximize);
  },
  stateBuffers: () => [
    { name: 'z', fill: 0 },
    { name: 'expAvgSq', fill: 0 },
  ],
  scalars: { weightSum: 0, maxLr: 0 },
};

/**
 * optax's warmup_constant_schedule at step count c, in its float32 operations: peak·(c/ws) up to ws, then
 * peak; with ws = 0, its initial value 0 for ever (optax's polynomial_schedule over no steps).
 */
function warmedLr(lr: number, warmupSteps: number | null, c: number): number {
  if (warmupSteps === null) return f(lr);
  if (warmupSteps === 0) return 0;
  const frac = f(1 - f(Math.min(c, warmupSteps) / warmupSteps));
  return f(f(f(-lr) * frac) + f(lr));
}

/**
 * Schedule-free AdamW (Defazio et al. 2024): no lr schedule to choose; the parameters step at an
 * interpolation y between an average x and the AdamW iterate z. Numbers as optax.contrib.schedule_free_adamw;
 * `eval()` puts the average x in the parameters (to evaluate or save the model), `train()` puts y back
 * (as facebookresearch's schedulefree does). step() refuses to run in eval mode.
 */
export class ScheduleFreeAdamW extends Optimizer<ScheduleFreeAdamWOptions> {
  /** The training point y of each tensor of each group while in eval mode, and the x eval() wrote; null in train mode. */
  #saved: { y: Float32Array; x: Float32Array }[][] | null = null;

  constructor(params: Params<ScheduleFreeAdamWOptions>, options?: OptionsInput<ScheduleFreeAdamWOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
  }

  /** Whether the parameters hold the average x (eval mode) rather than the training point y. */
  get evalMode(): boolean {
    return this.#saved !== null;
  }

  /**
   * Puts the average x = (y − (1 − β1)·z) / β1 in the parameters, to evaluate or save the model; y is kept
   * aside, so `train()` puts it back bit for bit. Before the first step z is y, as optax starts it.
   */
  eval(): void {
    if (this.disposed) throw new TypeError('this ScheduleFreeAdamW optimizer has been disposed');
    if (this.#saved !== null) return;
    const groups = this.groupsWithMemory();
    // Everything computed first (all or nothing), then written.
    const saved = groups.map(([o, m]) =>
      m.tensors.map((t, k) => {
        const y = t.data.slice();
        const z = zOf(m, k, y);
        const c1 = f(1 - o.betas[0]),
          b1 = f(o.betas[0]);
        const x = new Float32Array(y.length);
        for (let i = 0; i < y.length; i++) x[i] = f(y[i] - f(c1 * z[i])) / b1;
        return { y, x };
      }),
    );
    groups.forEach(([, m], g) => m.tensors.forEach((t, k) => t.data.set(saved[g][k].x)));
    this.#saved = saved;
  }

  /**
   * Puts the training point y back in the parameters. If they still hold the x that eval() wrote, y is
   * the one it kept, bit for bit; if they were changed meanwhile (a model loaded), y is recomputed from
   * them as β1·x + (1 − β1)·z, as schedulefree's train() does.
   */
  train(): void {
    if (this.disposed) throw new TypeError('this ScheduleFreeAdamW optimizer has been disposed');
    const saved = this.#saved;
    if (saved === null) return;
    this.groupsWithMemory().forEach(([o, m], g) =>
      m.tensors.forEach((t, k) => {
        const { y, x } = saved[g][k];
        const now = t.data;
        if (bitsEqual(now, x)) now.set(y);
        else {
          const z = zOf(m, k, y);
          const c1 = f(1 - o.betas[0]),
            b1 = f(o.betas[0]);
          for (let i = 0; i < now.length; i++) now[i] = f(f(b1 * now[i]) + f(c1 * z[i]));
        }
      }),
    );
    this.#saved = null;
  }

  override step<L = undefined>(closure?: () => L): L | undefined {
    if (this.#saved !== null)
      throw new TypeError(
        'ScheduleFreeAdamW.step: the optimizer is in eval mode (its parameters are the average x): call train() before stepping. Nothing was stepped',
      );
    return super.step(closure);
  }

  override loadStateDict(dict: StateDict): void {
    if (this.#saved !== null)
      throw new TypeError(
        'ScheduleFreeAdamW.loadStateDict: the optimizer is in eval mode: call train() first (a checkpoint holds the state of the training point). Nothing was loaded',
      );
    super.loadStateDict(dict);
  }

  protected scalars(o: ScheduleFreeAdamWOptions, m: GroupMemory, b: Float32Array, t: number): number {
    const [beta1, beta2] = o.betas;
    // optax evaluates the lr twice a step: schedule_free weighs the average by lr(t) (its step count starts
    // at 1), scale_by_learning_rate moves z by lr(t − 1) (its count starts at 0). They differ in warmup only.
    const maxLr = Math.max(m.scalars.maxLr, warmedLr(o.lr, o.warmupSteps, t));
    const weight = o.weightLrPower === 2 ? f(maxLr * maxLr) : f(maxLr ** o.weightLrPower);
    const weightSum = f(m.scalars.weightSum + weight);
    // optax: NaN when either is NaN; otherwise weight/sum with NaN (0/0, ∞/∞) read as 0.
    const q = f(weight / weightSum);
    const ck = Number.isNaN(weight) || Number.isNaN(weightSum) ? NaN : Number.isNaN(q) ? 0 : q;
    m.next!.maxLr = maxLr;
    m.next!.weightSum = weightSum;
    b[ScheduleFreeAdamWScalar.sign] = o.maximize ? -m.gradScale : m.gradScale;
    b[ScheduleFreeAdamWScalar.oneMinusBeta2] = 1 - beta2;
    b[ScheduleFreeAdamWScalar.beta2] = beta2;
    b[ScheduleFreeAdamWScalar.biasCorrection2] = 1 - m.powers[1].at(beta2, t);
    b[ScheduleFreeAdamWScalar.eps] = o.eps;
    b[ScheduleFreeAdamWScalar.weightDecay] = o.weightDecay;
    b[ScheduleFreeAdamWScalar.negLr] = -warmedLr(o.lr, o.warmupSteps, t - 1);
    b[ScheduleFreeAdamWScalar.oneMinusBeta1] = 1 - beta1;
    b[ScheduleFreeAdamWScalar.beta1] = beta1;
    b[ScheduleFreeAdamWScalar.weight] = ck;
    b[ScheduleFreeAdamWScalar.oneMinusWeight] = 1 - ck;
    return m.fresh.has('z') ? ScheduleFreeAdamWFlag.first : 0;
  }

  protected run(_o: ScheduleFreeAdamWOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    kernels.scheduleFreeAdamW_f32(m.segments, m.state.get('z')!, m.state.get('expAvgSq')!, m.count, m.scalarBlock, flags);
  }
}

/** Tensor k's z: before the first step (not yet written) it is y, as optax starts it. */
function zOf(m: GroupMemory, k: number, y: Float32Array): Float32Array {
  return m.fresh.has('z') || !m.state.has('z') ? y : m.readState('z', k);
}

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length),
    ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}
