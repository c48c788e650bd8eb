import type { Backend } from '../backend/kernels.js';

const ALIGN = 16; // one v128: every region starts where a SIMD load is naturally aligned

export const alignUp = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

/**
 * First-fit allocator over the backend's heap, with a coalescing free list. Offsets are bytes; sizes
 * are rounded to 16. Nothing it hands out ever moves. An allocation either succeeds or throws a
 * RangeError and changes nothing; `atomically` extends that to a whole operation's allocations.
 */
export class Arena {
  readonly #backend: Backend;
  #live = new Map<number, number>(); // offset -> size
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

  /**
   * Whether the last allocation lay wholly above every earlier high-water mark: memory never handed
   * out before, which growth filled with zeros (wasm's memory.grow and ArrayBuffer.resize both do), so
   * it need not be zeroed again.
   */
  lastWasFresh = false;

  /** `what` names the allocation in the error if memory runs out ("tensor 'w'", "Adam param group 0 state 'expAvg'"). */
  alloc(bytes: number, what = 'an allocation'): number {
    const size = alignUp(Math.max(bytes, ALIGN));
    this.lastWasFresh = false;
    const i = this.#free.findIndex((block) => block.size >= size);
    let offset: number;
    if (i >= 0) {
      const block = this.#free[i];
      offset = block.offset;
      if (block.size === size) this.#free.splice(i, 1);
      else this.#free[i] = { offset: offset + size, size: block.size - size };
    } else {
      offset = this.#top;
      const top = offset + size;
      if (top > this.#backend.buffer.byteLength && !this.#backend.grow(top)) {
        throw new RangeError(
          `ravine: out of memory: ${what} needs ${size} bytes, but the heap holds ${this.#backend.buffer.byteLength} bytes ` +
            `(${this.bytesInUse} in use) and can grow to at most ${this.#backend.maxBytes} (createRavine's maxBytes)`,
        );
      }
      this.#top = top;
      this.lastWasFresh = offset >= this.#highWater;
      this.#highWater = Math.max(this.#highWater, top);
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

  /**
   * Runs `allocate`; if it throws, every allocation it made is undone and the arena is exactly as it
   * was (the heap may have grown; nothing in it changed). For operations that allocate several regions
   * and must not be left half done: allocate everything first, inside this, then write.
   */
  atomically<T>(allocate: () => T): T {
    const live = new Map(this.#live),
      free = this.#free.map((b) => ({ ...b })),
      top = this.#top,
      highWater = this.#highWater;
    try {
      return allocate();
    } catch (e) {
      // Memory above the old high-water mark is zero by invariant (see lastWasFresh): keep it so.
      if (this.#highWater > highWater) new Uint8Array(this.#backend.buffer, highWater, this.#highWater - highWater).fill(0);
      this.#live = live;
      this.#free = free;
      this.#top = top;
      this.#highWater = highWater;
      throw e;
    }
  }
}
