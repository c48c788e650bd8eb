// JS mirror of assembly/adadelta.ts: same name, parameters, scalar slots and f32 operation order.
// V8 does not unswitch loops, so the flags are tested per element here.
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/adadelta.ts: enum AdadeltaScalar). */
export const AdadeltaScalar = { sign: 0, weightDecay: 1, rho: 2, oneMinusRho: 3, eps: 4, negLr: 5 } as const;
export const AdadeltaFlag = { decay: 1 } as const;

function adadeltaSegment(
  h: Float32Array, p: number, g: number, squareAvg: number, accDelta: number, n: number,
  sign: number, weightDecay: number, rho: number, oneMinusRho: number, eps: number, negLr: number,
  decay: boolean,
): void {
  const P = p >>> 2, G = g >>> 2, S = squareAvg >>> 2, D = accDelta >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let gi = f(h[G + i] * sign);
    if (decay) gi = f(gi + f(weightDecay * pi));
    const s = f(f(h[S + i] * rho) + f(f(oneMinusRho * gi) * gi));
    h[S + i] = s;
    const std = f(Math.sqrt(f(s + eps)));
    const acc = h[D + i];
    const delta = f(f(f(Math.sqrt(f(acc + eps))) / std) * gi);
    h[D + i] = f(f(acc * rho) + f(f(oneMinusRho * delta) * delta));
    h[P + i] = f(pi + f(negLr * delta));
  }
}

export function adadelta_f32(
  h: Float32Array, u: Uint32Array, segments: number, squareAvg: number, accDelta: number, count: number, scalars: number, flags: number,
): void {
  const decay = (flags & AdadeltaFlag.decay) !== 0;
  const sign = scalar(h, scalars, AdadeltaScalar.sign);
  const weightDecay = scalar(h, scalars, AdadeltaScalar.weightDecay);
  const rho = scalar(h, scalars, AdadeltaScalar.rho);
  const oneMinusRho = scalar(h, scalars, AdadeltaScalar.oneMinusRho);
  const eps = scalar(h, scalars, AdadeltaScalar.eps);
  const negLr = scalar(h, scalars, AdadeltaScalar.negLr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(u, e);
    adadeltaSegment(
      h, values(u, e), gradient(u, e), squareAvg + at, accDelta + at, length(u, e),
      sign, weightDecay, rho, oneMinusRho, eps, negLr,
      decay,
    );
  }
}
