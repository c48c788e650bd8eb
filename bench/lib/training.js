// What a training loop adds around step() (issue 10), as runners the suites measure like any other:
// schedules driving the options (per-call rows), and at 1M parameters the training options — clipping
// by norm folded into the kernels or done in place before step(), the non-finite guard, diagnostics,
// accumulation — beside the plain step, in one interleaved group.
import { anneal, clipGradNorm, cosineAnnealingLR } from '../../dist/index.js';
import { OPTIMIZERS } from './optimizers.js';
import { ravineStep, release, setup } from './ravine.js';

/** torch's usual clip_grad_norm_(…, 1.0): far below the problem's norm (~600 at 1M), so clipping bites. */
const MAX_NORM = 1;

/**
 * The options' schedules: lr cosine-annealed from the table's value over `SPAN` steps, and SGD's momentum
 * (Adam's β1) annealed 0.5 → the table's value over `SPAN` steps. A per-call row takes ~10^7 steps;
 * `SPAN` is longer, so every measured step computes new values (no schedule reaches its plateau) and
 * Adam's β1^t is recomputed for a new base each step, the costly case (src/optim/powers.ts).
 */
const SPAN = 1e9;
const SCHEDULES = {
  sgd: ({ lr, momentum }) => ({ lr: cosineAnnealingLR({ base: lr, tMax: SPAN }), momentum: anneal(0.5, momentum, SPAN) }),
  adam: ({ lr, betas }) => ({ lr: cosineAnnealingLR({ base: lr, tMax: SPAN }), betas: [anneal(0.5, betas[0], SPAN), betas[1]] }),
};

export const scheduledSupports = (key) => key in SCHEDULES;

/** step() with lr and momentum (β1) driven by schedules. */
export const scheduledStep = (key, problem) => ravineStep('simd', key, problem, 'one', { options: SCHEDULES[key](OPTIMIZERS[key].options) });

/** step() with one training option (`{ clipGradNorm: 1 }`, `{ diagnostics: true }`, ...). */
export const trainingStep = (training) => (key, problem) => ravineStep('simd', key, problem, 'one', { training });

/**
 * `k` step() calls with `accumulate: k`: k − 1 accumulate, the k-th also updates. A runner step is the
 * k calls (one update), and `calls: k` makes the times per call.
 */
export function accumulatedSteps(k) {
  return async (key, problem) => {
    const runner = await ravineStep('simd', key, problem, 'one', { training: { accumulate: k } });
    const { step } = runner;
    return {
      ...runner,
      step: () => {
        for (let i = 0; i < k; i++) step();
      },
      calls: k,
    };
  };
}

/**
 * torch's way: `clipGradNorm(tensors, maxNorm)` in place (a norm pass, then a scaling pass), then step().
 * The gradients are set once, so clipping them in place shrinks them for good: at a fixed maxNorm the
 * coefficient would reach 1 after a few steps and the scaling pass be skipped (clipGradNorm skips it at
 * 1). So maxNorm shrinks by `SHRINK` each call, keeping the coefficient at ~0.999 — the pass always
 * runs — and the gradients are set back once they are 2^-20 of the first clip (every ~14,000 calls: a
 * copy amortised to ~0.01% of a step), long before Adam's state nears subnormal numbers.
 */
export async function clipInPlaceThenStep(key, problem) {
  const { rv, opt, tensors, read } = await setup('simd', key, problem);
  let maxNorm = MAX_NORM;
  return {
    step: () => {
      if (maxNorm < MAX_NORM * 2 ** -20) {
        tensors.forEach((t, i) => t.grad.set(problem.grads[i]));
        maxNorm = MAX_NORM;
      }
      clipGradNorm(tensors, maxNorm);
      maxNorm *= SHRINK;
      opt.step();
    },
    params: read,
    dispose: release(rv, opt),
  };
}

const SHRINK = 0.999;

/** The `clipGradNorm` training option: the same clipping, its coefficient riding in the kernel's scalar block. */
export const clipFoldedStep = trainingStep({ clipGradNorm: MAX_NORM });

// Clipping changes the update: the smoke test compares a runner with ravine simd's plain step, to float
// tolerance for runners outside ravine's own. Adam's update is invariant to a gradient scale (eps
// aside: ~10^-6 of it here), so clipped Adam ends within that tolerance of plain Adam; SGD's is not.
export const clipSupports = (key) => key === 'adam';
