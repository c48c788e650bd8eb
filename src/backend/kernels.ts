import type * as mirrors from '../kernels/index.js';

/**
 * A JS mirror takes the heap first (a Float32Array, or a Float64Array for `_f64` kernels); the wasm
 * export it mirrors finds the heap in its own memory.
 */
type WithoutHeap<F> = F extends (heap: infer _Heap, ...args: infer A) => infer R ? (...args: A) => R : never;

/** The one interface both backends implement: every kernel by name, taking byte offsets into the heap. */
export type Kernels = { readonly [K in keyof typeof mirrors]: WithoutHeap<(typeof mirrors)[K]> };

export type BackendName = 'simd' | 'js';

/**
 * A backend owns one heap (a wasm memory or an ArrayBuffer) and the kernels that work on it.
 * `buffer` changes identity whenever the heap grows or views are invalidated: re-derive views from it.
 */
export interface Backend {
  readonly name: BackendName;
  readonly kernels: Kernels;
  /** First byte the host may allocate. */
  readonly heapBase: number;
  readonly buffer: ArrayBuffer;
  /** Grows the heap to at least `bytes`; detaches every existing view. */
  grow(bytes: number): void;
  /** Detaches every existing view without growing (so a stale view fails loudly, length 0). */
  invalidateViews(): void;
}
