// The optimizers the example compares, with the hyperparameters it uses. Each learning rate is the
// one with the lowest training loss after the default 10 epochs on a grid spaced ×2–3 apart (SGD
// 0.05–1.6, momentum 0.01–0.2, RMSProp 1e-4–1e-2, Adam 3e-4–1e-2); test accuracy did not choose.
// SGD at 1.6 diverges. Muon + AdamW is the NanoGPT speedruns' recipe: Muon for the hidden layer's
// weight matrix, AdamW for the biases and the output layer. Its grid: Muon's lr 3e-4–1e-2 with
// adjustLrFn 'match_rms_adamw' (AdamW at 0.003), then AdamW's 1e-3–3e-2 (Muon at 0.003); Muon's lr
// 2e-3–0.2 with 'original' came no lower (training loss 0.0008 at best, at 0.005, against 0.0004). Weight decays are
// torch's defaults (Muon 0.1, AdamW 0.01). Colours are the race's (src/race/racers.ts, and Muon's from
// the matrix race, src/race/matrixRacers.ts), so an optimizer looks the same in every picture ravine draws.
import { Adam, AdamW, anneal, Muon, RMSprop, SGD, type Optimizer } from 'ravine';
import type { Mlp } from './mlp.js';

export interface Contender {
  /** The command-line name: `--optimizers sgd,adam`. */
  key: string;
  /** The name in tables and legends. */
  label: string;
  color: string;
  /** Its hyperparameters in words, for a run of `steps` steps. */
  describe(steps: number): string;
  /**
   * Fresh optimizers (and fresh schedules) over the model's tensors for a run of `steps` steps: one,
   * or several over disjoint tensors, which the training loop zeroes and steps in turn (as the
   * speedruns' loop does: `for opt in optimizers: opt.step()`).
   */
  create(model: Pick<Mlp, 'parameters' | 'hiddenWeights'>, steps: number): Optimizer<object>[];
}

/**
 * Muon + AdamW's rates. 'match_rms_adamw' scales Muon's lr by 0.2·√max(rows, cols), which makes it an
 * AdamW-like rate and, unlike 'original' (√max(1, rows/cols), written for torch's [out, in] Linear),
 * does not depend on w1 being laid out [in, out].
 */
const muonLr = 0.003,
  muonAdjustLr = 'match_rms_adamw',
  adamWLr = 0.003;

/** Momentum rises from 0.5 to 0.9 over the first half of the run (Sutskever et al., 2013: low momentum early, while gradients are large and change fast). */
const momentumSteps = (steps: number) => Math.max(1, Math.round(steps / 2));

export const contenders: readonly Contender[] = [
  {
    key: 'sgd',
    label: 'SGD',
    color: '#E69F00',
    describe: () => 'lr 0.8',
    create: (model) => [new SGD(model.parameters, { lr: 0.8 })],
  },
  {
    key: 'momentum',
    label: 'Momentum',
    color: '#56B4E9',
    describe: (steps) => `lr 0.1, momentum 0.5→0.9 over ${momentumSteps(steps)} steps`,
    create: (model, steps) => [new SGD(model.parameters, { lr: 0.1, momentum: anneal(0.5, 0.9, momentumSteps(steps)) })],
  },
  {
    key: 'rmsprop',
    label: 'RMSProp',
    color: '#0072B2',
    describe: () => 'lr 0.003, alpha 0.99',
    create: (model) => [new RMSprop(model.parameters, { lr: 0.003, alpha: 0.99 })],
  },
  {
    key: 'adam',
    label: 'Adam',
    color: '#D55E00',
    describe: () => 'lr 0.003, betas (0.9, 0.999)',
    create: (model) => [new Adam(model.parameters, { lr: 0.003, betas: [0.9, 0.999] })],
  },
  {
    key: 'muon',
    label: 'Muon + AdamW',
    color: '#332288',
    describe: () => `Muon lr ${muonLr} (${muonAdjustLr}) on w1, AdamW lr ${adamWLr} on b1, w2, b2`,
    create: (model) => {
      const matrices = model.hiddenWeights;
      const rest = model.parameters.filter((t) => !matrices.includes(t));
      return [new Muon(matrices, { lr: muonLr, adjustLrFn: muonAdjustLr }), new AdamW(rest, { lr: adamWLr })];
    },
  },
];
