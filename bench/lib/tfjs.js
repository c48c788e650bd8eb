// TF.js 4.22 `tf.train.*` optimizers on its cpu backend and on its wasm backend (the SIMD build, whose
// .wasm files ship in @tensorflow/tfjs-backend-wasm/dist). One tf.variable per tensor; the gradient
// tensors are created once and reused. TF.js has no AdamW, NAdam or RAdam; its RMSprop and Adagrad
// put eps inside the sqrt and Adamax adds it outside the max (float tolerance, not bit equality).
import { createRequire } from 'node:module';
import { OPTIMIZERS } from './optimizers.js';

export const TF_OPTIMIZERS = {
  sgd: (tf, { lr, momentum }) => tf.train.momentum(lr, momentum),
  adam: (tf, { lr, betas, eps }) => tf.train.adam(lr, betas[0], betas[1], eps),
  rmsprop: (tf, { lr, alpha, eps }) => tf.train.rmsprop(lr, alpha, 0, eps, false),
  adagrad: (tf, { lr }) => tf.train.adagrad(lr, 0),
  adadelta: (tf, { lr, rho, eps }) => tf.train.adadelta(lr, rho, eps),
  adamax: (tf, { lr, betas, eps }) => tf.train.adamax(lr, betas[0], betas[1], eps, 0),
};

export const tfjsSupports = (key) => key in TF_OPTIMIZERS;

/**
 * Where TF.js's update is not torch's. Its Adadelta divides by sqrt of the squared-gradient average
 * *before* this step's update (tfjs-core adadelta_optimizer.ts uses `accumulatedGrad`, not
 * `newAccumulatedGrad`): the first step divides by sqrt(eps). Timed anyway, flagged in the report.
 */
export const TFJS_DEVIATIONS = {
  adadelta: "TF.js Adadelta divides by the previous step's squared-gradient average",
};

let loading;
/** tfjs-core with both backends registered, the wasm one pointed at the package's own .wasm files. */
export function loadTf() {
  return (loading ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(require.resolve('@tensorflow/tfjs-backend-wasm/package.json').replace(/package\.json$/, 'dist/'));
    return tf;
  })());
}

let variables = 0;

/**
 * TF.js with `backend` current (`activate()` makes it so again) and the problem as TF.js variables
 * and gradient tensors, `named` by variable as applyGradients takes them.
 */
async function onTf(backend, problem, shapeOf = (n) => [n]) {
  const tf = await loadTf();
  const activate = async () => {
    if (tf.getBackend() === backend) return;
    if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend '${backend}' failed to initialise`);
  };
  await activate();
  // In the shapes ravine's own runner gives the optimizer (Muon's and Adafactor's matrices: its row's testShape).
  const vars = problem.params.map((p) => tf.variable(tf.tensor(p, shapeOf(p.length)), true, `bench${variables++}`));
  const grads = problem.grads.map((g) => tf.tensor(g, shapeOf(g.length)));
  const named = Object.fromEntries(vars.map((v, i) => [v.name, grads[i]]));
  return { tf, activate, vars, grads, named };
}

/** The runner of an optimizer over onTf's variables: `then` frees what else the runner made. */
function runner(optimizer, { activate, vars, grads, named }, then = () => {}) {
  return {
    activate,
    step: () => optimizer.applyGradients(named),
    params: () => vars.map((v) => v.dataSync().slice()),
    dispose() {
      optimizer.dispose();
      for (const t of [...vars, ...grads]) t.dispose();
      then();
    },
  };
}

/** A runner on TF.js backend `backend` ('cpu' or 'wasm'); `activate()` makes that backend current. */
export async function tfjsOptimizer(backend, key, problem) {
  const setup = await onTf(backend, problem);
  return runner(TF_OPTIMIZERS[key](setup.tf, OPTIMIZERS[key].options), setup);
}

/**
 * ravine's optimizer inside TF.js (ravine/tfjs) on TF.js backend `backend`: the same variables and
 * gradient tensors as tfjsOptimizer's, and applyGradients as TF.js calls it, so the time includes
 * reading the gradients out of TF.js and writing the new values back into its variables.
 */
export async function bridgeOptimizer(backend, key, problem) {
  const [{ createRavine }, { ravineOptimizer }] = await Promise.all([import('../../dist/index.js'), import('../../dist/tfjs/index.js')]);
  const setup = await onTf(backend, problem, OPTIMIZERS[key].testShape);
  const rv = await createRavine({ backend: 'simd' });
  return runner(ravineOptimizer(rv, key, OPTIMIZERS[key].options), setup, () => rv.dispose());
}
