// JS mirror of assembly/adam.ts (Adam and AdamW): same name, parameters, scalar slots and f32
// operation order. V8 does not unswitch loops, so the flags are tested per element here.
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/adam.ts: enum AdamScalar). */
export const AdamScalar = {
  sign: 0, weightDecay: 1, paramScale: 2, beta1: 3, lerpCoef: 4, beta2: 5, oneMinusBeta2: 6,
  biasCorrection2Sqrt: 7, eps: 8, negStepSize: 9,
} as const;
export const AdamFlag = { decay: 1, decoupled: 2, amsgrad: 4, lerpHigh: 8 } as const;

function adamSegment(
  h: Float32Array, p: number, g: number, expAvg: number, expAvgSq: number, maxExpAvgSq: number, n: number,
  sign: number, weightDecay: number, paramScale: number, lerpCoef: number, beta2: number,
  oneMinusBeta2: number, biasCorrection2Sqrt: number, eps: number, negStepSize: number,
  decay: boolean, decoupled: boolean, amsgrad: boolean, high: boolean,
): void {
  const P = p >>> 2, G = g >>> 2, M = expAvg >>> 2, V = expAvgSq >>> 2, X = maxExpAvgSq >>> 2;
  for (let i = 0; i < n; i++) {
    let pi = h[P + i];
    let gi = f(h[G + i] * sign);
    if (decoupled) pi = f(pi * paramScale);
    if (decay) gi = f(gi + f(weightDecay * pi));
    const m0 = h[M + i];
    const m = f((high ? gi : m0) + f(lerpCoef * f(gi - m0)));
    let v = f(f(h[V + i] * beta2) + f(f(oneMinusBeta2 * gi) * gi));
    h[M + i] = m;
    h[V + i] = v;
    if (amsgrad) {
      v = Math.max(h[X + i], v);
      h[X + i] = v;
    }
    const denom = f(f(f(Math.sqrt(v)) / biasCorrection2Sqrt) + eps);
    h[P + i] = f(pi + f(f(negStepSize * m) / denom));
  }
}

export function adam_f32(
  h: Float32Array, u: Uint32Array, segments: number, expAvg: number, expAvgSq: number, maxExpAvgSq: number,
  count: number, scalars: number, flags: number,
): void {
  const decay = (flags & AdamFlag.decay) !== 0, decoupled = (flags & AdamFlag.decoupled) !== 0, amsgrad = (flags & AdamFlag.amsgrad) !== 0;
  const high = (flags & AdamFlag.lerpHigh) !== 0;
  const sign = scalar(h, scalars, AdamScalar.sign);
  const weightDecay = scalar(h, scalars, AdamScalar.weightDecay);
  const paramScale = scalar(h, scalars, AdamScalar.paramScale);
  const lerpCoef = scalar(h, scalars, AdamScalar.lerpCoef);
  const beta2 = scalar(h, scalars, AdamScalar.beta2);
  const oneMinusBeta2 = scalar(h, scalars, AdamScalar.oneMinusBeta2);
  const biasCorrection2Sqrt = scalar(h, scalars, AdamScalar.biasCorrection2Sqrt);
  const eps = scalar(h, scalars, AdamScalar.eps);
  const negStepSize = scalar(h, scalars, AdamScalar.negStepSize);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(u, e);
    adamSegment(
      h, values(u, e), gradient(u, e), expAvg + at, expAvgSq + at, maxExpAvgSq + at, length(u, e),
      sign, weightDecay, paramScale, lerpCoef, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize,
      decay, decoupled, amsgrad, high,
    );
  }
}
