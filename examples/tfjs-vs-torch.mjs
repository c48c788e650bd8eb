import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Adadelta, Adagrad, Adam, Adamax, createRavine, lambdaLR, RMSprop, SGD } from 'ravine';

// TF.js's own optimizers against ravine's (torch's), five steps each from the same parameters on the same
// gradients: how far apart the parameters end, over how far they moved.
await tf.setBackend('cpu');
const rv = await createRavine();
const p0 = [0.5, -1, 2, 0.1],
  grad = (t) => [0.3, -0.02, 1.5, 1e-4].map((g, i) => g * Math.cos(t + i));
function tfjs(optimizer) {
  const v = tf.variable(tf.tensor1d(p0));
  for (let t = 0; t < 5; t++) optimizer.applyGradients({ [v.name]: tf.tensor1d(grad(t)) });
  return v.dataSync();
}
let tensors = 0;
function ravine(Optimizer, options) {
  const w = rv.tensor(`w${++tensors}`, p0),
    opt = new Optimizer([w], options);
  for (let t = 0; t < 5; t++) w.grad.set(grad(t)), opt.step();
  return w.data.slice();
}
function compare(what, a, b) {
  const moved = Math.max(...b.map((x, i) => Math.abs(x - p0[i])));
  const apart = Math.max(...b.map((x, i) => Math.abs(a[i] - x)));
  const nan = a.filter(Number.isNaN).length;
  console.log(`${what}: ${nan ? `NaN in ${nan} of ${a.length} parameters` : apart === 0 ? 'bit for bit' : `${(apart / moved).toExponential(1)} apart`}`);
}
compare('momentum, Nesterov', tfjs(tf.train.momentum(0.01, 0.9, true)), ravine(SGD, { lr: 0.01, momentum: 0.9, nesterov: true }));
compare('Adam', tfjs(tf.train.adam(0.01, 0.9, 0.999, 1e-3)), ravine(Adam, { lr: 0.01, eps: 1e-3 }));
compare('RMSprop', tfjs(tf.train.rmsprop(0.01, 0.99, 0, 1e-3)), ravine(RMSprop, { lr: 0.01, alpha: 0.99, eps: 1e-3 }));
compare('RMSprop, centered', tfjs(tf.train.rmsprop(0.01, 0.99, 0, 1e-7, true)), ravine(RMSprop, { lr: 0.01, alpha: 0.99, eps: 1e-7, centered: true }));
compare('Adagrad', tfjs(tf.train.adagrad(0.01)), ravine(Adagrad, { lr: 0.01 }));
compare('Adagrad, accumulator 0.1', tfjs(tf.train.adagrad(0.01)), ravine(Adagrad, { lr: 0.01, initialAccumulatorValue: 0.1 }));
compare('Adadelta', tfjs(tf.train.adadelta(1, 0.9, 1e-6)), ravine(Adadelta, { lr: 1, rho: 0.9, eps: 1e-6 }));
compare('Adamax', tfjs(tf.train.adamax(0.01, 0.9, 0.999, 1e-3)), ravine(Adamax, { lr: 0.01, eps: 1e-3 }));
compare('Adamax, decay 0.1', tfjs(tf.train.adamax(0.01, 0.9, 0.999, 1e-8, 0.1)), ravine(Adamax, { lr: 0.01, eps: 1e-8 }));
compare(
  'Adamax, decay 0.1 as a schedule',
  tfjs(tf.train.adamax(0.01, 0.9, 0.999, 1e-8, 0.1)),
  ravine(Adamax, { lr: lambdaLR({ base: 0.01, lrLambda: (t) => 1 / (1 + 0.1 * t) }), eps: 1e-8 }),
);
