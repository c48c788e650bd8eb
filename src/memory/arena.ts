import type { Backend } from '../backend/kernels.js';

const ALIGN = 16; // one v128: every region starts where a SIMD load is naturally aligned

export const alignUp = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

/**
 * First-fit allocator over the backend's heap, with coalescing free list. Offsets are bytes; sizes
 * are rounded to 16. Growing the heap detaches views, so callers re-derive them from `backend.buffer`.
 */
export class Arena {
  readonly #backend: Backend;
  readonly #live = new Map<number, number>(); // offset -> size
  #free: { offset: number; size: number }[] = [];
  #top: number;
  #highWater: number;

  constructor(backend: Backend) {
    this.#backend = backend;
    this.#top = alignUp(backend.heapBase);
    this.#highWater = this.#top;
  }

  /** Bytes in use now, and the most the heap has ever had to hold. */
  get bytesInUse(): number {
    let total = 0;
    for (const size of this.#live.values()) total += size;
    return total;
  }
  get highWater(): number {
    return this.#highWater;
  }

  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, ALIGN));
    const i = this.#free.findIndex((block) => block.size >= size);
    let offset: number;
    if (i >= 0) {
      const block = this.#free[i];
      offset = block.offset;
      if (block.size === size) this.#free.splice(i, 1);
      else this.#free[i] = { offset: offset + size, size: block.size - size };
    } else {
      offset = this.#top;
      this.#top += size;
      if (this.#top > this.#backend.buffer.byteLength) this.#backend.grow(this.#top);
      this.#highWater = Math.max(this.#highWater, this.#top);
    }
    this.#live.set(offset, size);
    return offset;
  }

  free(offset: number): void {
    const size = this.#live.get(offset);
    if (size === undefined) throw new Error(`ravine: internal error: free of unallocated offset ${offset}`);
    this.#live.delete(offset);
    const free = this.#free;
    let i = 0;
    while (i < free.length && free[i].offset < offset) i++;
    free.splice(i, 0, { offset, size });
    // Coalesce with the following block, then with the preceding one.
    if (i + 1 < free.length && offset + size === free[i + 1].offset) {
      free[i].size += free[i + 1].size;
      free.splice(i + 1, 1);
    }
    if (i > 0 && free[i - 1].offset + free[i - 1].size === offset) {
      free[i - 1].size += free[i].size;
      free.splice(i, 1);
      i--;
    }
    // A free block at the top returns to the bump region.
    const last = free[free.length - 1];
    if (last && last.offset + last.size === this.#top) {
      this.#top = last.offset;
      free.pop();
    }
  }
}
