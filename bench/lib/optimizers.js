// The table that drives every suite: one row per optimizer, with the options every implementation
// uses and the memory traffic of one update (f32 streams read and written per parameter), which
// sizes the bandwidth bound. Hyperparameters are torch's defaults where torch has them.
// The classes come from the library's own registry (src/optim/registry.ts), as minimize's and the tests' do.
import { optimizerRegistry } from '../../dist/optim/registry.js';

const { sgd: { Class: SGD }, adam: { Class: Adam }, adamw: { Class: AdamW }, rmsprop: { Class: RMSprop }, adagrad: { Class: Adagrad },
  adadelta: { Class: Adadelta }, adamax: { Class: Adamax }, nadam: { Class: NAdam }, radam: { Class: RAdam }, rprop: { Class: Rprop },
  asgd: { Class: ASGD } } = optimizerRegistry;

export const OPTIMIZERS = {
  sgd: { label: 'SGD momentum', Ravine: SGD, options: { lr: 1e-2, momentum: 0.9 }, reads: 3, writes: 2 },
  adam: { label: 'Adam', Ravine: Adam, options: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 }, reads: 4, writes: 3 },
  adamw: { label: 'AdamW', Ravine: AdamW, options: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2 }, reads: 4, writes: 3 },
  rmsprop: { label: 'RMSprop', Ravine: RMSprop, options: { lr: 1e-2, alpha: 0.99, eps: 1e-8 }, reads: 3, writes: 2 },
  adagrad: { label: 'Adagrad', Ravine: Adagrad, options: { lr: 1e-2, eps: 1e-10 }, reads: 3, writes: 2 },
  adadelta: { label: 'Adadelta', Ravine: Adadelta, options: { lr: 1, rho: 0.9, eps: 1e-6 }, reads: 4, writes: 3 },
  adamax: { label: 'Adamax', Ravine: Adamax, options: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8 }, reads: 4, writes: 3 },
  nadam: { label: 'NAdam', Ravine: NAdam, options: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, momentumDecay: 4e-3 }, reads: 4, writes: 3 },
  radam: { label: 'RAdam', Ravine: RAdam, options: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 }, reads: 4, writes: 3 },
  rprop: { label: 'Rprop', Ravine: Rprop, options: { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50] }, reads: 4, writes: 3 },
  // t0 = 1e6 (torch's default): μ stays 1, so ax is a copy of p and is not read.
  asgd: { label: 'ASGD', Ravine: ASGD, options: { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6 }, reads: 2, writes: 2 },
};

/** Bytes one update moves per parameter. */
export const bytesPerParam = (key) => 4 * (OPTIMIZERS[key].reads + OPTIMIZERS[key].writes);
