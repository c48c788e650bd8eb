// JS mirror of assembly/sgd.ts: same name, parameters, scalar slots and order of f32 operations; `f`
// after every operation reproduces f32 hardware bit for bit (an f64 result of + − × ÷ √ on f32 inputs
// rounds once). V8 does not unswitch loops, so the flags are tested per element here: loop-invariant
// branches that the CPU predicts (bench/ measures what they cost against a naive loop).
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/sgd.ts: enum SGDScalar). */
export const SGDScalar = { sign: 0, weightDecay: 1, momentum: 2, oneMinusDampening: 3, negLr: 4 } as const;
export const SGDFlag = { decay: 1, momentum: 2, first: 4, nesterov: 8 } as const;

function sgdSegment(
  h: Float32Array, p: number, g: number, buf: number, n: number,
  sign: number, weightDecay: number, momentum: number, oneMinusDampening: number, negLr: number,
  decay: boolean, useMomentum: boolean, first: boolean, nesterov: boolean,
): void {
  const P = p >>> 2, G = g >>> 2, B = buf >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let d = f(h[G + i] * sign);
    if (decay) d = f(d + f(weightDecay * pi));
    if (useMomentum) {
      const b = first ? d : f(f(h[B + i] * momentum) + f(oneMinusDampening * d));
      h[B + i] = b;
      d = nesterov ? f(d + f(momentum * b)) : b;
    }
    h[P + i] = f(pi + f(negLr * d));
  }
}

export function sgd_f32(h: Float32Array, u: Uint32Array, segments: number, buf: number, count: number, scalars: number, flags: number): void {
  const decay = (flags & SGDFlag.decay) !== 0, useMomentum = (flags & SGDFlag.momentum) !== 0;
  const first = (flags & SGDFlag.first) !== 0, nesterov = (flags & SGDFlag.nesterov) !== 0;
  const sign = scalar(h, scalars, SGDScalar.sign);
  const weightDecay = scalar(h, scalars, SGDScalar.weightDecay);
  const momentum = scalar(h, scalars, SGDScalar.momentum);
  const oneMinusDampening = scalar(h, scalars, SGDScalar.oneMinusDampening);
  const negLr = scalar(h, scalars, SGDScalar.negLr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    sgdSegment(
      h, values(u, e), gradient(u, e), buf + slice(u, e), length(u, e),
      sign, weightDecay, momentum, oneMinusDampening, negLr,
      decay, useMomentum, first, nesterov,
    );
  }
}
