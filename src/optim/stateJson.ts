// A state dict that survives JSON. JSON has no NaN, no ±Infinity and no −0, and turns a Float32Array
// into an object of decimal strings, so `JSON.stringify(opt.stateDict())` writes each float32 buffer as
// `{ "float32": "<base64 of its little-endian IEEE-754 bytes>" }` — every bit kept (NaN payloads
// included), 5.3 characters a float — the encoding the reference data in test/fixtures uses.
// `loadStateDict` reads it back.

/** One float32 buffer as JSON carries it. */
export interface EncodedFloat32 {
  readonly float32: string;
}

const CHUNK = 0x8000; // String.fromCharCode takes its bytes as arguments: keep each call small

export function encodeFloat32(values: Float32Array): EncodedFloat32 {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return { float32: btoa(binary) };
}

export function isEncodedFloat32(value: unknown): value is EncodedFloat32 {
  return typeof value === 'object' && value !== null && typeof (value as EncodedFloat32).float32 === 'string';
}

/** The floats of `encoded`, or a string saying why they are not (not base64, or not whole floats). */
export function decodeFloat32(encoded: EncodedFloat32): Float32Array | string {
  let binary: string;
  try {
    binary = atob(encoded.float32);
  } catch {
    return 'not base64';
  }
  if (binary.length % 4 !== 0) return `${binary.length} bytes, not a whole number of float32s`;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** A deep copy of `value` with every Float32Array encoded: what `JSON.stringify` writes for a state dict. */
export function stateToJson(value: unknown): unknown {
  if (value instanceof Float32Array) return encodeFloat32(value);
  if (Array.isArray(value)) return value.map(stateToJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, stateToJson(v)]));
  }
  return value;
}
