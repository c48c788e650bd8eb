import type { Kernels } from '../backend/kernels.js';
import type { Context } from '../context.js';

/**
 * The float64 vectors of one run, allocated up front in a context's arena (so nothing grows the heap
 * mid-run), named by byte offset for the kernels. `h` is re-derived whenever the heap's buffer changes.
 */
export class Workspace {
  readonly n: number;
  readonly k: Kernels;
  readonly #ctx: Context;
  readonly #blocks: number[] = [];
  #h: Float64Array;

  /** `what` names the user of the workspace in an out-of-memory error. */
  constructor(
    ctx: Context,
    n: number,
    readonly what = 'a workspace',
  ) {
    this.#ctx = ctx;
    this.n = n;
    this.k = ctx.backend.kernels;
    this.#h = new Float64Array(ctx.backend.buffer);
  }

  /** A zero-filled block of `count` float64 (default n); returns its byte offset. */
  alloc(count = this.n): number {
    const at = this.#ctx.arena.alloc(8 * count, `${this.what} (float64 vectors of ${this.n})`);
    this.#blocks.push(at);
    this.h.fill(0, at >>> 3, (at >>> 3) + count);
    return at;
  }

  /** A Float64Array over the whole heap. */
  get h(): Float64Array {
    const buffer = this.#ctx.backend.buffer;
    if (this.#h.buffer !== buffer) this.#h = new Float64Array(buffer);
    return this.#h;
  }

  /** A view of `count` float64 at byte offset `at` (valid until the heap grows). */
  view(at: number, count = this.n): Float64Array {
    return new Float64Array(this.#ctx.backend.buffer, at, count);
  }

  copy(to: number, from: number, count = this.n): void {
    if (to !== from) this.h.copyWithin(to >>> 3, from >>> 3, (from >>> 3) + count);
  }

  /** ‖v‖₂ */
  norm(at: number): number {
    return Math.sqrt(this.k.dot_f64(at, at, this.n));
  }

  dispose(): void {
    for (const at of this.#blocks.splice(0)) this.#ctx.arena.free(at);
  }
}
