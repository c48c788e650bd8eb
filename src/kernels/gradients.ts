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

/** What prospectiveNorm_f32 applies before it measures (assembly/gradients.ts: enum ProspectFlag). */
export const ProspectFlag = { first: 1, finish: 2, clamp: 4 } as const;

/** Gradient i as the passes before a clipped step would leave it: accumulate_f32's mean, then clampGrads_f32's clamp. */
function prospect(h: Float32Array, G: number, A: number, i: number, invK: number, clip: number, first: boolean, finish: boolean, clamp: boolean): number {
  let x = h[G + i];
  if (finish) x = f((first ? x : f(h[A + i] + x)) * invK);
  if (clamp) {
    const negClip = -clip;
    x = x < negClip ? negClip : x;
    x = clip < x ? clip : x;
  }
  return x;
}

export function prospectiveNorm_f32(
  h: Float32Array, u: Uint32Array, segments: number, acc: number, count: number, normType: number, flags: number, invK: number, clip: number,
): number {
  if (normType !== 0 && normType !== 1 && normType !== 2) return NaN;
  invK = f(invK);
  clip = f(clip);
  const first = (flags & ProspectFlag.first) !== 0, finish = (flags & ProspectFlag.finish) !== 0, clamp = (flags & ProspectFlag.clamp) !== 0;
  let total = 0, max = 0;
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const G = gradient(u, e) >>> 2, A = (acc + slice(u, e)) >>> 2, n = length(u, e);
    if (normType === 0) {
      for (let i = 0; i < n; i++) max = Math.max(max, Math.abs(prospect(h, G, A, i, invK, clip, first, finish, clamp)));
      continue;
    }
    // gradNorm_f32's order: lanes 4i+k of the 4-wide blocks into a_k, the tail into t.
    const a = [0, 0, 0, 0];
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      for (let k = 0; k < 4; k++) {
        const x = prospect(h, G, A, i + k, invK, clip, first, finish, clamp);
        a[k] = a[k] + (normType === 2 ? x * x : Math.abs(x));
      }
    }
    let t = 0;
    for (; i < n; i++) {
      const x = prospect(h, G, A, i, invK, clip, first, finish, clamp);
      t = t + (normType === 2 ? x * x : Math.abs(x));
    }
    total = total + (((a[0] + a[1]) + (a[2] + a[3])) + t);
  }
  return normType === 0 ? max : total;
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
