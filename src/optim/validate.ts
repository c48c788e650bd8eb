import { describe } from '../describe.js';

// Option checks, run at construction and again at every step() before anything is written, so that an
// option changed between steps is checked too. TypeError for the wrong type, RangeError for a value out
// of range; the message names the optimizer, the option and the value.
//
// Every number option must be finite as a float32, not only as a double: the kernels take their scalars
// in float32, where 1e39 is Infinity (torch, too, casts them to the parameters' float32). The scalars
// derived from them (lr / biasCorrection1, 1 − lr·weightDecay) are checked in step() (optimizer.ts).

function typeError(where: string, name: string, value: unknown, want: string): TypeError {
  return new TypeError(`${where}: option ${name} must be ${want}, got ${describe(value)}`);
}

function rangeError(where: string, name: string, value: unknown, want: string): RangeError {
  return new RangeError(`${where}: invalid ${name} = ${describe(value)}: must be ${want}`);
}

/** The largest finite float32: a number more than half an ulp above it (3.4028235677973366e38) rounds to Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;
const IN_FLOAT32 = `finite in float32 (rounding to at most ${FLOAT32_MAX} in magnitude)`;

/** A float32 holds it: rounding to float32 leaves it finite (torch casts these options to float32). */
const float32Finite = (value: number) => Number.isFinite(Math.fround(value));

/**
 * A number >= min, finite in float32; with `double`, finite as a double only: for an option that enters
 * only double arithmetic on the host (ASGD's t0, Adagrad's lrDecay, NAdam's momentumDecay, LBFGS's).
 */
export function atLeast(where: string, name: string, value: unknown, min: number, double = false): void {
  if (typeof value !== 'number') throw typeError(where, name, value, 'a number');
  if (double ? !Number.isFinite(value) || value < min : !float32Finite(value) || value < min) {
    throw rangeError(where, name, value, double ? `a finite number >= ${min}` : `a number >= ${min}, ${IN_FLOAT32}`);
  }
}

/** A finite number in [0, 1] (or [0, 1) when `open`). */
export function unit(where: string, name: string, value: unknown, open: boolean): void {
  if (typeof value !== 'number') throw typeError(where, name, value, 'a number');
  if (!(value >= 0 && (open ? value < 1 : value <= 1))) throw rangeError(where, name, value, open ? 'in [0, 1)' : 'in [0, 1]');
}

/** A number finite in float32 (with `double`, finite as a double: see atLeast). */
export function finite(where: string, name: string, value: unknown, double = false): void {
  if (typeof value !== 'number') throw typeError(where, name, value, 'a number');
  if (double ? !Number.isFinite(value) : !float32Finite(value)) throw rangeError(where, name, value, double ? 'a finite number' : `a number ${IN_FLOAT32}`);
}

export function flag(where: string, name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw typeError(where, name, value, 'a boolean');
}

/** torch's `betas`: two numbers, each in [0, 1). */
export function betas(where: string, value: unknown): void {
  if (!Array.isArray(value) || value.length !== 2) throw typeError(where, 'betas', value, 'an array of two numbers');
  unit(where, 'betas[0]', value[0], true);
  unit(where, 'betas[1]', value[1], true);
}

/** torch's Rprop `etas`: (etaminus, etaplus) with 0 < etaminus < 1 < etaplus, both nonzero and finite in float32. */
export function etas(where: string, value: unknown): void {
  if (!Array.isArray(value) || value.length !== 2) throw typeError(where, 'etas', value, 'an array of two numbers');
  const [minus, plus] = value as unknown[];
  if (typeof minus !== 'number') throw typeError(where, 'etas[0]', minus, 'a number');
  if (typeof plus !== 'number') throw typeError(where, 'etas[1]', plus, 'a number');
  if (!(minus > 0 && minus < 1) || Math.fround(minus) === 0) throw rangeError(where, 'etas[0]', minus, 'in (0, 1), and not 0 in float32');
  if (!(plus > 1) || !float32Finite(plus)) throw rangeError(where, 'etas[1]', plus, '> 1, and finite in float32');
}

/** torch's Rprop `step_sizes`: (min, max), 0 ≤ min ≤ max, finite in float32. */
export function stepSizes(where: string, value: unknown): void {
  if (!Array.isArray(value) || value.length !== 2) throw typeError(where, 'stepSizes', value, 'an array of two numbers');
  (value as unknown[]).forEach((v, i) => {
    if (typeof v !== 'number') throw typeError(where, `stepSizes[${i}]`, v, 'a number');
    if (!(v >= 0) || !float32Finite(v)) throw rangeError(where, `stepSizes[${i}]`, v, 'a number >= 0, finite in float32');
  });
  if (value[0] > value[1]) throw rangeError(where, 'stepSizes', value, 'ordered [min, max], min <= max');
}
