import type { Kernels } from '../backend/kernels.js';
import type { Context } from '../context.js';
import { alignUp } from '../memory/arena.js';

/** Multiply-adds (m·k·n) from which a product is split across the threads: below, a job costs more than it saves. */
export const SPLIT_PRODUCT = 1 << 19;

const TASK_BYTES = 32;

/**
 * Matrix products for an optimizer that works on weight matrices (Muon), split by rows across the
 * context's threads when they are big: thread j computes a block of rows of C with a panel of its own.
 * Every element keeps its summation order (assembly/matmul.ts), so the split changes no bit. Its memory
 * (panels, the task table, the thread plan) is reserved for the largest inner dimension it will see,
 * before anything needs it, and only grows.
 */
export class Products {
  readonly #ctx: Context;
  readonly #threads: number;
  /** Byte offsets: the task table (a task per thread), the thread plan, the first panel; −1 before reserve(). */
  #tasks = -1;
  #plan = -1;
  #panels = -1;
  #panelBytes = 0;

  constructor(ctx: Context) {
    this.#ctx = ctx;
    this.#threads = ctx.backend.threads ?? 1;
  }

  /** Makes room for products whose inner dimension is up to `k`. */
  reserve(k: number): void {
    const panelBytes = alignUp(32 * Math.max(1, k));
    if (panelBytes <= this.#panelBytes) return;
    const threads = this.#threads,
      arena = this.#ctx.arena;
    const at = arena.alloc(TASK_BYTES * threads + alignUp(8 * threads) + panelBytes * threads, 'matrix products (panels and thread plan)');
    this.free();
    this.#tasks = at;
    this.#plan = at + TASK_BYTES * threads;
    this.#panels = this.#plan + alignUp(8 * threads);
    this.#panelBytes = panelBytes;
  }

  /** C (m×n) = A (m×k) · B (k×n), byte offsets, on every thread when it is big enough. */
  matmul(kernels: Kernels, a: number, b: number, c: number, m: number, k: number, n: number): void {
    const threads = this.#threads;
    if (threads === 1 || m < 8 || m * k * n < SPLIT_PRODUCT) {
      kernels.matmul_f32(a, b, c, m, k, n, this.#panels);
      return;
    }
    const u32 = this.#ctx.heapU32;
    // Row blocks of near-equal size, each a multiple of four rows (the kernel's register block) but the last.
    let row = 0;
    for (let j = 0; j < threads; j++) {
      const end = j === threads - 1 ? m : Math.min(m, row + (Math.round((m - row) / (threads - j) / 4) * 4 || 4));
      const task = (this.#tasks >>> 2) + 8 * j;
      u32[task] = a + 4 * row * k;
      u32[task + 1] = b;
      u32[task + 2] = c + 4 * row * n;
      u32[task + 3] = end - row;
      u32[task + 4] = k;
      u32[task + 5] = n;
      u32[task + 6] = this.#panels + j * this.#panelBytes;
      u32[(this.#plan >>> 2) + 2 * j] = this.#tasks + TASK_BYTES * j;
      u32[(this.#plan >>> 2) + 2 * j + 1] = end > row ? 1 : 0;
      row = end;
    }
    const plans = this.#ctx.backend.plans!;
    plans.set(this.#tasks, this.#plan);
    try {
      kernels.matmulTasks_f32(this.#tasks, threads);
    } finally {
      plans.delete(this.#tasks);
    }
  }

  free(): void {
    if (this.#tasks >= 0 && !this.#ctx.disposed) this.#ctx.arena.free(this.#tasks);
    this.#tasks = this.#plan = this.#panels = -1;
    this.#panelBytes = 0;
  }
}
