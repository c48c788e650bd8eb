// How an error message shows a value it refuses: strings quoted, numbers, booleans and null as they
// are, arrays element by element, anything else by its type (Float32Array, Promise, Object). A leaf
// module: every file that validates imports it, and it imports nothing.

/** `value` as an error message shows it. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  return Object.prototype.toString.call(value).slice(8, -1);
}
