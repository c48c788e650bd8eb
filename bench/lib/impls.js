// Every implementation the suites compare, by name. `create(key, problem)` returns a runner
// ({ step, params, dispose }); `supports(key)` says whether it has optimizer `key` at all.
import { naiveLoop, naiveSupports } from './naive.js';
import { bareKernel, ravineStep } from './ravine.js';

const all = () => true;

export const IMPLS = {
  simd: { label: 'ravine simd', supports: all, create: (key, problem) => ravineStep('simd', key, problem) },
  js: { label: 'ravine js', supports: all, create: (key, problem) => ravineStep('js', key, problem) },
  bareSimd: { label: 'bare kernel loop (simd)', supports: all, create: (key, problem) => bareKernel('simd', key, problem) },
  bareJs: { label: 'bare kernel loop (js)', supports: all, create: (key, problem) => bareKernel('js', key, problem) },
  perTensorSimd: { label: 'ravine simd, group per tensor', supports: all, create: (key, problem) => ravineStep('simd', key, problem, 'per-tensor') },
  naive: { label: 'naive JS loop', supports: naiveSupports, create: naiveLoop },
};
