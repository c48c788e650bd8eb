import type { Kernels } from '../backend/kernels.js';
import { AdadeltaFlag, AdadeltaScalar } from '../kernels/adadelta.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, flag, unit } from './validate.js';

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

const spec: OptimizerSpec<AdadeltaOptions> = {
  slots: AdadeltaScalar,
  derivedSlots: [],
  name: 'Adadelta',
  defaults: { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    unit(where, 'rho', o.rho, false);
    atLeast(where, 'eps', o.eps, 0);
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    flag(where, 'maximize', o.maximize);
  },
  stateBuffers: () => [
    { name: 'squareAvg', fill: 0 },
    { name: 'accDelta', fill: 0 },
  ],
};

/** Adadelta (Zeiler, 2012): torch.optim.Adadelta. */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: Params<AdadeltaOptions>, options?: OptionsInput<AdadeltaOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
  }

  protected scalars(o: AdadeltaOptions, m: GroupMemory, b: Float32Array): number {
    b[AdadeltaScalar.sign] = o.maximize ? -m.gradScale : m.gradScale;
    b[AdadeltaScalar.weightDecay] = o.weightDecay;
    b[AdadeltaScalar.rho] = o.rho;
    b[AdadeltaScalar.oneMinusRho] = 1 - o.rho;
    b[AdadeltaScalar.eps] = o.eps;
    b[AdadeltaScalar.negLr] = -o.lr;
    return o.weightDecay !== 0 ? AdadeltaFlag.decay : 0;
  }

  protected run(_o: AdadeltaOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    kernels.adadelta_f32(m.segments, m.state.get('squareAvg')!, m.state.get('accDelta')!, m.count, m.scalarBlock, flags);
  }
}
