// JS mirror of assembly/average.ts: same names, parameters, scalar slots and order of f32 operations
// (see its header for torch's rounding). Copies and the swap move u32 words, so NaN bits survive as they
// do in wasm.
import { length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/average.ts: enum AverageScalar). */
export const AverageScalar = { countPlusOne: 0, weight: 1, oneMinusWeight: 2 } as const;
export const AverageFlag = { copy: 1, ema: 2, emaHigh: 4 } as const;

export function average_f32(h: Float32Array, u: Uint32Array, segments: number, avg: number, count: number, scalars: number, flags: number): void {
  const countPlusOne = scalar(h, scalars, AverageScalar.countPlusOne);
  const weight = scalar(h, scalars, AverageScalar.weight);
  const oneMinusWeight = scalar(h, scalars, AverageScalar.oneMinusWeight);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const P = values(u, e) >>> 2, A = (avg + slice(u, e)) >>> 2, n = length(u, e);
    if (flags & AverageFlag.copy) u.copyWithin(A, P, P + n);
    else if (flags & AverageFlag.emaHigh) for (let i = 0; i < n; i++) h[A + i] = f(h[P + i] - f(f(h[P + i] - h[A + i]) * oneMinusWeight));
    else if (flags & AverageFlag.ema) for (let i = 0; i < n; i++) h[A + i] = f(h[A + i] + f(weight * f(h[P + i] - h[A + i])));
    else for (let i = 0; i < n; i++) h[A + i] = f(h[A + i] + f(f(h[P + i] - h[A + i]) / countPlusOne));
  }
}

export function swapAveraged_f32(_h: Float32Array, u: Uint32Array, segments: number, avg: number, count: number): void {
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const P = values(u, e) >>> 2, A = (avg + slice(u, e)) >>> 2, n = length(u, e);
    for (let i = 0; i < n; i++) {
      const pi = u[P + i];
      u[P + i] = u[A + i];
      u[A + i] = pi;
    }
  }
}
