// JS mirror of assembly/scheduleFreeAdamW.ts: same name, parameters, scalar slots and f32 operation order.
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

export const ScheduleFreeAdamWFlag = { first: 1 } as const;

/** The scalar block's slots (assembly/scheduleFreeAdamW.ts: enum ScheduleFreeAdamWScalar). */
export const ScheduleFreeAdamWScalar = {
  sign: 0,
  oneMinusBeta2: 1,
  beta2: 2,
  biasCorrection2: 3,
  eps: 4,
  weightDecay: 5,
  negLr: 6,
  oneMinusBeta1: 7,
  beta1: 8,
  weight: 9,
  oneMinusWeight: 10,
} as const;

function scheduleFreeSegment(
  h: Float32Array, y: number, g: number, z: number, v: number, n: number,
  sign: number, c2: number, beta2: number, bc2: number, eps: number, weightDecay: number, negLr: number,
  c1: number, beta1: number, ck: number, omck: number, first: boolean,
): void {
  const Y = y >>> 2, G = g >>> 2, Z = z >>> 2, V = v >>> 2;
  for (let i = 0; i < n; i++) {
    const yi = h[Y + i];
    const gi = f(h[G + i] * sign);
    const zi = first ? yi : h[Z + i];
    const vi = f(f(c2 * f(gi * gi)) + f(beta2 * h[V + i]));
    h[V + i] = vi;
    const s = f(1 / f(f(Math.sqrt(f(vi / bc2))) + eps));
    const u = f(negLr * f(f(s * gi) + f(weightDecay * yi)));
    const zn = f(zi + u);
    h[Z + i] = zn;
    const x = f(f(yi - f(c1 * zi)) / beta1);
    const xn = f(f(omck * x) + f(ck * zn));
    const yn = f(f(beta1 * xn) + f(c1 * zn));
    h[Y + i] = f(yi + f(yn - yi));
  }
}

export function scheduleFreeAdamW_f32(
  h: Float32Array, u: Uint32Array, segments: number, z: number, expAvgSq: number, count: number, scalars: number, flags: number,
): void {
  const first = (flags & ScheduleFreeAdamWFlag.first) !== 0;
  const sign = scalar(h, scalars, ScheduleFreeAdamWScalar.sign);
  const c2 = scalar(h, scalars, ScheduleFreeAdamWScalar.oneMinusBeta2);
  const beta2 = scalar(h, scalars, ScheduleFreeAdamWScalar.beta2);
  const bc2 = scalar(h, scalars, ScheduleFreeAdamWScalar.biasCorrection2);
  const eps = scalar(h, scalars, ScheduleFreeAdamWScalar.eps);
  const weightDecay = scalar(h, scalars, ScheduleFreeAdamWScalar.weightDecay);
  const negLr = scalar(h, scalars, ScheduleFreeAdamWScalar.negLr);
  const c1 = scalar(h, scalars, ScheduleFreeAdamWScalar.oneMinusBeta1);
  const beta1 = scalar(h, scalars, ScheduleFreeAdamWScalar.beta1);
  const ck = scalar(h, scalars, ScheduleFreeAdamWScalar.weight);
  const omck = scalar(h, scalars, ScheduleFreeAdamWScalar.oneMinusWeight);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(u, e);
    scheduleFreeSegment(
      h, values(u, e), gradient(u, e), z + at, expAvgSq + at, length(u, e),
      sign, c2, beta2, bc2, eps, weightDecay, negLr, c1, beta1, ck, omck, first,
    );
  }
}
