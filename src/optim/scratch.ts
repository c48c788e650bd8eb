import type { Context } from '../context.js';
import type { Tensor } from '../tensor.js';

/**
 * Whether tensors about to be added in a group could join (their context alive, none already an
 * optimizer's): only then is scratch reserved for them ahead of the base class's checks, so a group it
 * refuses for these reasons grows nothing. (One refused for its options may leave the scratch larger,
 * until dispose.)
 */
export function mayJoin(ctx: Context, tensors: readonly Tensor[]): boolean {
  return !ctx.disposed && tensors.length > 0 && tensors.every((t) => t._ctx === ctx && !t._owner && !t.disposed);
}

/**
 * The arena region an optimizer works in between kernels (Muon's Newton–Schulz matrices, Adafactor's
 * update), sized for its largest tensor. It is reserved before a group joins (a group without room would
 * write past it at its next step) and only grows; dispose gives it back.
 */
export class Scratch {
  /** Byte offset, −1 before the first reservation and after free(). */
  at = -1;
  floats = 0;
  readonly #ctx: Context;
  readonly #what: string;

  constructor(ctx: Context, what: string) {
    this.#ctx = ctx;
    this.#what = what;
  }

  /** Makes room for `floats` floats (a larger region replaces the old one; its contents are not kept). */
  reserve(floats: number): void {
    if (floats <= this.floats) return;
    const at = this.#ctx.arena.alloc(4 * floats, this.#what);
    if (this.at >= 0) this.#ctx.arena.free(this.at);
    this.at = at;
    this.floats = floats;
  }

  free(): void {
    if (this.at >= 0 && !this.#ctx.disposed) this.#ctx.arena.free(this.at);
    this.at = -1;
    this.floats = 0;
  }
}
