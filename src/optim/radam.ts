import type { Kernels } from '../backend/kernels.js';
import { RAdamFlag, RAdamScalar } from '../kernels/radam.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, betas, flag } from './validate.js';

export interface RAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  /** torch 2.x: ascend the objective (the gradient negated before everything). */
  maximize: boolean;
  /** torch 2.x: weight decay applied to the parameters, p·(1 − lr·weightDecay), before the update, not added to the gradient (as AdamW). */
  decoupledWeightDecay: boolean;
}

const spec: OptimizerSpec<RAdamOptions> = {
  slots: RAdamScalar,
  derivedSlots: [RAdamScalar.paramScale],
  name: 'RAdam',
  defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false, decoupledWeightDecay: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    betas(where, o.betas);
    atLeast(where, 'eps', o.eps, 0);
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    flag(where, 'maximize', o.maximize);
    flag(where, 'decoupledWeightDecay', o.decoupledWeightDecay);
  },
  stateBuffers: () => [
    { name: 'expAvg', fill: 0 },
    { name: 'expAvgSq', fill: 0 },
  ],
};

/** Rectified Adam (Liu et al., 2020): torch.optim.RAdam (maximize as torch 2.x). */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: Params<RAdamOptions>, options?: OptionsInput<RAdamOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
  }

  protected scalars(o: RAdamOptions, m: GroupMemory, b: Float32Array, t: number): number {
    const [beta1, beta2] = o.betas;
    const beta2Power = m.powers[1].at(beta2, t);
    const biasCorrection1 = 1 - m.powers[0].at(beta1, t);
    const biasCorrection2 = 1 - beta2Power;
    // The variance of the adaptive learning rate is tractable only once ρt > 5 (the paper's ρt > 4,
    // as torch 1.13 tests it).
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * t * beta2Power) / biasCorrection2;
    const rectify = rhoT > 5;
    const rect = rectify ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
    b[RAdamScalar.weightDecay] = o.weightDecay;
    b[RAdamScalar.beta1] = beta1;
    // torch 2.13's exp_avg.lerp_(grad, 1 − β1), as Adam's (src/optim/adam.ts).
    const w = Math.fround(1 - beta1);
    b[RAdamScalar.lerpCoef] = w >= 0.5 ? -(1 - w) : w;
    b[RAdamScalar.beta2] = beta2;
    b[RAdamScalar.oneMinusBeta2] = 1 - beta2;
    b[RAdamScalar.biasCorrection1] = biasCorrection1;
    b[RAdamScalar.lr] = o.lr;
    b[RAdamScalar.biasCorrection2Sqrt] = Math.sqrt(biasCorrection2);
    b[RAdamScalar.eps] = o.eps;
    b[RAdamScalar.rect] = rect;
    b[RAdamScalar.gradScale] = o.maximize ? -m.gradScale : m.gradScale; // f32(g·(−c)) = −f32(g·c): torch's −g, clipped
    b[RAdamScalar.paramScale] = 1 - o.lr * o.weightDecay;
    const decay = o.weightDecay === 0 ? 0 : o.decoupledWeightDecay ? RAdamFlag.decoupled : RAdamFlag.decay;
    return decay | (rectify ? RAdamFlag.rectify : 0) | (w >= 0.5 ? RAdamFlag.lerpHigh : 0);
  }

  protected run(_o: RAdamOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    kernels.radam_f32(m.segments, m.state.get('expAvg')!, m.state.get('expAvgSq')!, m.count, m.scalarBlock, flags);
  }
}
