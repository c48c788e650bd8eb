import type { Kernels } from '../backend/kernels.js';
import { Optimizer, type GroupMemory, type OptimizerSpec, type Params } from './optimizer.js';
import { atLeast, flag, unit } from './validate.js';

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
}

const spec: OptimizerSpec<AdadeltaOptions> = {
  name: 'Adadelta',
  defaults: { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    unit(where, 'rho', o.rho, false);
    atLeast(where, 'eps', o.eps, 0);
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    flag(where, 'maximize', o.maximize);
  },
  stateBuffers: () => [{ name: 'squareAvg', fill: 0 }, { name: 'accDelta', fill: 0 }],
};

/** Adadelta (Zeiler, 2012): torch.optim.Adadelta. */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: Params<AdadeltaOptions>, options?: Partial<AdadeltaOptions>) {
    super(params, options, spec);
  }

  protected update(o: AdadeltaOptions, m: GroupMemory, kernels: Kernels): void {
    kernels.adadelta_f32(
      m.params, m.grads, m.state.get('squareAvg')!, m.state.get('accDelta')!, m.n,
      o.maximize ? -1 : 1, o.weightDecay, o.rho, 1 - o.rho, o.eps, -o.lr, o.weightDecay !== 0,
    );
  }
}
