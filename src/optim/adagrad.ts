import type { Kernels } from '../backend/kernels.js';
import { AdagradFlag, AdagradScalar } from '../kernels/adagrad.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, flag } from './validate.js';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  /** The starting value of `sum`; read when the state is created, as in torch. */
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

const spec: OptimizerSpec<AdagradOptions> = {
  slots: AdagradScalar,
  derivedSlots: [],
  name: 'Adagrad',
  defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    atLeast(where, 'lrDecay', o.lrDecay, 0, true); // only in lr/(1 + (t − 1)·lrDecay) ≤ lr, a double
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    atLeast(where, 'initialAccumulatorValue', o.initialAccumulatorValue, 0);
    atLeast(where, 'eps', o.eps, 0);
    flag(where, 'maximize', o.maximize);
  },
  stateBuffers: (o) => [{ name: 'sum', fill: o.initialAccumulatorValue }],
};

/** Adagrad (Duchi et al., 2011): torch.optim.Adagrad, dense gradients. */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, options?: OptionsInput<AdagradOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
  }

  protected scalars(o: AdagradOptions, m: GroupMemory, b: Float32Array, t: number): number {
    const clr = o.lr / (1 + (t - 1) * o.lrDecay);
    b[AdagradScalar.sign] = o.maximize ? -m.gradScale : m.gradScale;
    b[AdagradScalar.weightDecay] = o.weightDecay;
    b[AdagradScalar.eps] = o.eps;
    b[AdagradScalar.negClr] = -clr;
    return o.weightDecay !== 0 ? AdagradFlag.decay : 0;
  }

  protected run(_o: AdagradOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    kernels.adagrad_f32(m.segments, m.state.get('sum')!, m.count, m.scalarBlock, flags);
  }
}
