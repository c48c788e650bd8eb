import type { Context } from './context.js';

/** The user's own arrays behind an adopted tensor. */
export interface ExternalArrays {
  readonly data: Float32Array;
  readonly grad: Float32Array;
}

/**
 * A named float32 parameter with its gradient. `data` and `grad` are views into the context's linear
 * memory, re-derived whenever the memory grows or the tensor moves (into an optimizer's flat group, or
 * back out), so read them from the tensor rather than keeping a view across calls that allocate.
 * An adopted tensor (`Ravine.adopt`) answers with the user's own arrays instead.
 */
export class Tensor {
  readonly name: string;
  readonly size: number;
  /** @internal */ readonly _ctx: Context;
  /** @internal byte offsets of the values and the gradient in the heap */
  _data = 0;
  /** @internal */ _grad = 0;
  /** @internal the tensor's own allocation, or -1 while it lives in an optimizer's group */
  _block = -1;
  /** @internal the optimizer holding it, if any */
  _owner: object | null = null;
  /** @internal the user's arrays for an adopted tensor */
  readonly _external: ExternalArrays | null;
  #dataView: Float32Array | null = null;
  #gradView: Float32Array | null = null;
  #disposed = false;

  /** @internal use Ravine.tensor or Ravine.adopt */
  constructor(ctx: Context, name: string, size: number, external: ExternalArrays | null) {
    this._ctx = ctx;
    this.name = name;
    this.size = size;
    this._external = external;
  }

  get data(): Float32Array {
    if (this._external) return this._external.data;
    const buffer = this._ctx.backend.buffer;
    if (this.#dataView?.buffer !== buffer) this.#dataView = new Float32Array(buffer, this._data, this.size);
    return this.#dataView;
  }

  get grad(): Float32Array {
    if (this._external) return this._external.grad;
    const buffer = this._ctx.backend.buffer;
    if (this.#gradView?.buffer !== buffer) this.#gradView = new Float32Array(buffer, this._grad, this.size);
    return this.#gradView;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** @internal points the tensor at new storage; cached views are dropped */
  _moveTo(data: number, grad: number, block: number): void {
    this._data = data;
    this._grad = grad;
    this._block = block;
    this.#dataView = this.#gradView = null;
  }

  /** Gives the tensor's memory back. A tensor inside an optimizer is freed with the optimizer. */
  dispose(): void {
    if (this.#disposed) return;
    if (this._owner) throw new TypeError(`tensor '${this.name}' belongs to an optimizer: dispose the optimizer first`);
    this._ctx.releaseTensor(this);
    this.#disposed = true;
    this.#dataView = this.#gradView = null;
  }
}
