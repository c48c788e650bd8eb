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
  #heap: Float32Array | null = null;
  disposed = false;

  constructor(backend: Backend) {
    this.backend = backend;
    this.arena = new Arena(backend);
  }

  /** A Float32Array over the whole heap, re-derived after growth. */
  get heap(): Float32Array {
    const buffer = this.backend.buffer;
    if (this.#heap?.buffer !== buffer) this.#heap = new Float32Array(buffer);
    return this.#heap;
  }

  createTensor(name: string, size: number, external: ExternalArrays | null): Tensor {
    const tensor = new Tensor(this, name, size, external);
    const block = this.arena.alloc(2 * alignUp(4 * size));
    tensor._moveTo(block, block + alignUp(4 * size), block);
    const heap = this.heap;
    heap.fill(0, block >>> 2, (block >>> 2) + 2 * (alignUp(4 * size) >>> 2));
    this.#names.add(name);
    return tensor;
  }

  hasName(name: string): boolean {
    return this.#names.has(name);
  }

  dispose(): void {
    this.disposed = true;
    this.#heap = null;
  }

  releaseTensor(tensor: Tensor): void {
    if (tensor._block >= 0) this.arena.free(tensor._block);
    this.#names.delete(tensor.name);
    this.backend.invalidateViews();
  }
}
