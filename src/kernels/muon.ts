// JS mirror of assembly/muon.ts: same names, parameters, scalar slots and f32 operation order.
import { gradient, length, scalar, segment, slice } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/muon.ts: enum MuonScalar). */
export const MuonScalar = { sign: 0, lerpCoef: 1 } as const;
export const MuonFlag = { lerpHigh: 1 } as const;

export function muon_f32(h: Float32Array, u: Uint32Array, segments: number, momentumBuffer: number, count: number, scalars: number, flags: number): void {
  const high = (flags & MuonFlag.lerpHigh) !== 0;
  const sign = scalar(h, scalars, MuonScalar.sign),
    coef = scalar(h, scalars, MuonScalar.lerpCoef);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const G = gradient(u, e) >>> 2,
      M = (momentumBuffer + slice(u, e)) >>> 2,
      n = length(u, e);
    for (let i = 0; i < n; i++) {
      const g = f(h[G + i] * sign);
      const m = h[M + i];
      h[M + i] = f((high ? g : m) + f(coef * f(g - m)));
    }
  }
}

export function lerp_f32(h: Float32Array, _u: Uint32Array, out: number, start: number, end: number, n: number, coef: number, high: number): void {
  const O = out >>> 2,
    A = start >>> 2,
    B = end >>> 2;
  for (let i = 0; i < n; i++) {
    const a = h[A + i],
      b = h[B + i];
    h[O + i] = f((high ? b : a) + f(coef * f(b - a)));
  }
}

export function sumSquares_f32(h: Float32Array, _u: Uint32Array, x: number, n: number): number {
  const X = x >>> 2;
  const acc = [0, 0, 0, 0];
  let i = 0;
  for (; i + 4 <= n; i += 4) for (let l = 0; l < 4; l++) acc[l] = f(acc[l] + f(h[X + i + l] * h[X + i + l]));
  let s = f(f(acc[0] + acc[2]) + f(acc[1] + acc[3]));
  for (; i < n; i++) s = f(s + f(h[X + i] * h[X + i]));
  return s;
}

export function divide_f32(h: Float32Array, _u: Uint32Array, x: number, n: number, d: number): void {
  const X = x >>> 2;
  for (let i = 0; i < n; i++) h[X + i] = f(h[X + i] / d);
}

export function axpby_f32(h: Float32Array, _u: Uint32Array, out: number, x: number, y: number, n: number, a: number, b: number): void {
  const O = out >>> 2,
    X = x >>> 2,
    Y = y >>> 2;
  for (let i = 0; i < n; i++) h[O + i] = f(f(a * h[X + i]) + f(b * h[Y + i]));
}

export function muonApply_f32(h: Float32Array, _u: Uint32Array, p: number, x: number, n: number, keep: number, negLr: number): void {
  const P = p >>> 2,
    X = x >>> 2;
  for (let i = 0; i < n; i++) h[P + i] = f(f(h[P + i] * keep) + f(negLr * h[X + i]));
}
