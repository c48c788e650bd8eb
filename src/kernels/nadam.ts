// JS mirror of assembly/nadam.ts: same name, parameters, scalar slots and f32 operation order.
// V8 does not unswitch loops, so the flag is tested per element here.
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/nadam.ts: enum NAdamScalar). */
export const NAdamScalar = {
  weightDecay: 0, beta1: 1, lerpCoef: 2, beta2: 3, oneMinusBeta2: 4, biasCorrection2: 5, eps: 6,
  gradCoef: 7, avgCoef: 8, gradScale: 9, paramScale: 10,
} as const;
export const NAdamFlag = { decay: 1, decoupled: 2, lerpHigh: 4 } as const;

function nadamSegment(
  h: Float32Array, p: number, g: number, expAvg: number, expAvgSq: number, n: number,
  weightDecay: number, lerpCoef: number, beta2: number, oneMinusBeta2: number,
  biasCorrection2: number, eps: number, gradCoef: number, avgCoef: number, gradScale: number, paramScale: number,
  decay: boolean, decoupled: boolean, high: boolean,
): void {
  const P = p >>> 2, G = g >>> 2, M = expAvg >>> 2, V = expAvgSq >>> 2;
  for (let i = 0; i < n; i++) {
    let pi = h[P + i];
    let gi = f(h[G + i] * gradScale);
    if (decoupled) pi = f(pi * paramScale);
    if (decay) gi = f(gi + f(weightDecay * pi));
    const m0 = h[M + i];
    const m = f((high ? gi : m0) + f(lerpCoef * f(gi - m0)));
    const v = f(f(h[V + i] * beta2) + f(f(oneMinusBeta2 * gi) * gi));
    h[M + i] = m;
    h[V + i] = v;
    const denom = f(f(Math.sqrt(f(v / biasCorrection2))) + eps);
    const p1 = f(pi + f(f(gradCoef * gi) / denom));
    h[P + i] = f(p1 + f(f(avgCoef * m) / denom));
  }
}

export function nadam_f32(
  h: Float32Array, u: Uint32Array, segments: number, expAvg: number, expAvgSq: number,
  count: number, scalars: number, flags: number,
): void {
  const decay = (flags & NAdamFlag.decay) !== 0, decoupled = (flags & NAdamFlag.decoupled) !== 0;
  const high = (flags & NAdamFlag.lerpHigh) !== 0;
  const weightDecay = scalar(h, scalars, NAdamScalar.weightDecay);
  const lerpCoef = scalar(h, scalars, NAdamScalar.lerpCoef);
  const beta2 = scalar(h, scalars, NAdamScalar.beta2);
  const oneMinusBeta2 = scalar(h, scalars, NAdamScalar.oneMinusBeta2);
  const biasCorrection2 = scalar(h, scalars, NAdamScalar.biasCorrection2);
  const eps = scalar(h, scalars, NAdamScalar.eps);
  const gradCoef = scalar(h, scalars, NAdamScalar.gradCoef);
  const avgCoef = scalar(h, scalars, NAdamScalar.avgCoef);
  const gradScale = scalar(h, scalars, NAdamScalar.gradScale);
  const paramScale = scalar(h, scalars, NAdamScalar.paramScale);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(u, e);
    nadamSegment(
      h, values(u, e), gradient(u, e), expAvg + at, expAvgSq + at, length(u, e),
      weightDecay, lerpCoef, beta2, oneMinusBeta2, biasCorrection2, eps, gradCoef, avgCoef, gradScale, paramScale,
      decay, decoupled, high,
    );
  }
}
