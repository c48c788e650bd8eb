import { describe } from '../describe.js';
import { atLeast, finite } from './validate.js';

// LBFGS's options: what they are, their defaults, and the checks run at construction, at every step()
// and on a loaded state dict's param group.

export interface LBFGSOptions {
  lr: number;
  /** Iterations per `step()`. */
  maxIter: number;
  /** Closure evaluations per `step()`; default maxIter·5/4 (floored), as torch. */
  maxEval: number | null;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  /** null: fixed steps of lr; 'strongWolfe' (torch's 'strong_wolfe' also accepted). */
  lineSearchFn: 'strongWolfe' | 'strong_wolfe' | null;
}

export const DEFAULTS: LBFGSOptions = {
  lr: 1,
  maxIter: 20,
  maxEval: null,
  toleranceGrad: 1e-7,
  toleranceChange: 1e-9,
  historySize: 100,
  lineSearchFn: null,
};

export const MAX_HISTORY = 10_000;

/** `base` overlaid with `options`: own, known keys only ('toString' is not an option because Object.prototype has it); undefined means the default. */
export function mergeOptions(base: LBFGSOptions, options: object, where: string): LBFGSOptions {
  const given: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(DEFAULTS, key)) throw new TypeError(`${where}: unknown option ${describe(key)} (LBFGS takes ${Object.keys(DEFAULTS).join(', ')})`);
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) given[key] = value;
  }
  return { ...base, ...given } as LBFGSOptions;
}

export function checkOptions(where: string, o: LBFGSOptions): void {
  atLeast(where, 'lr', o.lr, 0, true); // LBFGS computes in doubles
  if (!Number.isInteger(o.maxIter) || o.maxIter < 1) throw new RangeError(`${where}: invalid maxIter = ${describe(o.maxIter)}: must be an integer >= 1`);
  // The history is reserved up front, (2·historySize + 9)·n float64: bound it, so a typo cannot hang.
  if (!Number.isInteger(o.historySize) || o.historySize < 1 || o.historySize > MAX_HISTORY) {
    throw new RangeError(`${where}: invalid historySize = ${describe(o.historySize)}: must be an integer in [1, ${MAX_HISTORY}]`);
  }
  if (o.maxEval !== null && (!Number.isInteger(o.maxEval) || o.maxEval < 1)) {
    throw new RangeError(`${where}: invalid maxEval = ${describe(o.maxEval)}: must be an integer >= 1, or null`);
  }
  atLeast(where, 'toleranceGrad', o.toleranceGrad, 0, true);
  atLeast(where, 'toleranceChange', o.toleranceChange, 0, true);
  finite(where, 'lr', o.lr, true);
  if (o.lineSearchFn !== null && o.lineSearchFn !== 'strongWolfe' && o.lineSearchFn !== 'strong_wolfe') {
    throw new RangeError(`${where}: invalid lineSearchFn = ${describe(o.lineSearchFn)}: must be null or 'strongWolfe'`);
  }
}
