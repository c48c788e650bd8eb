// Every implementation the suites compare, by name. `create(key, problem)` returns a runner
// ({ step, params, dispose }, and `activate`, `async` where needed); `supports(key)` says whether it
// has optimizer `key` at all; `deviations[key]` says where it computes a different update;
// `parity: false` marks the bandwidth bound, which computes no update.
import { bandwidthBound } from './bandwidth.js';
import { jaxOptimizer, jaxSupports } from './jax.js';
import { naiveLoop, naiveSupports } from './naive.js';
import { TFJS_DEVIATIONS, tfjsOptimizer, tfjsSupports } from './tfjs.js';
import { bareKernel, ravineStep } from './ravine.js';

const all = () => true;

/** A step that does nothing: what the harness itself costs per call, beside the per-call rows. */
async function emptyStep(key, problem) {
  let calls = 0;
  return { step: () => void calls++, params: () => problem.params.map((p) => p.slice()), dispose() {} };
}

export const IMPLS = {
  simd: { label: 'ravine simd', supports: all, create: (key, problem) => ravineStep('simd', key, problem) },
  js: { label: 'ravine js', supports: all, create: (key, problem) => ravineStep('js', key, problem) },
  bareSimd: { label: 'bare kernel loop (simd)', supports: all, create: (key, problem) => bareKernel('simd', key, problem) },
  bareJs: { label: 'bare kernel loop (js)', supports: all, create: (key, problem) => bareKernel('js', key, problem) },
  perTensorSimd: { label: 'ravine simd, group per tensor', supports: all, create: (key, problem) => ravineStep('simd', key, problem, 'per-tensor') },
  harness: { label: 'harness (empty step)', supports: all, create: emptyStep, parity: false },
  bound: { label: 'bandwidth bound', supports: all, create: bandwidthBound, parity: false },
  naive: { label: 'naive JS loop', supports: naiveSupports, create: naiveLoop },
  tfCpu: { label: 'TF.js cpu', supports: tfjsSupports, create: (key, problem) => tfjsOptimizer('cpu', key, problem), deviations: TFJS_DEVIATIONS },
  tfWasm: { label: 'TF.js wasm', supports: tfjsSupports, create: (key, problem) => tfjsOptimizer('wasm', key, problem), deviations: TFJS_DEVIATIONS },
  jax: { label: 'jax-js wasm (jit)', supports: jaxSupports, create: jaxOptimizer },
};
