import type { Context } from '../context.js';
import { Group, type StateShape } from '../memory/group.js';
import type { Tensor } from '../tensor.js';
import type { StateBuffer } from './optimizerSpec.js';
import { Powers } from './powers.js';

/**
 * One group's memory (its segment table, state buffers and scalar block: see memory/group.ts) and the
 * optimizer's bookkeeping for it.
 */
export class GroupMemory extends Group {
  /** buffers allocated but not yet written by a step (SGD's momentum buffer starts as a copy of d) */
  readonly fresh = new Set<string>();
  /** per-group scalar state (NAdam's muProduct) */
  readonly scalars: Record<string, number>;
  /** The per-group scalars after the step being taken (Optimizer.scalars writes them, step() commits them); null without any. */
  readonly next: Record<string, number> | null;
  /** The kernel flags Optimizer.scalars returned for the step being taken. */
  flags = 0;
  readonly external: readonly Tensor[];
  step = 0;
  /** spec.stateKey of the options the state was last ensured for */
  stateKey = NaN;
  /** β1^t and β2^t, correctly rounded, one multiplication per step */
  readonly powers: readonly [Powers, Powers] = [new Powers(), new Powers()];
  /**
   * The factor every kernel applies to the gradient first (folded into the sign: clipping's coefficient,
   * an f32), so that a clipped step needs no pass of its own: f32(g·(±c)) = ±f32(g·c), bit for bit the
   * step on gradients clipped in place. 1 when nothing scales them.
   */
  gradScale = 1;

  constructor(ctx: Context, tensors: readonly Tensor[], scalars: Record<string, number>, where: string, stateShape?: StateShape) {
    super(ctx, tensors, where, stateShape);
    this.scalars = scalars;
    this.next = Object.keys(scalars).length > 0 ? { ...scalars } : null;
    this.external = tensors.filter((t) => t._external !== null);
  }

  /** After the group's kernel ran with options `o`: its per-group scalars, the buffers it wrote, adopted arrays back. */
  stepped<O>(stateBuffers: (o: O) => readonly StateBuffer[], o: O): void {
    if (this.next !== null) Object.assign(this.scalars, this.next);
    // Written now: the buffers these options use (not one they leave alone, as SGD's momentumBuffer
    // while momentum is 0: torch keeps that None, and it starts from the gradient when momentum returns).
    if (this.fresh.size > 0) for (const b of stateBuffers(o)) this.fresh.delete(b.name);
    if (this.external.length > 0) copyExternalOut(this.external);
  }
}

// Adopted tensors (`rv.adopt`) keep their own arrays: a pass copies them into the heap before it reads
// them and back after it writes them, so the user's arrays are what they would be in torch.

export function copyExternalIn(tensors: readonly Tensor[]): void {
  for (const t of tensors) {
    t._heapData().set(t._external!.data);
    t._heapGrad().set(t._external!.grad);
  }
}

/** Adopted tensors' gradients back to their own arrays, after a pass changed them in the heap (torch changes them in place). */
export function copyGradsOut(memory: readonly GroupMemory[]): void {
  for (const m of memory) for (const t of m.external) t._external!.grad.set(t._heapGrad());
}

export function copyExternalOut(tensors: readonly Tensor[]): void {
  for (const t of tensors) t._external!.data.set(t._heapData());
}

/** Every adopted array must still be there (a transferred ArrayBuffer leaves a view of length 0). */
export function checkExternal(m: GroupMemory): void {
  for (const t of m.external) {
    const { data, grad } = t._external!;
    if (data.length !== t.size || grad.length !== t.size) {
      throw new TypeError(
        `${m.where}: adopted tensor '${t.name}' has lost its ${data.length !== t.size ? 'data' : 'grad'} array (length ${data.length !== t.size ? data.length : grad.length}, expected ${t.size}: was its buffer transferred?); nothing was stepped`,
      );
    }
  }
}
