// The race's entrants: each a name, what it is called on the command line, and the `minimize` options
// that make it (its hyperparameters filled in). No update math here: every racer is `minimize`.
import { anneal, type MinimizeOptions } from '../index.js';

/** The hyperparameters a race can set; `lr` per first-order racer, the rest shared. */
export interface Hyperparameters {
  /** Learning rate per racer key ('gd', 'momentum', ...); racers without an entry use their surface's. */
  lr: Readonly<Record<string, number>>;
  /** Heavy-ball momentum, annealed from `from` to `to` over `steps` steps (the seeds' 0.5 → 0.9). */
  momentum: { from: number; to: number; steps: number };
  /** Nesterov's momentum (constant). */
  nesterovMomentum: number;
  /** RMSProp's smoothing constant α. */
  alpha: number;
  betas: readonly [number, number];
  /** Newton where the Hessian is not positive definite: a gradient step, or a shifted Hessian. */
  newtonFallback: 'gradient' | 'shift';
}

export const defaultHyperparameters: Hyperparameters = {
  lr: {},
  momentum: { from: 0.5, to: 0.9, steps: 100 },
  nesterovMomentum: 0.9,
  alpha: 0.99,
  betas: [0.9, 0.999],
  newtonFallback: 'gradient',
};

export interface Racer {
  /** The command-line name: `--optimizers gd,adam`. */
  key: string;
  /** The name in tables and legends. */
  label: string;
  /** True when it takes an lr (first-order racers). */
  firstOrder: boolean;
  /** Its colour in every picture, the CLI's and the demo page's (Okabe–Ito: told apart under colour-vision deficiencies). */
  color: string;
  /** minimize's options for a run with learning rate `lr` (ignored by second-order racers). */
  options(h: Hyperparameters, lr: number): MinimizeOptions;
  /** Its hyperparameters in words, for titles and legends. */
  describe(h: Hyperparameters, lr: number): string;
}

const racer = (r: Racer): Racer => r;

/** Every racer, in the order of tables and legends (which is also the order of colours). */
export const racers: readonly Racer[] = [
  racer({
    key: 'gd',
    label: 'GD',
    firstOrder: true,
    color: '#E69F00',
    options: (_, lr) => ({ method: 'sgd', optimizer: { lr } }),
    describe: (_, lr) => `lr ${lr}`,
  }),
  racer({
    key: 'momentum',
    label: 'Momentum',
    firstOrder: true,
    color: '#56B4E9',
    // A fresh schedule per run: a schedule belongs to the one optimizer that steps it.
    options: ({ momentum: m }, lr) => ({ method: 'sgd', optimizer: { lr, momentum: anneal(m.from, m.to, m.steps) } }),
    describe: ({ momentum: m }, lr) => `lr ${lr}, momentum ${m.from}→${m.to} over ${m.steps} steps`,
  }),
  racer({
    key: 'nesterov',
    label: 'Nesterov',
    firstOrder: true,
    color: '#009E73',
    options: (h, lr) => ({ method: 'sgd', optimizer: { lr, momentum: h.nesterovMomentum, nesterov: true } }),
    describe: (h, lr) => `lr ${lr}, momentum ${h.nesterovMomentum}`,
  }),
  racer({
    key: 'rmsprop',
    label: 'RMSProp',
    firstOrder: true,
    color: '#0072B2',
    options: (h, lr) => ({ method: 'rmsprop', optimizer: { lr, alpha: h.alpha } }),
    describe: (h, lr) => `lr ${lr}, α ${h.alpha}`,
  }),
  racer({
    key: 'adam',
    label: 'Adam',
    firstOrder: true,
    color: '#D55E00',
    options: (h, lr) => ({ method: 'adam', optimizer: { lr, betas: [h.betas[0], h.betas[1]] } }),
    describe: (h, lr) => `lr ${lr}, β ${h.betas[0]}, ${h.betas[1]}`,
  }),
  racer({
    key: 'newton',
    label: 'Newton',
    firstOrder: false,
    color: '#CC79A7',
    options: (h) => ({ method: 'newton', fallback: h.newtonFallback }),
    describe: (h) => `${h.newtonFallback === 'gradient' ? 'gradient step' : 'shifted Hessian'} where H is not positive definite`,
  }),
  racer({
    key: 'newton-cg',
    label: 'Newton-CG',
    firstOrder: false,
    color: '#F0E442',
    options: () => ({ method: 'newtonCG' }),
    describe: () => 'Hessian-vector products',
  }),
  racer({
    key: 'lbfgs',
    label: 'L-BFGS',
    firstOrder: false,
    color: '#000000',
    options: () => ({ method: 'lbfgs' }),
    describe: () => 'history 10',
  }),
];

/** What `npm start` races (Newton-CG only on request). */
export const defaultRacerKeys: readonly string[] = ['gd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'newton', 'lbfgs'];
