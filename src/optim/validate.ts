import { describe } from '../ravine.js';

// Option checks, run at construction and again at every step() before anything is written, so that an
// option changed between steps is checked too. TypeError for the wrong type, RangeError for a value out
// of range; the message names the optimizer, the option and the value.

function typeError(where: string, name: string, value: unknown, want: string): TypeError {
  return new TypeError(`${where}: option ${name} must be ${want}, got ${describe(value)}`);
}

function rangeError(where: string, name: string, value: unknown, want: string): RangeError {
  return new RangeError(`${where}: invalid ${name} = ${describe(value)}: must be ${want}`);
}

/** A finite number >= min. */
export function atLeast(where: string, name: string, value: unknown, min: number): void {
  if (typeof value !== 'number') throw typeError(where, name, value, 'a number');
  if (!Number.isFinite(value) || value < min) throw rangeError(where, name, value, `a finite number >= ${min}`);
}

/** A finite number in [0, 1] (or [0, 1) when `open`). */
export function unit(where: string, name: string, value: unknown, open: boolean): void {
  if (typeof value !== 'number') throw typeError(where, name, value, 'a number');
  if (!(value >= 0 && (open ? value < 1 : value <= 1))) throw rangeError(where, name, value, open ? 'in [0, 1)' : 'in [0, 1]');
}

export function finite(where: string, name: string, value: unknown): void {
  if (typeof value !== 'number') throw typeError(where, name, value, 'a number');
  if (!Number.isFinite(value)) throw rangeError(where, name, value, 'a finite number');
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
