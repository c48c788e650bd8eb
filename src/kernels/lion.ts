// JS mirror of assembly/lion.ts: same name, parameters, scalar slots and f32 operation order.
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/lion.ts: enum LionScalar). */
export const LionScalar = { sign: 0, oneMinusBeta1: 1, beta1: 2, oneMinusBeta2: 3, beta2: 4, weightDecay: 5, negLr: 6 } as const;

function lionSegment(
  h: Float32Array, p: number, g: number, expAvg: number, n: number,
  sign: number, c1: number, beta1: number, c2: number, beta2: number, weightDecay: number, negLr: number,
): void {
  const P = p >>> 2, G = g >>> 2, M = expAvg >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    const gi = f(h[G + i] * sign);
    const m = h[M + i];
    const c = f(f(c1 * gi) + f(beta1 * m));
    const u = c > 0 ? 1 : c < 0 ? -1 : c; // XLA's sign: ±0 and NaN stay as they are
    h[M + i] = f(c2 * gi) + f(beta2 * m);
    h[P + i] = f(pi + f(negLr * f(u + f(weightDecay * pi))));
  }
}

export function lion_f32(h: Float32Array, u: Uint32Array, segments: number, expAvg: number, count: number, scalars: number, _flags: number): void {
  const sign = scalar(h, scalars, LionScalar.sign);
  const c1 = scalar(h, scalars, LionScalar.oneMinusBeta1);
  const beta1 = scalar(h, scalars, LionScalar.beta1);
  const c2 = scalar(h, scalars, LionScalar.oneMinusBeta2);
  const beta2 = scalar(h, scalars, LionScalar.beta2);
  const weightDecay = scalar(h, scalars, LionScalar.weightDecay);
  const negLr = scalar(h, scalars, LionScalar.negLr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    lionSegment(
      h, values(u, e), gradient(u, e), expAvg + slice(u, e), length(u, e),
      sign, c1, beta1, c2, beta2, weightDecay, negLr,
    );
  }
}
