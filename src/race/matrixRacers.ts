// The matrix race's entrants: each an optimizer made fresh over W for a run of `steps` steps. Adding one
// is one entry in `matrixRacers`.
//
// Learning rates: the one of a grid (0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.07, 0.1) that reaches
// f ≤ 1e-6 first in 200 steps on the default problem (κ = 100, W 32×16), else the lowest f after 200:
// GD 0.015 (7.3e-4; 0.02 ≥ 2/κ diverges), Momentum 0.03 (step 59), Adam 0.07 (step 174), Lion 0.015
// (1.9e-2), Muon 0.05 (7.2e-5). Lion and Muon step by a fixed size in every coordinate or every singular
// direction (a sign, an orthogonalised matrix), so with a constant lr they hover about the minimum at a
// distance of about lr (the same grid's best constant lr left f at 0.52 and 0.051); their lr decays
// linearly to 0 over the run, as both papers' runs do (Chen et al. 2023, cosine; Jordan et al. 2024,
// linear). Their weight decay is 0: the problem has no regulariser, and the defaults (Lion 1e-3, Muon
// 0.1) would pull W off the minimum. Adafactor's step is relative, RMS(W)·min(lr, 1/√t) (ε2 = 1e-3 while
// W is 0), so it decays by itself; over 0.005…1 (and 0.12, 0.15, 0.18) its best f after 200 steps is
// at lr 0.15 (5.7e-2; 0.1 left 0.15, 0.2 left 0.90: not monotone, its clipping and RMS interact).
import { Adafactor, Adam, anneal, Lion, Muon, SGD, type Optimizer, type Tensor } from '../index.js';
import { defaultHyperparameters, racers } from './racers.js';

export interface MatrixRacer {
  /** The command-line name (`--optimizers`), shared with the 2-D race where it races there too. */
  key: string;
  /** The name in tables and legends. */
  label: string;
  color: string;
  lr: number;
  /** Its hyperparameters in words, for a run of `steps` steps at learning rate `lr`. */
  describe(lr: number, steps: number): string;
  /** A fresh optimizer (with fresh schedules: a schedule belongs to one optimizer) over `params`. */
  create(params: Tensor[], lr: number, steps: number): Optimizer<object>;
}

/** The 2-D race's colour for `key`, so an optimizer looks the same in every picture. */
const colorOf = (key: string) => racers.find((r) => r.key === key)!.color;
const { momentum } = defaultHyperparameters;

/**
 * Lion and Muon take colours from Paul Tol's "muted" scheme, also told apart under colour-vision
 * deficiencies: all eight Okabe–Ito colours belong to the 2-D race's racers.
 */
export const matrixRacers: readonly MatrixRacer[] = [
  {
    key: 'gd',
    label: 'GD',
    color: colorOf('gd'),
    lr: 0.015,
    describe: (lr) => `lr ${lr}`,
    create: (params, lr) => new SGD(params, { lr }),
  },
  {
    key: 'momentum',
    label: 'Momentum',
    color: colorOf('momentum'),
    lr: 0.03,
    describe: (lr) => `lr ${lr}, momentum ${momentum.from}→${momentum.to} over ${momentum.steps} steps`,
    create: (params, lr) => new SGD(params, { lr, momentum: anneal(momentum.from, momentum.to, momentum.steps) }),
  },
  {
    key: 'adam',
    label: 'Adam',
    color: colorOf('adam'),
    lr: 0.07,
    describe: (lr) => `lr ${lr}, β 0.9, 0.999`,
    create: (params, lr) => new Adam(params, { lr }),
  },
  {
    key: 'lion',
    label: 'Lion',
    color: '#882255',
    lr: 0.015,
    describe: (lr, steps) => `lr ${lr}→0 over ${steps} steps, β 0.9, 0.99`,
    create: (params, lr, steps) => new Lion(params, { lr: anneal(lr, 0, steps), weightDecay: 0 }),
  },
  {
    key: 'adafactor',
    label: 'Adafactor',
    color: '#44AA99',
    lr: 0.15,
    describe: (lr) => `lr ${lr} (the relative step's cap), torch's defaults`,
    create: (params, lr) => new Adafactor(params, { lr }),
  },
  {
    key: 'muon',
    label: 'Muon',
    color: '#332288',
    lr: 0.05,
    describe: (lr, steps) => `lr ${lr}→0 over ${steps} steps, momentum 0.95, Nesterov`,
    create: (params, lr, steps) => new Muon(params, { lr: anneal(lr, 0, steps), weightDecay: 0 }),
  },
];
