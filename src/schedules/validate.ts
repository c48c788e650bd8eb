import { describe } from '../describe.js';

// Option checks for the schedule factories, run before anything is built. TypeError for the wrong type,
// RangeError for a value out of range; the message names the factory, the option and the value, in the
// words src/optim/validate.ts uses for optimizer options.

function typeError(where: string, name: string, value: unknown, want: string): TypeError {
  return new TypeError(`${where}: option ${name} must be ${want}, got ${describe(value)}`);
}

function rangeError(where: string, name: string, value: unknown, want: string): RangeError {
  return new RangeError(`${where}: invalid ${name} = ${describe(value)}: must be ${want}`);
}

/** `options` as a plain record, after checking it is an object holding only `known` keys. */
export function readOptions(where: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`${where}: unknown option ${describe(key)} (${where} takes ${known.join(', ')})`);
  }
  return options as Record<string, unknown>;
}

export function finite(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw typeError(where, name, value, 'a number');
  if (!Number.isFinite(value)) throw rangeError(where, name, value, 'a finite number');
  return value;
}

/** A finite number > 0: the options torch divides by. */
export function positive(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw typeError(where, name, value, 'a number');
  if (!(Number.isFinite(value) && value > 0)) throw rangeError(where, name, value, 'a finite number > 0');
  return value;
}

export function atLeast(where: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number') throw typeError(where, name, value, 'a number');
  if (!(Number.isFinite(value) && value >= min)) throw rangeError(where, name, value, `a finite number >= ${min}`);
  return value;
}

/** A number in [lo, hi], or [lo, hi) when `openHigh`. */
export function between(where: string, name: string, value: unknown, lo: number, hi: number, openHigh = false): number {
  if (typeof value !== 'number') throw typeError(where, name, value, 'a number');
  if (!(value >= lo && (openHigh ? value < hi : value <= hi))) throw rangeError(where, name, value, `in [${lo}, ${hi}${openHigh ? ')' : ']'}`);
  return value;
}

/** An integer >= min (torch's step counts and periods). */
export function integer(where: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number') throw typeError(where, name, value, 'a number');
  if (!(Number.isSafeInteger(value) && value >= min)) throw rangeError(where, name, value, `an integer >= ${min}`);
  return value;
}

export function flag(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw typeError(where, name, value, 'a boolean');
  return value;
}

export function choice<T extends string>(where: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string') throw typeError(where, name, value, choices.map((c) => `'${c}'`).join(' or '));
  if (!choices.includes(value as T)) throw rangeError(where, name, value, `one of ${choices.map((c) => `'${c}'`).join(', ')}`);
  return value as T;
}

export function fn<F>(where: string, name: string, value: unknown): F {
  if (typeof value !== 'function') throw typeError(where, name, value, 'a function');
  return value as F;
}

/** The value a schedule is stepped from: a finite number (the hyperparameter's current value). */
export function current(where: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${where}: current must be a number, got ${describe(value)}`);
  if (!Number.isFinite(value)) throw new RangeError(`${where}: invalid current = ${describe(value)}: must be a finite number`);
  return value;
}

/**
 * What a user function (LambdaLR's `lrLambda`, CyclicLR's `scaleFn`) returned for `arg`, which must be a
 * finite number: arithmetic would turn null into 0, '2' into 2 and [3] into 3 without a word.
 */
export function returned(where: string, name: string, arg: number, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${where}: ${name}(${arg}) returned ${describe(value)}: it must return a finite number`);
  if (!Number.isFinite(value)) throw new RangeError(`${where}: ${name}(${arg}) returned ${describe(value)}: it must return a finite number`);
  return value;
}
