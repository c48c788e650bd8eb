// ravine through its public API (one group, one group per tensor, or all parameters as one tensor),
// and the bare kernel loop: the same kernel call step() makes, with the same arguments, minus
// everything step() does around it.
import { createRavine } from '../../dist/index.js';
import { OPTIMIZERS } from './optimizers.js';

/**
 * A context on `backend` (with `threads`: issue 14) holding the problem's tensors (values, and
 * gradients set once), and the optimizer: the table's options, with `options` over them (a schedule in
 * place of a number), and `training` options (issue 10) as its third argument.
 */
export async function setup(backend, key, problem, grouping = 'one', { options = {}, training, threads = 1 } = {}) {
  const rv = await createRavine({ backend, threads });
  if (rv.threads !== threads) throw new Error(`asked for ${threads} threads, got ${rv.threads}: ${rv.threadsReason}`);
  const { params, grads } = grouping === 'one-tensor' ? { params: [concat(problem.params)], grads: [concat(problem.grads)] } : problem;
  // Muon takes matrices: its row says what shape a tensor of each size gets (the rest stay flat).
  const shapeOf = OPTIMIZERS[key].testShape;
  const tensors = params.map((values, i) => {
    const t = rv.tensor(`t${i}`, values, shapeOf ? { shape: shapeOf(values.length) } : undefined);
    t.grad.set(grads[i]);
    return t;
  });
  const { Ravine: Optimizer, options: defaults } = OPTIMIZERS[key];
  const groups = grouping === 'per-tensor' ? tensors.map((t) => ({ params: [t] })) : tensors;
  const opt = new Optimizer(groups, { ...defaults, ...options }, training);
  // One tensor's values, handed back in the problem's tensor sizes, so every runner's params() compare alike.
  const read = grouping === 'one-tensor' ? () => split(tensors[0].data, problem.sizes) : () => tensors.map((t) => t.data.slice());
  return { rv, opt, tensors, read };
}

function concat(arrays) {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function split(values, sizes) {
  let at = 0;
  return sizes.map((n) => values.slice(at, (at += n)));
}

export const release = (rv, opt) => () => {
  opt.dispose();
  rv.dispose();
};

/**
 * ravine's `step()`; `grouping`: 'one' group for all tensors, 'per-tensor' (one group and kernel call
 * each), or 'one-tensor': the same parameters concatenated into one tensor in one group, which is what
 * a group of many tensors costs beside none (issue 8: the kernel walks the group's segment table).
 * `configure`: `{ options, training }`, as `setup` takes them.
 */
export async function ravineStep(backend, key, problem, grouping = 'one', configure = {}) {
  const { rv, opt, read } = await setup(backend, key, problem, grouping, configure);
  return {
    step: () => opt.step(),
    params: read,
    dispose: release(rv, opt),
  };
}

/**
 * The bare kernel loop: the kernel calls `step()` would make for step 6, recorded without running
 * them by swapping the backend's `kernels` (the raw wasm exports, or the JS mirrors bound to the heap)
 * for a recorder, then replayed directly. The arguments are byte offsets (segment table, state, scalar
 * block) and a count and flags; step() writes step 6's scalars into the group's scalar block in the
 * heap before its call, and nothing moves, so replaying the recorded arguments replays step 6 exactly.
 * Step 6, after five real steps: SGD's momentum buffer is no longer fresh and RAdam takes its
 * rectified branch, as in steady state. Replays keep step 6's scalars (bias corrections included): the
 * cost is the same, and the first replay is exactly step 6 (`stepsTaken`, `exactSteps` say so).
 */
export async function bareKernel(backend, key, problem, grouping = 'one') {
  const { rv, opt, read } = await setup(backend, key, problem, grouping);
  for (let i = 0; i < WARM_STEPS; i++) opt.step();
  const calls = recordCalls(rv._context.backend, () => opt.step());
  const groups = opt.paramGroups.length;
  if (calls.length < groups) throw new Error(`bench: step() made ${calls.length} kernel calls through backend.kernels for ${groups} groups; cannot replay it`);
  const replays = calls.map(({ kernel, args }) => bind(kernel, args));
  return {
    step:
      replays.length === 1
        ? replays[0]
        : () => {
            for (const replay of replays) replay();
          },
    params: read,
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
    get: (target, name) => {
      const kernel = target[name];
      if (typeof kernel !== 'function') throw new TypeError(`bench: backend.kernels has no kernel '${String(name)}'`);
      return (...args) => void calls.push({ kernel, args });
    },
  });
  try {
    run();
  } finally {
    backend.kernels = kernels;
  }
  return calls;
}

/**
 * A closure calling `kernel` with fixed arguments, as many as step() passed (a wasm export called
 * with extra arguments goes through V8's arity adaptation), without spreading an array per call.
 */
function bind(kernel, args) {
  const [a, b, c, d, e, f, g, h] = args;
  switch (args.length) {
    case 4:
      return () => kernel(a, b, c, d);
    case 5:
      return () => kernel(a, b, c, d, e);
    case 6:
      return () => kernel(a, b, c, d, e, f);
    case 7:
      return () => kernel(a, b, c, d, e, f, g);
    case 8:
      return () => kernel(a, b, c, d, e, f, g, h);
    default:
      throw new RangeError(`bench: a kernel call with ${args.length} arguments; bind handles 4 to 8`);
  }
}
