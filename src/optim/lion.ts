import type { Kernels } from '../backend/kernels.js';
import { LionScalar } from '../kernels/lion.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, betas, flag } from './validate.js';

export interface LionOptions {
  lr: number;
  /** β1 mixes the momentum and the gradient for the sign; β2 is the momentum's decay. */
  betas: [number, number];
  /** Decoupled, as AdamW's: p ← p − lr·(sign(…) + weightDecay·p). */
  weightDecay: number;
  maximize: boolean;
}

const spec: OptimizerSpec<LionOptions> = {
  name: 'Lion',
  slots: LionScalar,
  // Every slot is an option, its negation, or 1 − an option in [0, 1): finite whenever the options are.
  derivedSlots: [],
  // optax.lion's defaults (it has no default lr; 1e-4 is the paper's advice: 3–10× below AdamW's).
  defaults: { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 1e-3, maximize: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    betas(where, o.betas);
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    flag(where, 'maximize', o.maximize);
  },
  stateBuffers: () => [{ name: 'expAvg', fill: 0 }],
};

/**
 * Lion (Chen et al. 2023): the sign of an interpolation between the momentum and the gradient, so every
 * parameter moves by ±lr; one state buffer, half of Adam's. optax.lion's numbers, bit for bit.
 */
export class Lion extends Optimizer<LionOptions> {
  constructor(params: Params<LionOptions>, options?: OptionsInput<LionOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
  }

  protected scalars(o: LionOptions, m: GroupMemory, b: Float32Array, _t: number): number {
    const [beta1, beta2] = o.betas;
    b[LionScalar.sign] = o.maximize ? -m.gradScale : m.gradScale;
    // optax's `(1. - b1) * g`: the double 1 − β1, rounded to float32 (a weakly typed Python scalar).
    b[LionScalar.oneMinusBeta1] = 1 - beta1;
    b[LionScalar.beta1] = beta1;
    b[LionScalar.oneMinusBeta2] = 1 - beta2;
    b[LionScalar.beta2] = beta2;
    b[LionScalar.weightDecay] = o.weightDecay;
    b[LionScalar.negLr] = -o.lr;
    return 0;
  }

  protected run(_o: LionOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    kernels.lion_f32(m.segments, m.state.get('expAvg')!, m.count, m.scalarBlock, flags);
  }
}
