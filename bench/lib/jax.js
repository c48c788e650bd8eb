// jax-js (@jax-js/jax) on its wasm device: the SGD-momentum and Adam updates written with its numpy
// ops and `jit` (which fuses them into generated WASM kernels), torch's equations and order.
// jax-js arrays are immutable and reference-counted: every call consumes its arguments, so an array
// used twice is passed as `x.ref` the first time. Work is lazy: a step awaits its outputs
// (blockUntilReady), so its runner is asynchronous. Its optax port is not on the registry.
import { OPTIMIZERS } from './optimizers.js';

let loading;
const loadJax = () =>
  (loading ??= import('@jax-js/jax').then(async (jax) => {
    const devices = await jax.init('wasm');
    if (!devices.includes('wasm')) throw new Error(`jax-js: no wasm device (got ${devices.join(', ')})`);
    jax.defaultDevice('wasm');
    return jax;
  }));

const UPDATES = {
  sgd(jax, { lr, momentum }) {
    // buf starts at zeros: μ·0 + g = g is torch's first step exactly.
    const update = jax.jit((p, g, buf) => {
      const b = buf.mul(momentum).add(g);
      return [p.sub(b.ref.mul(lr)), b];
    });
    return { state: 1, update, scalars: () => [] };
  },
  adam(jax, { lr, betas: [beta1, beta2], eps }) {
    const update = jax.jit((p, g, m, v, negStepSize, biasCorrection2Sqrt) => {
      const m1 = m.mul(beta1).add(g.ref.mul(1 - beta1));
      const v1 = v.mul(beta2).add(g.ref.mul(1 - beta2).mul(g));
      const denom = jax.numpy.sqrt(v1.ref).div(biasCorrection2Sqrt).add(eps);
      return [p.add(m1.ref.mul(negStepSize).div(denom)), m1, v1];
    });
    const scalars = (t) => [jax.numpy.array(-lr / (1 - beta1 ** t)), jax.numpy.array(Math.sqrt(1 - beta2 ** t))];
    return { state: 2, update, scalars };
  },
};

export const jaxSupports = (key) => key in UPDATES;

/** An asynchronous runner: `step()` returns a promise settled when the new parameters are computed. */
export async function jaxOptimizer(key, problem) {
  const jax = await loadJax();
  const np = jax.numpy;
  const { state: stateCount, update, scalars } = UPDATES[key](jax, OPTIMIZERS[key].options);
  let params = problem.params.map((p) => np.array(p));
  const grads = problem.grads.map((g) => np.array(g));
  let state = problem.sizes.map((n) => Array.from({ length: stateCount }, () => np.zeros([n])));
  let t = 0;
  return {
    async: true,
    async step() {
      t++;
      const out = params.map((p, i) => update(p, grads[i].ref, ...state[i], ...scalars(t)));
      params = out.map(([p]) => p);
      state = out.map(([, ...s]) => s);
      await Promise.all(out.flat().map((a) => a.blockUntilReady()));
    },
    params: () => params.map((p) => p.ref.dataSync().slice()),
    dispose() {
      for (const a of [...params, ...grads, ...state.flat()]) a.dispose();
      update.dispose();
    },
  };
}
