import type { Kernels } from '../backend/kernels.js';
import { RpropFlag, RpropScalar } from '../kernels/rprop.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, etas, flag, stepSizes } from './validate.js';

export interface RpropOptions {
  /** The initial step size of every element (torch fills `step_size` with it at the first step). */
  lr: number;
  /** [etaminus, etaplus]: the step size's factor where the gradient changed sign, and where it kept it. */
  etas: [number, number];
  /** [min, max]: the step size is clamped to them after each change. */
  stepSizes: [number, number];
  maximize: boolean;
}

const spec: OptimizerSpec<RpropOptions> = {
  slots: RpropScalar,
  derivedSlots: [],
  name: 'Rprop',
  defaults: { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50], maximize: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    etas(where, o.etas);
    stepSizes(where, o.stepSizes);
    flag(where, 'maximize', o.maximize);
  },
  // stepSize is written before it is read: while fresh, the kernel starts it at f32(lr), the lr of the
  // first step (torch initialises its state then, not at construction).
  stateBuffers: () => [
    { name: 'prev', fill: 0 },
    { name: 'stepSize', fill: 0 },
  ],
};

/**
 * Resilient backpropagation (Riedmiller & Braun, 1993): torch.optim.Rprop. Each element moves by its own
 * step size against the gradient's sign; the step size grows while the sign holds and shrinks when it
 * flips. Only signs matter, so the update ignores the gradient's scale (clipping changes nothing unless
 * it rounds a gradient to 0), and a NaN gradient leaves its element where it is (torch's sign(NaN) = 0).
 */
export class Rprop extends Optimizer<RpropOptions> {
  constructor(params: Params<RpropOptions>, options?: OptionsInput<RpropOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
  }

  protected scalars(o: RpropOptions, m: GroupMemory, b: Float32Array): number {
    b[RpropScalar.sign] = o.maximize ? -m.gradScale : m.gradScale;
    b[RpropScalar.etaminus] = o.etas[0];
    b[RpropScalar.etaplus] = o.etas[1];
    b[RpropScalar.stepSizeMin] = o.stepSizes[0];
    b[RpropScalar.stepSizeMax] = o.stepSizes[1];
    b[RpropScalar.lr] = o.lr;
    return m.fresh.has('stepSize') ? RpropFlag.first : 0;
  }

  protected run(_o: RpropOptions, m: GroupMemory, kernels: Kernels, flags: number): void {
    kernels.rprop_f32(m.segments, m.state.get('prev')!, m.state.get('stepSize')!, m.count, m.scalarBlock, flags);
  }
}
