import type * as mirrors from '../kernels/index.js';

/**
 * A JS mirror takes the heap's views first: `_f64` kernels one Float64Array, the float32 kernels a
 * Float32Array and a Uint32Array (for the segment table) over the same bytes. The wasm export it
 * mirrors finds the heap in its own memory, so it takes only what follows.
 */
type WithoutHeap<F> = F extends (h: Float64Array, ...args: infer A) => infer R
  ? (...args: A) => R
  : F extends (h: Float32Array, u: Uint32Array, ...args: infer A) => infer R
    ? (...args: A) => R
    : never;

/** The one interface both backends implement: every kernel by name, taking byte offsets into the heap. */
export type Kernels = { readonly [K in keyof typeof mirrors]: WithoutHeap<(typeof mirrors)[K]> };

export type BackendName = 'simd' | 'js';

/**
 * A backend owns one heap (a wasm memory or an ArrayBuffer) and the kernels that work on it.
 * Where `viewsStable` holds (a shared wasm memory, a resizable ArrayBuffer), growth keeps every view
 * valid: `buffer` may change identity (a shared memory hands out a longer SharedArrayBuffer), but the
 * bytes never move and old views keep working. Elsewhere growth detaches every view, as wasm's
 * `memory.grow` does to a non-shared memory, and views must be re-derived from `buffer`.
 */
export interface Backend {
  readonly name: BackendName;
  /** Writable so that bench/ can record the calls `step()` makes. */
  kernels: Kernels;
  /** First byte the host may allocate. */
  readonly heapBase: number;
  readonly viewsStable: boolean;
  /** The most bytes the heap may ever hold. */
  readonly maxBytes: number;
  readonly buffer: ArrayBufferLike;
  /**
   * Counts the growths of the heap: a view made at the same generation is over the current buffer.
   * Cheaper to compare than `buffer` (a wasm memory's `buffer` getter costs ~25 ns).
   */
  readonly generation: number;
  /** Grows the heap to hold at least `bytes`. False, with nothing changed, when it cannot. */
  grow(bytes: number): boolean;
  /** Threads that step a split group (1: this thread alone). */
  threads?: number;
  /** Groups of at least this many elements are split across the threads. */
  splitThreshold?: number;
  /** Split groups: segment table's byte offset → the plan's (threads.ts). */
  plans?: Map<number, number>;
  /** Ends what the backend started (worker threads). */
  dispose?(): void;
  /** The worker threads, when the backend has them (threads.ts). */
  pool?: { readonly canBlock: boolean; runAsync<T>(work: () => T): Promise<T>; checkStep(split: boolean): void };
}

export const PAGE = 65536;
/** wasm32's limit, and the default maximum of every heap: 65,536 pages of 64 KiB. */
export const MAX_BYTES = 65536 * PAGE;
