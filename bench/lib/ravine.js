// ravine through its public API (one group, or one group per tensor), and the bare kernel loop: the
// same kernel call step() makes, with the same arguments, minus everything step() does around it.
import { createRavine } from '../../dist/index.js';
import { OPTIMIZERS } from './optimizers.js';

/** A context on `backend` holding the problem's tensors (values, and gradients set once), and the optimizer. */
async function setup(backend, key, problem, grouping) {
  const rv = await createRavine({ backend });
  const tensors = problem.sizes.map((n, i) => {
    const t = rv.tensor(`t${i}`, problem.params[i]);
    t.grad.set(problem.grads[i]);
    return t;
  });
  const { Ravine: Optimizer, options } = OPTIMIZERS[key];
  const params = grouping === 'per-tensor' ? tensors.map((t) => ({ params: [t] })) : tensors;
  const opt = new Optimizer(params, { ...options });
  return { rv, tensors, opt };
}

const release = (rv, opt) => () => {
  opt.dispose();
  rv.dispose();
};

/** ravine's `step()`; `grouping`: 'one' group for all tensors, or 'per-tensor' (one kernel call each). */
export async function ravineStep(backend, key, problem, grouping = 'one') {
  const { rv, tensors, opt } = await setup(backend, key, problem, grouping);
  return {
    step: () => opt.step(),
    params: () => tensors.map((t) => t.data.slice()),
    dispose: release(rv, opt),
  };
}

/**
 * The bare kernel loop: the kernel calls `step()` would make for step 6, recorded without running
 * them by wrapping the backend's kernels, then replayed directly. Step 6, after five real steps: SGD's
 * momentum buffer is no longer fresh and RAdam takes its rectified branch, as in steady state. Replays
 * keep step 6's arguments (bias corrections included): the cost is the same, and the first replay is
 * exactly step 6 (`stepsTaken`, `exactSteps` say so).
 */
export async function bareKernel(backend, key, problem, grouping = 'one') {
  const { rv, tensors, opt } = await setup(backend, key, problem, grouping);
  for (let i = 0; i < WARM_STEPS; i++) opt.step();
  const calls = recordCalls(rv._context.backend, () => opt.step());
  const replays = calls.map(({ kernel, args }) => bind(kernel, args));
  return {
    step: replays.length === 1 ? replays[0] : () => { for (const replay of replays) replay(); },
    params: () => tensors.map((t) => t.data.slice()),
    dispose: release(rv, opt),
    stepsTaken: WARM_STEPS,
    exactSteps: 1,
  };
}

const WARM_STEPS = 5;

function recordCalls(backend, run) {
  const kernels = backend.kernels;
  const calls = [];
  backend.kernels = new Proxy(kernels, {
    get: (target, name) => (...args) => {
      calls.push({ kernel: target[name], args });
    },
  });
  try {
    run();
  } finally {
    backend.kernels = kernels;
  }
  return calls;
}

/** A closure calling `kernel` with fixed arguments, without spreading an array on every call. */
function bind(kernel, args) {
  const [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u] = args;
  if (args.length > 21) throw new RangeError(`bench: kernel takes ${args.length} arguments, bind handles 21`);
  return () => kernel(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u);
}
