// The four optimizers the example compares, with the hyperparameters it uses. Each learning rate is the
// one with the lowest training loss after the default 10 epochs on a grid spaced ×2–3 apart (SGD
// 0.05–1.6, momentum 0.01–0.2, RMSProp 1e-4–1e-2, Adam 3e-4–1e-2); test accuracy did not choose.
// SGD at 1.6 diverges. Colours are the race's (src/race/racers.ts), so an optimizer looks the same in
// every picture ravine draws.
import { Adam, anneal, RMSprop, SGD, type Optimizer, type Tensor } from 'ravine';

export interface Contender {
  /** The command-line name: `--optimizers sgd,adam`. */
  key: string;
  /** The name in tables and legends. */
  label: string;
  color: string;
  /** Its hyperparameters in words, for a run of `steps` steps. */
  describe(steps: number): string;
  /** A fresh optimizer (and fresh schedules) over `params` for a run of `steps` steps. */
  create(params: Tensor[], steps: number): Optimizer<object>;
}

/** Momentum rises from 0.5 to 0.9 over the first half of the run (Sutskever et al., 2013: low momentum early, while gradients are large and change fast). */
const momentumSteps = (steps: number) => Math.max(1, Math.round(steps / 2));

export const contenders: readonly Contender[] = [
  {
    key: 'sgd',
    label: 'SGD',
    color: '#E69F00',
    describe: () => 'lr 0.8',
    create: (params) => new SGD(params, { lr: 0.8 }),
  },
  {
    key: 'momentum',
    label: 'Momentum',
    color: '#56B4E9',
    describe: (steps) => `lr 0.1, momentum 0.5→0.9 over ${momentumSteps(steps)} steps`,
    create: (params, steps) => new SGD(params, { lr: 0.1, momentum: anneal(0.5, 0.9, momentumSteps(steps)) }),
  },
  {
    key: 'rmsprop',
    label: 'RMSProp',
    color: '#0072B2',
    describe: () => 'lr 0.003, alpha 0.99',
    create: (params) => new RMSprop(params, { lr: 0.003, alpha: 0.99 }),
  },
  {
    key: 'adam',
    label: 'Adam',
    color: '#D55E00',
    describe: () => 'lr 0.003, betas (0.9, 0.999)',
    create: (params) => new Adam(params, { lr: 0.003, betas: [0.9, 0.999] }),
  },
];
