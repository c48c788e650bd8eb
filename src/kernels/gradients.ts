// JS mirror of assembly/gradients.ts: same names, parameters, f32 rounding and f64 summation order (see
// its header: per segment, elements 4i+k of the 4-wide blocks into a_k, the tail into t, partial
// ((a0 + a1) + (a2 + a3)) + t, partials added in table order). A Float32Array element read as a number
// is its exact f64 promotion, so squares and products below are the wasm's f64 lanes, bit for bit.
// Copies use copyWithin (bytes as they are) and clamp writes only what it changes, so NaN bits survive
// as they do in wasm.
import { gradient, length, segment, slice, values } from './group.js';

const f = Math.fround;

export const AccumulateFlag = { first: 1, finish: 2 } as const;

function sumSquares(h: Float32Array, G: number, n: number): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const g0 = h[G + i], g1 = h[G + i + 1], g2 = h[G + i + 2], g3 = h[G + i + 3];
    a0 = a0 + g0 * g0;
    a1 = a1 + g1 * g1;
    a2 = a2 + g2 * g2;
    a3 = a3 + g3 * g3;
  }
  let t = 0;
  for (; i < n; i++) t = t + h[G + i] * h[G + i];
  return ((a0 + a1) + (a2 + a3)) + t;
}

function sumAbs(h: Float32Array, G: number, n: number): number {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 = a0 + Math.abs(h[G + i]);
    a1 = a1 + Math.abs(h[G + i + 1]);
    a2 = a2 + Math.abs(h[G + i + 2]);
    a3 = a3 + Math.abs(h[G + i + 3]);
  }
  let t = 0;
  for (; i < n; i++) t = t + Math.abs(h[G + i]);
  return ((a0 + a1) + (a2 + a3)) + t;
}

/** A max is exact, so one running max gives the lanes' value in any order; NaN propagates as in wasm's f32x4.max. */
function maxAbs(h: Float32Array, G: number, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(h[G + i]));
  return m;
}

export function gradNorm_f32(h: Float32Array, u: Uint32Array, segments: number, count: number, normType: number): number {
  let total = 0;
  switch (normType) {
    case 2:
      for (let s = 0; s < count; s++) {
        const e = segment(segments, s);
        total = total + sumSquares(h, gradient(u, e) >>> 2, length(u, e));
      }
      return total;
    case 1:
      for (let s = 0; s < count; s++) {
        const e = segment(segments, s);
        total = total + sumAbs(h, gradient(u, e) >>> 2, length(u, e));
      }
      return total;
    case 0:
      for (let s = 0; s < count; s++) {
        const e = segment(segments, s);
        total = Math.max(total, maxAbs(h, gradient(u, e) >>> 2, length(u, e)));
      }
      return total;
  }
  return NaN;
}

export function scaleGrads_f32(h: Float32Array, u: Uint32Array, segments: number, count: number, scale: number): void {
  scale = f(scale);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const G = gradient(u, e) >>> 2, n = length(u, e);
    for (let i = 0; i < n; i++) h[G + i] = f(h[G + i] * scale);
  }
}

/** std::min(std::max(g, −clip), clip) by `<` selects; an unchanged element (NaN among them) is not written. */
export function clampGrads_f32(h: Float32Array, u: Uint32Array, segments: number, count: number, clip: number): void {
  clip = f(clip);
  const negClip = -clip;
  const raisedAbove = clip < negClip; // only for clip < 0: then every g ends as clip
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const G = gradient(u, e) >>> 2, n = length(u, e);
    for (let i = 0; i < n; i++) {
      const gi = h[G + i];
      if (gi < negClip) h[G + i] = raisedAbove ? clip : negClip;
      else if (clip < gi) h[G + i] = clip;
    }
  }
}

export function accumulate_f32(h: Float32Array, u: Uint32Array, segments: number, acc: number, count: number, flags: number, invK: number): void {
  invK = f(invK);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const G = gradient(u, e) >>> 2, A = (acc + slice(u, e)) >>> 2, n = length(u, e);
    switch (flags) {
      case 0:
        for (let i = 0; i < n; i++) h[A + i] = f(h[A + i] + h[G + i]);
        break;
      case AccumulateFlag.first:
        h.copyWithin(A, G, G + n);
        break;
      case AccumulateFlag.finish:
        for (let i = 0; i < n; i++) h[G + i] = f(f(h[A + i] + h[G + i]) * invK);
        break;
      case AccumulateFlag.first | AccumulateFlag.finish:
        for (let i = 0; i < n; i++) h[G + i] = f(h[G + i] * invK);
        break;
    }
  }
}

export const NonFinite = { nan: 1, infinite: 2 } as const;

/** Bit NonFinite.nan for a NaN, NonFinite.infinite for ±Infinity among g, or among the mean accumulate_f32 would write. */
export function nonFinite_f32(h: Float32Array, u: Uint32Array, segments: number, acc: number, count: number, flags: number, invK: number): number {
  invK = f(invK);
  const finish = (flags & AccumulateFlag.finish) !== 0, first = (flags & AccumulateFlag.first) !== 0;
  let nan = false, infinite = false;
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const G = gradient(u, e) >>> 2, A = (acc + slice(u, e)) >>> 2, n = length(u, e);
    for (let i = 0; i < n; i++) {
      let x = h[G + i];
      if (finish) x = f((first ? x : f(h[A + i] + x)) * invK);
      if (x !== x) nan = true;
      else if (Math.abs(x) === Infinity) infinite = true;
    }
  }
  return (nan ? NonFinite.nan : 0) | (infinite ? NonFinite.infinite : 0);
}

// Writes an f64 into the heap through its u32 view: two words in the platform's order, as a
// Float64Array over the heap would store it, without allocating a view per call.
const word64 = new Float64Array(1);
const words = new Uint32Array(word64.buffer);
function storeF64(u: Uint32Array, at: number, x: number): void {
  word64[0] = x;
  u[at >>> 2] = words[0];
  u[(at >>> 2) + 1] = words[1];
}

export function diagnose_f32(h: Float32Array, u: Uint32Array, segments: number, prevGrad: number, prevParams: number, count: number, out: number): void {
  let gg = 0, gp = 0, pp = 0;
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const G = gradient(u, e) >>> 2, R = (prevGrad + slice(u, e)) >>> 2, n = length(u, e);
    let gg0 = 0, gg1 = 0, gg2 = 0, gg3 = 0;
    let gp0 = 0, gp1 = 0, gp2 = 0, gp3 = 0;
    let pp0 = 0, pp1 = 0, pp2 = 0, pp3 = 0;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const g0 = h[G + i], g1 = h[G + i + 1], g2 = h[G + i + 2], g3 = h[G + i + 3];
      const r0 = h[R + i], r1 = h[R + i + 1], r2 = h[R + i + 2], r3 = h[R + i + 3];
      gg0 = gg0 + g0 * g0; gg1 = gg1 + g1 * g1; gg2 = gg2 + g2 * g2; gg3 = gg3 + g3 * g3;
      gp0 = gp0 + g0 * r0; gp1 = gp1 + g1 * r1; gp2 = gp2 + g2 * r2; gp3 = gp3 + g3 * r3;
      pp0 = pp0 + r0 * r0; pp1 = pp1 + r1 * r1; pp2 = pp2 + r2 * r2; pp3 = pp3 + r3 * r3;
    }
    let tgg = 0, tgp = 0, tpp = 0;
    for (; i < n; i++) {
      const gi = h[G + i], ri = h[R + i];
      tgg = tgg + gi * gi;
      tgp = tgp + gi * ri;
      tpp = tpp + ri * ri;
    }
    gg = gg + (((gg0 + gg1) + (gg2 + gg3)) + tgg);
    gp = gp + (((gp0 + gp1) + (gp2 + gp3)) + tgp);
    pp = pp + (((pp0 + pp1) + (pp2 + pp3)) + tpp);
    h.copyWithin(R, G, G + n);
    const P = values(u, e) >>> 2;
    h.copyWithin((prevParams + slice(u, e)) >>> 2, P, P + n);
  }
  storeF64(u, out, gg);
  storeF64(u, out + 8, gp);
  storeF64(u, out + 16, pp);
}

export function updateNorm_f32(h: Float32Array, u: Uint32Array, segments: number, prevParams: number, count: number): number {
  let total = 0;
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const P = values(u, e) >>> 2, R = (prevParams + slice(u, e)) >>> 2, n = length(u, e);
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const d0 = h[P + i] - h[R + i], d1 = h[P + i + 1] - h[R + i + 1];
      const d2 = h[P + i + 2] - h[R + i + 2], d3 = h[P + i + 3] - h[R + i + 3];
      a0 = a0 + d0 * d0;
      a1 = a1 + d1 * d1;
      a2 = a2 + d2 * d2;
      a3 = a3 + d3 * d3;
    }
    let t = 0;
    for (; i < n; i++) {
      const d = h[P + i] - h[R + i];
      t = t + d * d;
    }
    total = total + (((a0 + a1) + (a2 + a3)) + t);
  }
  return total;
}
