// JS mirror of assembly/radam.ts: same name, parameters, scalar slots and f32 operation order.
// V8 does not unswitch loops, so the flags are tested per element here.
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/radam.ts: enum RAdamScalar). */
export const RAdamScalar = {
  weightDecay: 0, beta1: 1, lerpCoef: 2, beta2: 3, oneMinusBeta2: 4, biasCorrection1: 5, lr: 6,
  biasCorrection2Sqrt: 7, eps: 8, rect: 9, gradScale: 10, paramScale: 11,
} as const;
export const RAdamFlag = { decay: 1, rectify: 2, decoupled: 4, lerpHigh: 8 } as const;

function radamSegment(
  h: Float32Array, p: number, g: number, expAvg: number, expAvgSq: number, n: number,
  weightDecay: number, lerpCoef: number, beta2: number, oneMinusBeta2: number,
  biasCorrection1: number, lr: number, biasCorrection2Sqrt: number, eps: number, rect: number, gradScale: number,
  paramScale: number, decay: boolean, rectify: boolean, decoupled: boolean, high: boolean,
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
    const step = f(f(m / biasCorrection1) * lr);
    if (rectify) {
      const adaptiveLr = f(f(1 / f(f(Math.sqrt(v)) + eps)) * biasCorrection2Sqrt);
      h[P + i] = f(pi - f(f(step * adaptiveLr) * rect));
    } else {
      h[P + i] = f(pi - step);
    }
  }
}

export function radam_f32(
  h: Float32Array, u: Uint32Array, segments: number, expAvg: number, expAvgSq: number,
  count: number, scalars: number, flags: number,
): void {
  const decay = (flags & RAdamFlag.decay) !== 0, rectify = (flags & RAdamFlag.rectify) !== 0, decoupled = (flags & RAdamFlag.decoupled) !== 0;
  const high = (flags & RAdamFlag.lerpHigh) !== 0;
  const weightDecay = scalar(h, scalars, RAdamScalar.weightDecay);
  const lerpCoef = scalar(h, scalars, RAdamScalar.lerpCoef);
  const beta2 = scalar(h, scalars, RAdamScalar.beta2);
  const oneMinusBeta2 = scalar(h, scalars, RAdamScalar.oneMinusBeta2);
  const biasCorrection1 = scalar(h, scalars, RAdamScalar.biasCorrection1);
  const lr = scalar(h, scalars, RAdamScalar.lr);
  const biasCorrection2Sqrt = scalar(h, scalars, RAdamScalar.biasCorrection2Sqrt);
  const eps = scalar(h, scalars, RAdamScalar.eps);
  const rect = scalar(h, scalars, RAdamScalar.rect);
  const gradScale = scalar(h, scalars, RAdamScalar.gradScale);
  const paramScale = scalar(h, scalars, RAdamScalar.paramScale);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(u, e);
    radamSegment(
      h, values(u, e), gradient(u, e), expAvg + at, expAvgSq + at, length(u, e),
      weightDecay, lerpCoef, beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect, gradScale,
      paramScale, decay, rectify, decoupled, high,
    );
  }
}
