import { describe } from '../describe.js';
import { decodeFloat32, decodeFloat64, isEncodedFloat32, isEncodedFloat64, type EncodedFloat32, type EncodedFloat64 } from './stateJson.js';

// A buffer read back from a state dict, in any of the forms a dict reaches loadStateDict in: the typed
// array stateDict() wrote, a plain array of numbers, or the { float32 | float64: base64 } JSON writes.

interface FloatKind<A extends Float32Array | Float64Array, E> {
  /** Float32Array or Float64Array */
  readonly Array: { new (length: number): A; from(values: readonly number[]): A; readonly name: string };
  /** the key of its JSON encoding */
  readonly key: 'float32' | 'float64';
  /** what the error messages call its elements */
  readonly unit: 'floats' | 'doubles';
  isEncoded(value: unknown): value is E;
  /** the values of an encoding, or a string saying why there are none */
  decode(encoded: E): A | string;
}

const FLOAT32: FloatKind<Float32Array, EncodedFloat32> = {
  Array: Float32Array,
  key: 'float32',
  unit: 'floats',
  isEncoded: isEncodedFloat32,
  decode: decodeFloat32,
};
const FLOAT64: FloatKind<Float64Array, EncodedFloat64> = {
  Array: Float64Array,
  key: 'float64',
  unit: 'doubles',
  isEncoded: isEncodedFloat64,
  decode: decodeFloat64,
};

/** A saved buffer's floats, checked: its kind, its length, every element a number. `orNull`: the caller also takes null, and the error says so. */
function readFloats<A extends Float32Array | Float64Array, E>(kind: FloatKind<A, E>, what: string, value: unknown, size: number, orNull: boolean): A {
  let values: A;
  if (value instanceof kind.Array) {
    values = value;
  } else if (kind.isEncoded(value)) {
    const decoded = kind.decode(value);
    if (typeof decoded === 'string') throw new TypeError(`${what} is { ${kind.key} } but ${decoded}`);
    values = decoded;
  } else if (Array.isArray(value)) {
    const bad = value.findIndex((v) => typeof v !== 'number');
    if (bad >= 0) throw new TypeError(`${what}[${bad}] must be a number, got ${describe(value[bad])}`);
    values = kind.Array.from(value);
  } else {
    const forms = orNull ? `, { ${kind.key}: base64 } or null` : ` or { ${kind.key}: base64 }`;
    throw new TypeError(`${what} must be a ${kind.Array.name}, an array of numbers${forms}, got ${describe(value)}`);
  }
  if (values.length !== size) throw new RangeError(`${what} must hold ${size} ${kind.unit}, got ${values.length}`);
  return values;
}

/**
 * A saved float32 buffer of `size` floats. Its error names null too unless `orNull` is false: the
 * optimizers' loadStateDict takes null for a buffer not yet written (and handles it before calling).
 */
export function readFloat32(what: string, value: unknown, size: number, orNull = true): Float32Array {
  return readFloats(FLOAT32, what, value, size, orNull);
}

/** A saved float64 vector of `size` doubles (L-BFGS's history). */
export function readFloat64(what: string, value: unknown, size: number): Float64Array {
  return readFloats(FLOAT64, what, value, size, false);
}
