// One optimizer's training run: a fresh ravine context, the shared initial weights, the same minibatch
// order as every other optimizer, and after each epoch the mean training loss and the test accuracy.
import { createRavine } from 'ravine';
import { gather, pixels, type Split } from './data.js';
import type { Products } from './matmul.js';
import { Mlp, type Layers, type Weights } from './mlp.js';
import type { Contender } from './optimizers.js';
import type { Progress } from './progress.js';
import { seededRandom, shuffle } from './random.js';

export interface Setup {
  split: Split;
  layers: Layers;
  initial: Weights;
  batch: number;
  epochs: number;
  /** Seeds the minibatch order (each epoch reshuffles). */
  seed: number;
  products: Products;
}

export interface EpochResult {
  /** 0 is the initial weights, before any step. */
  epoch: number;
  /** Mean minibatch loss over the epoch (epoch 0: the initial weights' loss on the training set). */
  trainLoss: number;
  testAccuracy: number;
  /** Training time of the epoch, evaluation left out (0 for epoch 0). */
  seconds: number;
}

export interface Run {
  key: string;
  label: string;
  hyperparameters: string;
  backend: string;
  epochs: EpochResult[];
}

export async function train(contender: Contender, setup: Setup, progress: Progress, onEpoch: (run: Run, result: EpochResult) => void): Promise<Run> {
  const {
    split: { train: digits, test },
    batch,
    epochs,
  } = setup;
  const batches = Math.ceil(digits.count / batch),
    steps = batches * epochs;
  const rv = await createRavine();
  const model = new Mlp(rv, setup.layers, setup.initial, batch, setup.products);
  const optimizers = contender.create(model, steps);
  const run: Run = { key: contender.key, label: contender.label, hyperparameters: contender.describe(steps), backend: rv.backend, epochs: [] };
  const record = (result: EpochResult) => {
    run.epochs.push(result);
    onEpoch(run, result);
  };
  record({ epoch: 0, trainLoss: model.evaluate(digits).loss, testAccuracy: model.evaluate(test).accuracy, seconds: 0 });

  const images = new Float32Array(batch * pixels),
    labels = new Uint8Array(batch);
  const order = Uint32Array.from({ length: digits.count }, (_, i) => i),
    random = seededRandom(setup.seed);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    shuffle(order, random);
    const start = performance.now();
    let lossSum = 0;
    for (let b = 0; b < batches; b++) {
      const rows = Math.min(batch, digits.count - b * batch);
      gather(digits, order, b * batch, rows, images, labels);
      for (const o of optimizers) o.zeroGrad();
      lossSum += model.lossAndGradient(images, labels, rows) * rows;
      for (const o of optimizers) o.step();
      const done = b * batch + rows;
      progress.update(`${contender.label} epoch ${epoch}/${epochs}`, b + 1, batches, lossSum / done, done / ((performance.now() - start) / 1000));
    }
    const seconds = (performance.now() - start) / 1000;
    progress.clear();
    record({ epoch, trainLoss: lossSum / digits.count, testAccuracy: model.evaluate(test).accuracy, seconds });
  }
  for (const o of optimizers) o.dispose();
  model.dispose();
  rv.dispose();
  return run;
}
