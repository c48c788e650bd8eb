import type { Context } from './context.js';

/** The user's own arrays behind an adopted tensor. */
export interface ExternalArrays {
  readonly data: Float32Array;
  readonly grad: Float32Array;
}

/**
 * A named float32 parameter with its gradient. `data` and `grad` are views into the context's heap at
 * a place fixed from creation to disposal: an optimizer never moves a tensor. Where the context's views
 * are stable (`rv.viewsStable`), a view cached in a local stays valid for the tensor's life; elsewhere
 * growth of the heap detaches it (read `t.data` again after anything that allocates, or reserve memory
 * up front with `createRavine({ reserveBytes })`). After `dispose()`, `data`, `grad` and every method
 * throw. An adopted tensor (`Ravine.adopt`) answers with the user's own arrays instead.
 */
export class Tensor {
  readonly name: string;
  readonly size: number;
  /**
   * Its shape, row-major as torch's (`rv.tensor(name, values, { shape: [rows, cols] })`); `[size]` for a
   * tensor made without one. The values are flat either way: a shape is how optimizers that work on
   * matrices (Muon, Adafactor) and checkpoints read them.
   */
  readonly shape: readonly number[];
  /** @internal */ readonly _ctx: Context;
  /** @internal byte offsets of the values (also the block's start) and the gradient in the heap */
  readonly _data: number;
  /** @internal */ readonly _grad: number;
  /** @internal the optimizer holding it, if any */
  _owner: object | null = null;
  /** @internal the user's arrays for an adopted tensor */
  readonly _external: ExternalArrays | null;
  #dataView: Float32Array | null = null;
  #gradView: Float32Array | null = null;
  /** the heap's generation the views were made at: they are re-made after a growth that detached them */
  #dataGeneration = -1;
  #gradGeneration = -1;
  #disposed = false;

  /** @internal use Ravine.tensor or Ravine.adopt */
  constructor(ctx: Context, name: string, size: number, external: ExternalArrays | null, data: number, grad: number, shape: readonly number[] = [size]) {
    this._ctx = ctx;
    this.name = name;
    this.size = size;
    this.shape = Object.freeze([...shape]);
    this._external = external;
    this._data = data;
    this._grad = grad;
  }

  get data(): Float32Array {
    this._assertLive('data');
    return this._external ? this._external.data : this._heapData();
  }

  get grad(): Float32Array {
    this._assertLive('grad');
    return this._external ? this._external.grad : this._heapGrad();
  }

  /**
   * @internal the values' view into the heap (an adopted tensor has one too: the copy its steps work
   * on), made again only after a growth detached it, so a step's copies allocate nothing
   */
  _heapData(): Float32Array {
    const backend = this._ctx.backend;
    if (this.#dataGeneration !== backend.generation) {
      this.#dataGeneration = backend.generation;
      if (!(backend.viewsStable && this.#dataView)) this.#dataView = new Float32Array(backend.buffer, this._data, this.size);
    }
    return this.#dataView!;
  }

  /** @internal the gradient's view into the heap, as _heapData */
  _heapGrad(): Float32Array {
    const backend = this._ctx.backend;
    if (this.#gradGeneration !== backend.generation) {
      this.#gradGeneration = backend.generation;
      if (!(backend.viewsStable && this.#gradView)) this.#gradView = new Float32Array(backend.buffer, this._grad, this.size);
    }
    return this.#gradView!;
  }

  get disposed(): boolean {
    return this.#disposed || this._ctx.disposed;
  }

  /** @internal throws, naming the tensor, once it or its context has been disposed */
  _assertLive(what: string): void {
    if (this.#disposed) throw new TypeError(`tensor '${this.name}' has been disposed: its ${what} is gone`);
    if (this._ctx.disposed) throw new TypeError(`tensor '${this.name}': its Ravine context has been disposed, so its ${what} is gone`);
  }

  /** Gives the tensor's memory back. A tensor inside an optimizer is freed after the optimizer. */
  dispose(): void {
    if (this.#disposed) return;
    if (this._ctx.disposed) {
      this.#disposed = true; // the whole heap is gone already
      return;
    }
    if (this._owner) throw new TypeError(`tensor '${this.name}' belongs to an optimizer: dispose the optimizer first`);
    this._ctx.releaseTensor(this);
    this.#disposed = true;
    this.#dataView = this.#gradView = null;
  }
}
