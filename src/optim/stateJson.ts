// A state dict that survives JSON. JSON has no NaN, no ±Infinity and no −0, and turns a Float32Array
// into an object of decimal strings, so `JSON.stringify(opt.stateDict())` writes each float32 buffer as
// `{ "float32": "<base64 of its little-endian IEEE-754 bytes>" }` — every bit kept (NaN payloads
// included), 5.3 characters a float — the encoding the reference data in test/fixtures uses. A
// Float64Array (L-BFGS keeps its history in float64) is written the same way as `{ "float64": ... }`.
// `loadStateDict` reads it back.
//
// The bytes are taken from, and put back into, the typed array's memory as they lie: host order, which
// is little-endian wherever ravine runs (wasm memory is little-endian by specification, and ravine's
// Float32Array views into it only read right on a little-endian host).

/** One float32 buffer as JSON carries it. */
export interface EncodedFloat32 {
  readonly float32: string;
}

/** One float64 buffer as JSON carries it. */
export interface EncodedFloat64 {
  readonly float64: string;
}

const CHUNK = 0x8000; // String.fromCharCode takes its bytes as arguments: keep each call small

function base64Of(values: Float32Array | Float64Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** The bytes of `base64` whole `width`-byte floats, or a string saying why they are not. */
function bytesOf(base64: string, width: 4 | 8): ArrayBuffer | string {
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    return 'not base64';
  }
  if (binary.length % width !== 0) return `${binary.length} bytes, not a whole number of float${width * 8}s`;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

export function encodeFloat32(values: Float32Array): EncodedFloat32 {
  return { float32: base64Of(values) };
}

export function encodeFloat64(values: Float64Array): EncodedFloat64 {
  return { float64: base64Of(values) };
}

export function isEncodedFloat32(value: unknown): value is EncodedFloat32 {
  return typeof value === 'object' && value !== null && typeof (value as EncodedFloat32).float32 === 'string';
}

export function isEncodedFloat64(value: unknown): value is EncodedFloat64 {
  return typeof value === 'object' && value !== null && typeof (value as EncodedFloat64).float64 === 'string';
}

/** The floats of `encoded`, or a string saying why they are not (not base64, or not whole floats). */
export function decodeFloat32(encoded: EncodedFloat32): Float32Array | string {
  const bytes = bytesOf(encoded.float32, 4);
  return typeof bytes === 'string' ? bytes : new Float32Array(bytes);
}

/** The doubles of `encoded`, or a string saying why they are not (not base64, or not whole doubles). */
export function decodeFloat64(encoded: EncodedFloat64): Float64Array | string {
  const bytes = bytesOf(encoded.float64, 8);
  return typeof bytes === 'string' ? bytes : new Float64Array(bytes);
}

/**
 * A deep copy of `value` with every Float32Array and Float64Array encoded: what `JSON.stringify`
 * writes for a state dict.
 */
export function stateToJson(value: unknown): unknown {
  if (value instanceof Float32Array) return encodeFloat32(value);
  if (value instanceof Float64Array) return encodeFloat64(value);
  if (Array.isArray(value)) return value.map(stateToJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, stateToJson(v)]));
  }
  return value;
}
