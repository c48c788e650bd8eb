// JS mirror of assembly/rmsprop.ts: same name, parameters, scalar slots and f32 operation order.
// V8 does not unswitch loops, so the flags are tested per element here.
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/rmsprop.ts: enum RMSpropScalar). */
export const RMSpropScalar = { sign: 0, weightDecay: 1, alpha: 2, oneMinusAlpha: 3, eps: 4, momentum: 5, negLr: 6, lerpCoef: 7 } as const;
export const RMSpropFlag = { decay: 1, centered: 2, momentum: 4, lerpHigh: 8 } as const;

function rmspropSegment(
  h: Float32Array, p: number, g: number, squareAvg: number, gradAvg: number, momentumBuffer: number, n: number,
  sign: number, weightDecay: number, alpha: number, oneMinusAlpha: number, eps: number, momentum: number, negLr: number, lerpCoef: number,
  decay: boolean, centered: boolean, useMomentum: boolean, high: boolean,
): void {
  const P = p >>> 2, G = g >>> 2, S = squareAvg >>> 2, A = gradAvg >>> 2, B = momentumBuffer >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let gi = f(h[G + i] * sign);
    if (decay) gi = f(gi + f(weightDecay * pi));
    const s = f(f(h[S + i] * alpha) + f(f(oneMinusAlpha * gi) * gi));
    h[S + i] = s;
    let avg: number;
    if (centered) {
      const ga0 = h[A + i];
      const ga = f((high ? gi : ga0) + f(lerpCoef * f(gi - ga0)));
      h[A + i] = ga;
      avg = f(Math.sqrt(f(s - f(ga * ga))));
    } else {
      avg = f(Math.sqrt(s));
    }
    avg = f(avg + eps);
    if (useMomentum) {
      const b = f(f(h[B + i] * momentum) + f(gi / avg));
      h[B + i] = b;
      h[P + i] = f(pi + f(negLr * b));
    } else {
      h[P + i] = f(pi + f(f(negLr * gi) / avg));
    }
  }
}

export function rmsprop_f32(
  h: Float32Array, u: Uint32Array, segments: number, squareAvg: number, gradAvg: number, momentumBuffer: number,
  count: number, scalars: number, flags: number,
): void {
  const decay = (flags & RMSpropFlag.decay) !== 0, centered = (flags & RMSpropFlag.centered) !== 0, useMomentum = (flags & RMSpropFlag.momentum) !== 0;
  const high = (flags & RMSpropFlag.lerpHigh) !== 0;
  const sign = scalar(h, scalars, RMSpropScalar.sign);
  const weightDecay = scalar(h, scalars, RMSpropScalar.weightDecay);
  const alpha = scalar(h, scalars, RMSpropScalar.alpha);
  const oneMinusAlpha = scalar(h, scalars, RMSpropScalar.oneMinusAlpha);
  const lerpCoef = scalar(h, scalars, RMSpropScalar.lerpCoef);
  const eps = scalar(h, scalars, RMSpropScalar.eps);
  const momentum = scalar(h, scalars, RMSpropScalar.momentum);
  const negLr = scalar(h, scalars, RMSpropScalar.negLr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(u, e);
    rmspropSegment(
      h, values(u, e), gradient(u, e), squareAvg + at, gradAvg + at, momentumBuffer + at, length(u, e),
      sign, weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr, lerpCoef,
      decay, centered, useMomentum, high,
    );
  }
}
