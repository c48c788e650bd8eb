import type { Kernels } from '../backend/kernels.js';
import { RMSpropFlag, RMSpropScalar } from '../kernels/rmsprop.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, flag, unit } from './validate.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

const spec: OptimizerSpec<RMSpropOptions> = {
  slots: RMSpropScalar,
  derivedSlots: [],
  name: 'RMSprop',
  defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    unit(where, 'alpha', o.alpha, false);
    atLeast(where, 'eps', o.eps, 0);
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    atLeast(where, 'momentum', o.momentum, 0);
    flag(where, 'centered', o.centered);
    flag(where, 'maximize', o.maximize);
  },
  stateKey: (o) => (o.momentum > 0 ? 1 : 0) | (o.centered ? 2 : 0),
  optionalBuffers: ['momentumBuffer', 'gradAvg'],
  stateBuffers: (o) => [
    { name: 'squareAvg', fill: 0 },
    ...(o.momentum > 0 ? [{ name: 'momentumBuffer', fill: 0 }] : []),
    ...(o.centered ? [{ name: 'gradAvg', fill: 0 }] : []),
  ],
};

/** RMSprop (Hinton, 2012), optionally centered (Graves, 2013) and with momentum: torch.optim.RMSprop. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, options?: OptionsInput<RMSpropOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
  }

  protected scalars(o: RMSpropOptions, m: GroupMemory, b: Float32Array): number {
    b[RMSpropScalar.sign] = o.maximize ? -m.gradScale : m.gradScale;
    b[RMSpropScalar.weightDecay] = o.weightDecay;
    b[RMSpropScalar.alpha] = o.alpha;
    b[RMSpropScalar.oneMinusAlpha] = 1 - o.alpha;
    // torch 2.13's grad_avg.lerp_(grad, 1 − α), as Adam's first moment (src/optim/adam.ts).
    const w = Math.fround(1 - o.alpha);
    b[RMSpropScalar.lerpCoef] = w >= 0.5 ? -(1 - w) : w;
    b[RMSpropScalar.eps] = o.eps;
    b[RMSpropScalar.momentum] = o.momentum;
    b[RMSpropScalar.negLr] = -o.lr;
    return (
      (o.weightDecay !== 0 ? RMSpropFlag.decay : 0) |
      (o.centered ? RMSpropFlag.centered : 0) |
      (o.momentum > 0 ? RMSpropFlag.momentum : 0) |
      (o.centered && w >= 0.5 ? RMSpropFlag.lerpHigh : 0)
    );
  }

  protected run(o: RMSpropOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    kernels.rmsprop_f32(
      m.segments,
      m.state.get('squareAvg')!,
      o.centered ? m.state.get('gradAvg')! : 0,
      o.momentum > 0 ? m.state.get('momentumBuffer')! : 0,
      m.count,
      m.scalarBlock,
      flags,
    );
  }
}
