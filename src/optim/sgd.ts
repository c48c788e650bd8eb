import type { Kernels } from '../backend/kernels.js';
import { SGDFlag, SGDScalar } from '../kernels/sgd.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, finite, flag } from './validate.js';

export interface SGDOptions {
  /** Learning rate (required, as in torch). */
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  maximize: boolean;
}

const spec: OptimizerSpec<SGDOptions> = {
  name: 'SGD',
  slots: SGDScalar,
  derivedSlots: [],
  // torch 2.13's defaults: lr 1e-3 (torch 1.13 required it).
  defaults: { lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, maximize: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    atLeast(where, 'momentum', o.momentum, 0);
    finite(where, 'dampening', o.dampening);
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    flag(where, 'nesterov', o.nesterov);
    flag(where, 'maximize', o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(`${where}: nesterov needs momentum > 0 and dampening = 0, got momentum = ${o.momentum}, dampening = ${o.dampening}`);
    }
  },
  stateKey: (o) => (o.momentum !== 0 ? 1 : 0),
  stateBuffers: (o) => (o.momentum !== 0 ? [{ name: 'momentumBuffer', fill: 0 }] : []),
  optionalBuffers: ['momentumBuffer'],
};

/** Stochastic gradient descent with optional (Nesterov) momentum: torch.optim.SGD. */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, options?: OptionsInput<SGDOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
  }

  protected scalars(o: SGDOptions, m: GroupMemory, b: Float32Array): number {
    const useMomentum = o.momentum !== 0;
    b[SGDScalar.sign] = o.maximize ? -m.gradScale : m.gradScale;
    b[SGDScalar.weightDecay] = o.weightDecay;
    b[SGDScalar.momentum] = o.momentum;
    b[SGDScalar.oneMinusDampening] = 1 - o.dampening;
    b[SGDScalar.negLr] = -o.lr;
    return (
      (o.weightDecay !== 0 ? SGDFlag.decay : 0) |
      (useMomentum ? SGDFlag.momentum : 0) |
      (useMomentum && m.fresh.has('momentumBuffer') ? SGDFlag.first : 0) |
      (useMomentum && o.nesterov ? SGDFlag.nesterov : 0)
    );
  }

  protected run(o: SGDOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    kernels.sgd_f32(m.segments, o.momentum !== 0 ? m.state.get('momentumBuffer')! : 0, m.count, m.scalarBlock, flags);
  }
}
