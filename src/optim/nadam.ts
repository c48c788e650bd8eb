import type { Kernels } from '../backend/kernels.js';
import { NAdamFlag, NAdamScalar } from '../kernels/nadam.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, betas, flag } from './validate.js';

export interface NAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** ψ in the momentum schedule μt = β1·(1 − ½·0.96^(t·ψ)). */
  momentumDecay: number;
  /** torch 2.x: ascend the objective (the gradient negated before everything). */
  maximize: boolean;
  /** torch 2.x: weight decay applied to the parameters, p·(1 − lr·weightDecay), before the update, not added to the gradient (as AdamW). */
  decoupledWeightDecay: boolean;
}

const spec: OptimizerSpec<NAdamOptions> = {
  slots: NAdamScalar,
  derivedSlots: [NAdamScalar.gradCoef, NAdamScalar.avgCoef, NAdamScalar.paramScale],
  name: 'NAdam',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3, maximize: false, decoupledWeightDecay: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    betas(where, o.betas);
    atLeast(where, 'eps', o.eps, 0);
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    flag(where, 'maximize', o.maximize);
    flag(where, 'decoupledWeightDecay', o.decoupledWeightDecay);
    atLeast(where, 'momentumDecay', o.momentumDecay, 0, true); // only in μt's power of 0.96, a double
  },
  stateBuffers: () => [
    { name: 'expAvg', fill: 0 },
    { name: 'expAvgSq', fill: 0 },
  ],
  scalars: { muProduct: 1 },
};

/** Adam with Nesterov momentum (Dozat, 2016): torch.optim.NAdam (maximize as torch 2.x). */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: Params<NAdamOptions>, options?: OptionsInput<NAdamOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
  }

  protected scalars(o: NAdamOptions, m: GroupMemory, b: Float32Array, t: number): number {
    const [beta1, beta2] = o.betas;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * o.momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * o.momentumDecay));
    // torch keeps mu_product as a float32 tensor, so `mu_product *= μt` rounds to f32; torch 2.13 then forms
    // the next product in Python, mu_product.item()·μt+1, a double (1.13 counted μt twice, in float32).
    const muProduct = Math.fround(m.scalars.muProduct * Math.fround(mu));
    const muProductNext = muProduct * muNext;
    m.next!.muProduct = muProduct;
    b[NAdamScalar.weightDecay] = o.weightDecay;
    b[NAdamScalar.beta1] = beta1;
    // torch 2.13's exp_avg.lerp_(grad, 1 − β1), as Adam's (src/optim/adam.ts).
    const w = Math.fround(1 - beta1);
    b[NAdamScalar.lerpCoef] = w >= 0.5 ? -(1 - w) : w;
    b[NAdamScalar.beta2] = beta2;
    b[NAdamScalar.oneMinusBeta2] = 1 - beta2;
    b[NAdamScalar.biasCorrection2] = 1 - m.powers[1].at(beta2, t);
    b[NAdamScalar.eps] = o.eps;
    b[NAdamScalar.gradCoef] = (-o.lr * (1 - mu)) / (1 - muProduct);
    b[NAdamScalar.avgCoef] = (-o.lr * muNext) / (1 - muProductNext);
    b[NAdamScalar.gradScale] = o.maximize ? -m.gradScale : m.gradScale; // f32(g·(−c)) = −f32(g·c): torch's −g, clipped
    b[NAdamScalar.paramScale] = 1 - o.lr * o.weightDecay;
    return (o.weightDecay === 0 ? 0 : o.decoupledWeightDecay ? NAdamFlag.decoupled : NAdamFlag.decay) | (w >= 0.5 ? NAdamFlag.lerpHigh : 0);
  }

  protected run(_o: NAdamOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    kernels.nadam_f32(m.segments, m.state.get('expAvg')!, m.state.get('expAvgSq')!, m.count, m.scalarBlock, flags);
  }
}
