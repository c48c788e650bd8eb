import { describe } from '../describe.js';
import type { Context } from '../context.js';
import { Tensor } from '../tensor.js';

// The one check of the tensors an optimizer, an average, a clipping or L-BFGS is handed: each a live
// Tensor, of one live context, each once; for an optimizer, not already another optimizer's. Every
// caller says the same thing about the same mistake.

export interface TensorCheck {
  /** The context they must share (an optimizer's, when a group is added); by default the first tensor's. */
  readonly ctx?: Context | null;
  /** Refuse a tensor another optimizer holds (an optimizer takes its tensors; an average or a clipping only reads them). */
  readonly free?: boolean;
  /** Tensors (and names) already taken by the caller: one among them is a repeat. */
  readonly seen?: Set<Tensor>;
  readonly names?: Set<string>;
  /** How a tensor is named in the message when it is not one: `params[i]` by default. */
  readonly at?: (i: number) => string;
}

/** Checks `list` (throwing a TypeError naming the tensor and what is wrong); returns their context, if any. */
export function checkTensors(where: string, list: readonly unknown[], check: TensorCheck = {}): Context | null {
  let ctx = check.ctx ?? null;
  const seen = check.seen ?? new Set<Tensor>(),
    names = check.names ?? new Set<string>();
  list.forEach((t, i) => {
    if (!(t instanceof Tensor))
      throw new TypeError(`${where}: ${check.at?.(i) ?? `params[${i}]`} must be a tensor made by a Ravine context, got ${describe(t)}`);
    if (t._ctx.disposed) throw new TypeError(`${where}: tensor '${t.name}' belongs to a disposed Ravine context`);
    if (t.disposed) throw new TypeError(`${where}: tensor '${t.name}' has been disposed`);
    ctx ??= t._ctx;
    if (t._ctx !== ctx) throw new TypeError(`${where}: tensor '${t.name}' belongs to another Ravine context`);
    if (t._external !== null && t._external.data.length !== t.size) {
      throw new TypeError(
        `${where}: adopted tensor '${t.name}' has lost its data array (length ${t._external.data.length}, expected ${t.size}: was its buffer transferred?)`,
      );
    }
    if (check.free && t._owner) throw new TypeError(`${where}: tensor '${t.name}' already belongs to an optimizer`);
    if (seen.has(t) || names.has(t.name)) throw new TypeError(`${where}: tensor '${t.name}' appears more than once`);
    seen.add(t);
    names.add(t.name);
  });
  return ctx;
}
