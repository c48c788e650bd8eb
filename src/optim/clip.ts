import { checkTensors } from './checkTensors.js';
import type { Context } from '../context.js';
import { Group } from '../memory/group.js';
import { describe } from '../describe.js';
import type { Tensor } from '../tensor.js';
import { Optimizer } from './optimizer.js';
import { clipCoefficient, clipNormOptions, totalNorm, type NormType } from './training.js';

// torch.nn.utils.clip_grad_norm_ and clip_grad_value_ over ravine tensors, in place, as torch does them:
// one reduction pass (assembly/gradients.ts: f64 sums in a fixed order, so both backends give the same
// bits), then one scaling pass. An optimizer's `clipGradNorm` training option does the same clipping with
// no scaling pass (the coefficient rides in its kernels' sign slot): prefer it inside a training loop.

// biome-ignore lint/suspicious/noExplicitAny: any optimizer, whatever its options (Optimizer<O> is invariant in O)
type Target = readonly Tensor[] | Optimizer<any>;

/** The tensors of `target`, checked: live, of one context, each once. */
function tensorsOf(where: string, target: unknown): Tensor[] {
  if (target instanceof Optimizer) {
    if (target.disposed) throw new TypeError(`${where}: the optimizer has been disposed`);
    const tensors = target.paramGroups.flatMap((g) => [...g.params]);
    if (tensors[0]._ctx.disposed) throw new TypeError(`${where}: the optimizer's Ravine context has been disposed`);
    return tensors;
  }
  if (!Array.isArray(target) || target.length === 0)
    throw new TypeError(`${where}: params must be an optimizer or a non-empty array of tensors, got ${describe(target)}`);
  checkTensors(where, target);
  return target as Tensor[];
}

/** Runs `pass` over a temporary segment table of `tensors` (adopted tensors' gradients copied in, and back out when `writes`). */
function overGradients<R>(tensors: readonly Tensor[], writes: boolean, pass: (ctx: Context, segments: number, count: number) => R): R {
  const ctx = tensors[0]._ctx;
  const external = tensors.filter((t) => t._external !== null);
  const group = ctx.arena.atomically(() => new Group(ctx, tensors, 'clipping'));
  try {
    group.write();
    for (const t of external) ctx.heap.set(t._external!.grad, t._grad >>> 2);
    const result = pass(ctx, group.segments, group.count);
    if (writes) for (const t of external) t._external!.grad.set(t._heapGrad());
    return result;
  } finally {
    group.free();
  }
}

/**
 * Scales the gradients of `params` (tensors, or an optimizer's) in place so that their total norm is at
 * most `maxNorm`, and returns the total norm before clipping (a float32, as torch's). The norm of order
 * `normType` is taken over all the gradients as one vector; the coefficient is torch's,
 * `maxNorm / (norm + 1e-6)` in float32, clamped to 1. With `errorIfNonfinite`, a NaN or infinite norm
 * throws and changes nothing.
 */
export function clipGradNorm(params: Target, maxNorm: number, options: { normType?: NormType | 'inf'; errorIfNonfinite?: boolean } = {}): number {
  const where = 'clipGradNorm';
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  if (Object.hasOwn(options, 'maxNorm')) throw new TypeError(`${where}: maxNorm is the second argument, not an option`);
  const o = clipNormOptions(where, { ...options, maxNorm });
  const tensors = tensorsOf(where, params);
  return overGradients(tensors, true, (ctx, segments, count) => {
    const k = ctx.backend.kernels;
    const total = totalNorm(o.normType, k.gradNorm_f32(segments, count, o.normType === Infinity ? 0 : o.normType));
    if (!Number.isFinite(total) && o.errorIfNonfinite) {
      throw new RangeError(
        `${where}: the total norm of order ${o.normType} of the gradients is ${total}, so they cannot be clipped (errorIfNonfinite); nothing was changed`,
      );
    }
    const coef = clipCoefficient(o.maxNorm, total);
    if (coef !== 1) k.scaleGrads_f32(segments, count, coef);
    return total;
  });
}

/** Clamps every gradient element of `params` (tensors, or an optimizer's) to [−clipValue, clipValue] in place (torch's clip_grad_value_). */
export function clipGradValue(params: Target, clipValue: number): void {
  const where = 'clipGradValue';
  if (typeof clipValue !== 'number') throw new TypeError(`${where}: clipValue must be a number, got ${describe(clipValue)}`);
  if (!(clipValue >= 0 && clipValue < Infinity)) throw new RangeError(`${where}: invalid clipValue = ${describe(clipValue)}: must be a finite number >= 0`);
  const tensors = tensorsOf(where, params);
  overGradients(tensors, true, (ctx, segments, count) => ctx.backend.kernels.clampGrads_f32(segments, count, Math.fround(clipValue)));
}
