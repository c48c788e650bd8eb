// JS mirror of assembly/asgd.ts: same name, parameters, scalar slots and order of f32 operations.
// V8 does not unswitch loops, so the flags are tested per element here.
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/asgd.ts: enum ASGDScalar). */
export const ASGDScalar = { sign: 0, weightDecay: 1, decayScale: 2, negEta: 3, mu: 4 } as const;
export const ASGDFlag = { decay: 1, average: 2 } as const;

function asgdSegment(
  h: Float32Array, p: number, g: number, ax: number, n: number,
  sign: number, weightDecay: number, decayScale: number, negEta: number, mu: number,
  decay: boolean, average: boolean,
): void {
  const P = p >>> 2, G = g >>> 2, A = ax >>> 2;
  for (let i = 0; i < n; i++) {
    let pi = h[P + i];
    let gi = f(h[G + i] * sign);
    if (decay) gi = f(gi + f(weightDecay * pi));
    pi = f(f(pi * decayScale) + f(negEta * gi));
    h[P + i] = pi;
    if (average) {
      const a = h[A + i];
      h[A + i] = f(a + f(f(pi - a) * mu));
    } else {
      h[A + i] = pi;
    }
  }
}

export function asgd_f32(h: Float32Array, u: Uint32Array, segments: number, ax: number, count: number, scalars: number, flags: number): void {
  const decay = (flags & ASGDFlag.decay) !== 0, average = (flags & ASGDFlag.average) !== 0;
  const sign = scalar(h, scalars, ASGDScalar.sign);
  const weightDecay = scalar(h, scalars, ASGDScalar.weightDecay);
  const decayScale = scalar(h, scalars, ASGDScalar.decayScale);
  const negEta = scalar(h, scalars, ASGDScalar.negEta);
  const mu = scalar(h, scalars, ASGDScalar.mu);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    asgdSegment(
      h, values(u, e), gradient(u, e), ax + slice(u, e), length(u, e),
      sign, weightDecay, decayScale, negEta, mu,
      decay, average,
    );
  }
}
