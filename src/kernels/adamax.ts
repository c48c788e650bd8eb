// JS mirror of assembly/adamax.ts: same name, parameters, scalar slots and f32 operation order.
// V8 does not unswitch loops, so the flag is tested per element here.
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/adamax.ts: enum AdamaxScalar). */
export const AdamaxScalar = { sign: 0, weightDecay: 1, beta1: 2, lerpCoef: 3, beta2: 4, eps: 5, negClr: 6 } as const;
export const AdamaxFlag = { decay: 1, lerpHigh: 2 } as const;

function adamaxSegment(
  h: Float32Array, p: number, g: number, expAvg: number, expInf: number, n: number,
  sign: number, weightDecay: number, lerpCoef: number, beta2: number, eps: number, negClr: number,
  decay: boolean, high: boolean,
): void {
  const P = p >>> 2, G = g >>> 2, M = expAvg >>> 2, U = expInf >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let gi = f(h[G + i] * sign);
    if (decay) gi = f(gi + f(weightDecay * pi));
    const m0 = h[M + i];
    const m = f((high ? gi : m0) + f(lerpCoef * f(gi - m0)));
    h[M + i] = m;
    const u = Math.max(f(h[U + i] * beta2), f(Math.abs(gi) + eps));
    h[U + i] = u;
    h[P + i] = f(pi + f(f(negClr * m) / u));
  }
}

export function adamax_f32(
  h: Float32Array, u: Uint32Array, segments: number, expAvg: number, expInf: number,
  count: number, scalars: number, flags: number,
): void {
  const decay = (flags & AdamaxFlag.decay) !== 0, high = (flags & AdamaxFlag.lerpHigh) !== 0;
  const sign = scalar(h, scalars, AdamaxScalar.sign);
  const weightDecay = scalar(h, scalars, AdamaxScalar.weightDecay);
  const lerpCoef = scalar(h, scalars, AdamaxScalar.lerpCoef);
  const beta2 = scalar(h, scalars, AdamaxScalar.beta2);
  const eps = scalar(h, scalars, AdamaxScalar.eps);
  const negClr = scalar(h, scalars, AdamaxScalar.negClr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(u, e);
    adamaxSegment(
      h, values(u, e), gradient(u, e), expAvg + at, expInf + at, length(u, e),
      sign, weightDecay, lerpCoef, beta2, eps, negClr,
      decay, high,
    );
  }
}
