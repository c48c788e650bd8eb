import type { Kernels } from '../backend/kernels.js';
import { AdamFlag, AdamScalar } from '../kernels/adam.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, betas, flag } from './validate.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** torch 2.x: weight decay applied to the parameters, p·(1 − lr·weightDecay), not added to the gradient: Adam with it is AdamW. */
  decoupledWeightDecay: boolean;
}

function adamSpec(name: string, weightDecay: number, decoupled: boolean): OptimizerSpec<AdamOptions> {
  return {
    name,
    slots: AdamScalar,
    derivedSlots: [AdamScalar.paramScale, AdamScalar.negStepSize],
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false, decoupledWeightDecay: decoupled },
    check(where, o) {
      atLeast(where, 'lr', o.lr, 0);
      betas(where, o.betas);
      atLeast(where, 'eps', o.eps, 0);
      atLeast(where, 'weightDecay', o.weightDecay, 0);
      flag(where, 'amsgrad', o.amsgrad);
      flag(where, 'maximize', o.maximize);
      flag(where, 'decoupledWeightDecay', o.decoupledWeightDecay);
      // torch's AdamW keeps decoupled_weight_decay True whatever it is given (its __setstate__ too).
      if (decoupled && !o.decoupledWeightDecay)
        throw new RangeError(`${where}: AdamW's weight decay is decoupled by definition (decoupledWeightDecay must stay true); for L2 weight decay use Adam`);
    },
    stateKey: (o) => (o.amsgrad ? 1 : 0),
    optionalBuffers: ['maxExpAvgSq'],
    stateBuffers: (o) => [{ name: 'expAvg', fill: 0 }, { name: 'expAvgSq', fill: 0 }, ...(o.amsgrad ? [{ name: 'maxExpAvgSq', fill: 0 }] : [])],
  };
}

/** The host scalars shared by Adam (L2 weight decay) and AdamW (decoupled weight decay); returns the flags. */
function adamScalars(o: AdamOptions, m: GroupMemory, b: Float32Array, t: number): number {
  const decoupled = o.decoupledWeightDecay;
  const [beta1, beta2] = o.betas;
  const biasCorrection1 = 1 - m.powers[0].at(beta1, t);
  const biasCorrection2 = 1 - m.powers[1].at(beta2, t);
  b[AdamScalar.sign] = o.maximize ? -m.gradScale : m.gradScale;
  b[AdamScalar.weightDecay] = o.weightDecay;
  b[AdamScalar.paramScale] = 1 - o.lr * o.weightDecay;
  b[AdamScalar.beta1] = beta1;
  // torch 2.13's exp_avg.lerp_(grad, 1 − β1): the weight as a float32 w; from 0.5 on, torch's lerp works
  // from g with f32(1 − w), exact there (assembly/adam.ts's header).
  const w = Math.fround(1 - beta1);
  const high = w >= 0.5;
  b[AdamScalar.lerpCoef] = high ? -(1 - w) : w;
  b[AdamScalar.beta2] = beta2;
  b[AdamScalar.oneMinusBeta2] = 1 - beta2;
  b[AdamScalar.biasCorrection2Sqrt] = Math.sqrt(biasCorrection2);
  b[AdamScalar.eps] = o.eps;
  b[AdamScalar.negStepSize] = -(o.lr / biasCorrection1);
  return (decoupled ? AdamFlag.decoupled : o.weightDecay !== 0 ? AdamFlag.decay : 0) | (o.amsgrad ? AdamFlag.amsgrad : 0) | (high ? AdamFlag.lerpHigh : 0);
}

function adamRun(o: AdamOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
  kernels.adam_f32(m.segments, m.state.get('expAvg')!, m.state.get('expAvgSq')!, o.amsgrad ? m.state.get('maxExpAvgSq')! : 0, m.count, m.scalarBlock, flags);
}

/** Adam (Kingma & Ba, 2015) with L2 weight decay and optional AMSGrad: torch.optim.Adam. */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options?: OptionsInput<AdamOptions>, training?: TrainingOptions) {
    super(params, options, adamSpec('Adam', 0, false), training);
  }

  protected scalars(o: AdamOptions, m: GroupMemory, b: Float32Array, t: number): number {
    return adamScalars(o, m, b, t);
  }

  protected run(o: AdamOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    adamRun(o, m, kernels, flags);
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter, 2019): torch.optim.AdamW. */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: Params<AdamOptions>, options?: OptionsInput<AdamOptions>, training?: TrainingOptions) {
    super(params, options, adamSpec('AdamW', 1e-2, true), training);
  }

  protected scalars(o: AdamOptions, m: GroupMemory, b: Float32Array, t: number): number {
    return adamScalars(o, m, b, t);
  }

  protected run(o: AdamOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    adamRun(o, m, kernels, flags);
  }
}
