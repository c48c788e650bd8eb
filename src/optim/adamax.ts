import type { Kernels } from '../backend/kernels.js';
import { AdamaxFlag, AdamaxScalar } from '../kernels/adamax.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, betas, flag } from './validate.js';

export interface AdamaxOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

const spec: OptimizerSpec<AdamaxOptions> = {
  slots: AdamaxScalar,
  derivedSlots: [AdamaxScalar.negClr],
  name: 'Adamax',
  defaults: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    betas(where, o.betas);
    atLeast(where, 'eps', o.eps, 0);
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    flag(where, 'maximize', o.maximize);
  },
  stateBuffers: () => [
    { name: 'expAvg', fill: 0 },
    { name: 'expInf', fill: 0 },
  ],
};

/** Adamax, Adam under the infinity norm (Kingma & Ba, 2015, sec. 7): torch.optim.Adamax. */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: Params<AdamaxOptions>, options?: OptionsInput<AdamaxOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
  }

  protected scalars(o: AdamaxOptions, m: GroupMemory, b: Float32Array, t: number): number {
    const [beta1, beta2] = o.betas;
    const clr = o.lr / (1 - m.powers[0].at(beta1, t));
    b[AdamaxScalar.sign] = o.maximize ? -m.gradScale : m.gradScale;
    b[AdamaxScalar.weightDecay] = o.weightDecay;
    b[AdamaxScalar.beta1] = beta1;
    // torch 2.13's exp_avg.lerp_(grad, 1 − β1), as Adam's (src/optim/adam.ts).
    const w = Math.fround(1 - beta1);
    b[AdamaxScalar.lerpCoef] = w >= 0.5 ? -(1 - w) : w;
    b[AdamaxScalar.beta2] = beta2;
    b[AdamaxScalar.eps] = o.eps;
    b[AdamaxScalar.negClr] = -clr;
    return (o.weightDecay !== 0 ? AdamaxFlag.decay : 0) | (w >= 0.5 ? AdamaxFlag.lerpHigh : 0);
  }

  protected run(_o: AdamaxOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    kernels.adamax_f32(m.segments, m.state.get('expAvg')!, m.state.get('expInf')!, m.count, m.scalarBlock, flags);
  }
}
