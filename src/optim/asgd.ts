import type { Kernels } from '../backend/kernels.js';
import { ASGDFlag, ASGDScalar } from '../kernels/asgd.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, finite, flag } from './validate.js';

export interface ASGDOptions {
  lr: number;
  /** λ: the decay term, in p·(1 − λ·η) and in η's schedule. */
  lambd: number;
  /** The power in η = lr / (1 + λ·lr·t)^α. */
  alpha: number;
  /** The step after which ax averages the parameters (before it, ax is a copy of them). */
  t0: number;
  weightDecay: number;
  maximize: boolean;
}

const spec: OptimizerSpec<ASGDOptions> = {
  slots: ASGDScalar,
  derivedSlots: [ASGDScalar.decayScale],
  name: 'ASGD',
  defaults: { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weightDecay: 0, maximize: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    // torch checks neither; with λ < 0 or α < 0 its step fails in Python (1 + λ·lr·t ≤ 0 has no real
    // power, or divides by 0) or η grows without bound. λ, α ≥ 0 keep η in [0, f32(lr)], finite since lr is.
    atLeast(where, 'lambd', o.lambd, 0);
    atLeast(where, 'alpha', o.alpha, 0);
    finite(where, 't0', o.t0, true); // only in max(1, t − t0), a double
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    flag(where, 'maximize', o.maximize);
  },
  stateBuffers: () => [{ name: 'ax', fill: 0 }],
  // torch's 0-dim float32 tensors. Before the first step torch has no state: the first step starts η at
  // f32(lr) and μ at 1 whatever these read.
  scalars: { eta: 0, mu: 1 },
};

/**
 * Averaged SGD (Polyak & Juditsky, 1992), as torch.optim.ASGD: SGD with a decaying step size η, and
 * `ax`, the running average of the parameters from step t0 on (a copy of them before it).
 */
export class ASGD extends Optimizer<ASGDOptions> {
  constructor(params: Params<ASGDOptions>, options?: OptionsInput<ASGDOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
  }

  protected scalars(o: ASGDOptions, m: GroupMemory, b: Float32Array, t: number): number {
    // torch's step is a float32 tensor, so it stops at 2^24 as m.step does; .item() makes it a double.
    const first = t === 1;
    const eta = first ? Math.fround(o.lr) : Math.fround(m.scalars.eta);
    const mu = first ? 1 : Math.fround(m.scalars.mu);
    b[ASGDScalar.sign] = o.maximize ? -m.gradScale : m.gradScale;
    b[ASGDScalar.weightDecay] = o.weightDecay;
    b[ASGDScalar.decayScale] = 1 - o.lambd * eta;
    b[ASGDScalar.negEta] = -eta;
    b[ASGDScalar.mu] = mu;
    // The next step's η and μ, as torch forms them in Python (doubles, a libm pow) and stores as float32
    // after its update. V8's pow and glibc's may differ in the last bit of the double; the float32
    // rounding hides that unless the quotient lies within an ulp of a float32 rounding boundary (~2^-28 of steps).
    m.next!.eta = Math.fround(o.lr / Math.pow(1 + o.lambd * o.lr * t, o.alpha));
    m.next!.mu = Math.fround(1 / Math.max(1, t - o.t0));
    return (o.weightDecay !== 0 ? ASGDFlag.decay : 0) | (mu !== 1 ? ASGDFlag.average : 0);
  }

  protected run(_o: ASGDOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    kernels.asgd_f32(m.segments, m.state.get('ax')!, m.count, m.scalarBlock, flags);
  }
}
