import { describe } from '../describe.js';
import { rowNamed, type ImplementationOption } from './table.js';

// torch 2.13's options that choose how torch computes a step rather than what it computes: `foreach`
// (one kernel over a list of tensors), `fused` (one fused kernel per step), `capturable` (CUDA graph
// capture) and `differentiable` (autograd through the step). ravine has one implementation per backend,
// bit for bit torch's single-tensor one (torch's default for CPU tensors; its foreach path gives the same
// numbers). So each is accepted where torch accepts it, with the value that asks for what ravine does, and
// dropped; a value asking for something else is refused, saying why. They are not kept in paramGroups.

/** Why a true value is refused. */
const WHY: Readonly<Record<Exclude<ImplementationOption, 'foreach'>, string>> = {
  fused:
    "torch's fused kernels round differently (fused multiply-adds); ravine reproduces its single-tensor implementation, which fused: false or null selects",
  capturable: 'it asks for CUDA graph capture, and ravine steps on the CPU or in WebAssembly',
  differentiable: "it asks for autograd through the step, and ravine's steps are not differentiable",
};

/**
 * Whether `key` is an implementation option `optimizer` takes: then `value` is checked (a boolean or
 * null; true refused, except for foreach) and the caller drops the key. False for any other key.
 */
export function implementationOption(where: string, optimizer: string, key: string, value: unknown): boolean {
  if (!(rowNamed(optimizer)?.torch?.implementation ?? []).includes(key as ImplementationOption)) return false;
  if (value !== null && typeof value !== 'boolean') throw new TypeError(`${where}: option ${key} must be a boolean or null, got ${describe(value)}`);
  if (value === true && key !== 'foreach') throw new RangeError(`${where}: ${key}: true is not supported: ${WHY[key as keyof typeof WHY]}`);
  return true;
}

/** torch 2.13's value of each implementation option `optimizer` takes, as its param groups hold them (foreach and fused: None). */
export function implementationDefaults(optimizer: string): Record<string, boolean | null> {
  return Object.fromEntries((rowNamed(optimizer)?.torch?.implementation ?? []).map((key) => [key, key === 'foreach' || key === 'fused' ? null : false]));
}
