// JS mirror of assembly/adagrad.ts: same name, parameters, scalar slots and f32 operation order.
// V8 does not unswitch loops, so the flags are tested per element here.
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/adagrad.ts: enum AdagradScalar). */
export const AdagradScalar = { sign: 0, weightDecay: 1, eps: 2, negClr: 3 } as const;
export const AdagradFlag = { decay: 1 } as const;

function adagradSegment(
  h: Float32Array, p: number, g: number, sum: number, n: number,
  sign: number, weightDecay: number, eps: number, negClr: number,
  decay: boolean,
): void {
  const P = p >>> 2, G = g >>> 2, S = sum >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let gi = f(h[G + i] * sign);
    if (decay) gi = f(gi + f(weightDecay * pi));
    const s = f(h[S + i] + f(gi * gi));
    h[S + i] = s;
    const std = f(f(Math.sqrt(s)) + eps);
    h[P + i] = f(pi + f(f(negClr * gi) / std));
  }
}

export function adagrad_f32(
  h: Float32Array, u: Uint32Array, segments: number, sum: number, count: number, scalars: number, flags: number,
): void {
  const decay = (flags & AdagradFlag.decay) !== 0;
  const sign = scalar(h, scalars, AdagradScalar.sign);
  const weightDecay = scalar(h, scalars, AdagradScalar.weightDecay);
  const eps = scalar(h, scalars, AdagradScalar.eps);
  const negClr = scalar(h, scalars, AdagradScalar.negClr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(u, e);
    adagradSegment(
      h, values(u, e), gradient(u, e), sum + at, length(u, e),
      sign, weightDecay, eps, negClr,
      decay,
    );
  }
}
