// Every implementation the suites compare, by name. `create(key, problem)` returns a runner:
// `step()` advances the parameters once, `params()` copies them out, `dispose()` frees; `activate()`
// makes the library's global state its own (TF.js's backend) and `async: true` marks a `step()` that
// returns a promise (jax-js). `supports(key)` says whether the library has optimizer `key` at all,
// `deviations[key]` where it computes a different update; `parity: false` marks runners that compute
// no update (the bandwidth bound, the empty step). Suites and the smoke test treat all alike. A runner
// whose `step()` makes several optimizer calls says how many in `calls`; times are then per call.
import { bandwidthBound } from './bandwidth.js';
import { jaxOptimizer, jaxSupports } from './jax.js';
import { naiveLoop, naiveSupports } from './naive.js';
import { bridgeOptimizer, TFJS_DEVIATIONS, tfjsOptimizer, tfjsSupports } from './tfjs.js';
import { groupKernel } from './optimizers.js';
import { bareKernel, ravineStep } from './ravine.js';
import { accumulatedSteps, clipFoldedStep, clipInPlaceThenStep, clipSupports, scheduledStep, scheduledSupports, trainingStep } from './training.js';

const all = () => true;

/** A step that does nothing: what the harness itself costs per call, beside the per-call rows. */
async function emptyStep(_key, problem) {
  let calls = 0;
  return { step: () => void calls++, params: () => problem.params.map((p) => p.slice()), dispose() {} };
}

/** ravine simd on `threads` threads (issue 14); plan() registers one per count asked for (`--threads`). */
export function threadsImpl(threads) {
  return { label: `ravine simd, ${threads} threads`, supports: all, create: (key, problem) => ravineStep('simd', key, problem, 'one', { threads }) };
}

export const IMPLS = {
  simd: { label: 'ravine simd', supports: all, create: (key, problem) => ravineStep('simd', key, problem) },
  js: { label: 'ravine js', supports: all, create: (key, problem) => ravineStep('js', key, problem) },
  bareSimd: { label: 'bare kernel loop (simd)', supports: groupKernel, create: (key, problem) => bareKernel('simd', key, problem) },
  bareJs: { label: 'bare kernel loop (js)', supports: groupKernel, create: (key, problem) => bareKernel('js', key, problem) },
  perTensorSimd: { label: 'ravine simd, group per tensor', supports: all, create: (key, problem) => ravineStep('simd', key, problem, 'per-tensor') },
  oneTensorSimd: {
    label: 'ravine simd, as one tensor',
    supports: all,
    create: (key, problem) => ravineStep('simd', key, problem, 'one-tensor'),
    deviations: {
      adafactor: 'its step size and clipping follow each tensor’s RMS: one tensor has one',
      muon: 'it orthogonalizes each matrix: one tensor is one matrix',
    },
  },
  // Issue 10 (bench/lib/training.js). A schedule changes the update by design: nothing to compare it with.
  scheduledSimd: { label: 'ravine simd, scheduled', supports: scheduledSupports, create: scheduledStep, parity: false },
  clipFoldedSimd: { label: 'ravine simd, clipGradNorm option (folded)', supports: clipSupports, create: clipFoldedStep },
  clipInPlaceSimd: { label: 'ravine simd, clipGradNorm() in place, then step', supports: clipSupports, create: clipInPlaceThenStep },
  guardSimd: { label: 'ravine simd, skipNonFinite', supports: all, create: trainingStep({ skipNonFinite: true }) },
  diagnosticsSimd: { label: 'ravine simd, diagnostics', supports: all, create: trainingStep({ diagnostics: true }) },
  accumulateSimd: { label: 'ravine simd, accumulate 4 (per call)', supports: all, create: accumulatedSteps(4) },
  harness: { label: 'harness (empty step)', supports: all, create: emptyStep, parity: false },
  bound: { label: 'bandwidth bound', supports: all, create: bandwidthBound, parity: false },
  naive: { label: 'naive JS loop', supports: naiveSupports, create: naiveLoop },
  tfCpu: { label: 'TF.js cpu', supports: tfjsSupports, create: (key, problem) => tfjsOptimizer('cpu', key, problem), deviations: TFJS_DEVIATIONS },
  tfWasm: { label: 'TF.js wasm', supports: tfjsSupports, create: (key, problem) => tfjsOptimizer('wasm', key, problem), deviations: TFJS_DEVIATIONS },
  // Issue 13: ravine/tfjs, ravine's step on TF.js's variables and gradients (copies included).
  bridgeCpu: { label: 'ravine/tfjs on TF.js cpu', supports: all, create: (key, problem) => bridgeOptimizer('cpu', key, problem) },
  bridgeWasm: { label: 'ravine/tfjs on TF.js wasm', supports: all, create: (key, problem) => bridgeOptimizer('wasm', key, problem) },
  threads2: threadsImpl(2),
  jax: { label: 'jax-js wasm (jit)', supports: jaxSupports, create: jaxOptimizer },
};
