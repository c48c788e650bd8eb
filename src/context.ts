import type { Backend } from './backend/kernels.js';
import { Arena, alignUp } from './memory/arena.js';
import { Tensor, type ExternalArrays } from './tensor.js';

/**
 * What a ravine context owns: one backend (heap + kernels), the arena over its heap, and the tensors
 * living there. Internal: users hold a `Ravine`, which exposes the public part of this.
 */
export class Context {
  readonly backend: Backend;
  readonly arena: Arena;
  readonly #names = new Set<string>();
  #generation = -1;
  #f32: Float32Array | null = null;
  #u32: Uint32Array | null = null;
  disposed = false;

  constructor(backend: Backend) {
    this.backend = backend;
    this.arena = new Arena(backend);
  }

  #views(): void {
    if (this.#generation === this.backend.generation && this.#f32) return;
    this.#generation = this.backend.generation;
    const buffer = this.backend.buffer;
    this.#f32 = new Float32Array(buffer);
    this.#u32 = new Uint32Array(buffer);
  }

  /** A Float32Array over the whole heap (re-derived when the heap's buffer changes). */
  get heap(): Float32Array {
    this.#views();
    return this.#f32!;
  }

  /** A Uint32Array over the whole heap, for segment tables. */
  get heapU32(): Uint32Array {
    this.#views();
    return this.#u32!;
  }

  /** A tensor with its own block, `[values | gradient]`, zero-filled; it stays there until disposed. */
  createTensor(name: string, size: number, external: ExternalArrays | null, shape?: readonly number[]): Tensor {
    const region = alignUp(4 * size);
    const block = this.arena.alloc(2 * region, `tensor '${name}'`);
    if (!this.arena.lastWasFresh) this.heap.fill(0, block >>> 2, (block + 2 * region) >>> 2);
    const tensor = new Tensor(this, name, size, external, block, block + region, shape);
    this.#names.add(name);
    return tensor;
  }

  hasName(name: string): boolean {
    return this.#names.has(name);
  }

  dispose(): void {
    this.disposed = true;
    this.#f32 = this.#u32 = null;
    this.backend.dispose?.();
  }

  releaseTensor(tensor: Tensor): void {
    this.arena.free(tensor._data);
    this.#names.delete(tensor.name);
  }
}
