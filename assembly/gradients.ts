// Gradient processing around a step: norms for torch.nn.utils.clip_grad_norm_, in-place scaling and
// clamping (clip_grad_norm_'s mul_, clip_grad_value_'s clamp_), accumulation over k micro-batches, and
// the sums behind gradient diagnostics. Memory contract: `segments` is a group's segment table
// (`count` tensors, see group.ts); acc, prevGrad, prevParams are state buffers (each tensor's slice at
// buffer + slice(entry)); `out` is 8-byte aligned. Nothing is allocated.
//
// Reductions are in f64, in one order shared with the JS mirror (src/kernels/gradients.ts), so the two
// give the same bits. Per segment, the 4-wide blocks put element 4i+k (k = 0..3), promoted to f64, into
// lane accumulator a_k (two f64x2), the scalar tail into a fifth, t; the segment's partial is
// ((a0 + a1) + (a2 + a3)) + t; partials are added to a running total (from +0) in table order.
// Squares and products of f32 values are exact in f64, and f32 squares cannot overflow f64, so a sum
// of squares is finite iff every element is. The max-norm is a max, exact in any order (f32x4.max and
// Math.max both propagate NaN).
//
// NaN payloads: scale and accumulate produce NaN with unspecified payload bits (wasm leaves them to the
// engine), so tests compare NaN-ness there; clamp and every copy keep a NaN's own bits.
import { gradient, length, segment, slice, values } from "./group";

export enum AccumulateFlag { first = 1, finish = 2 }

/** f64 lanes 0, 1 and 2, 3 of an f32x4. */
// @ts-ignore: decorator
@inline function low(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

// @ts-ignore: decorator
@inline function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(f32x4.shuffle(v, v, 2, 3, 2, 3));
}

/** ((a0 + a1) + (a2 + a3)) + t, with a0 a1 in v01 and a2 a3 in v23. */
// @ts-ignore: decorator
@inline function partial(v01: v128, v23: v128, t: f64): f64 {
  return ((f64x2.extract_lane(v01, 0) + f64x2.extract_lane(v01, 1)) + (f64x2.extract_lane(v23, 0) + f64x2.extract_lane(v23, 1))) + t;
}

// @ts-ignore: decorator
@inline function sumSquares(g: usize, n: i32): f64 {
  let v01 = f64x2.splat(0);
  let v23 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const vg = v128.load(g + (<usize>i << 2));
    const vLow = low(vg), vHigh = high(vg);
    v01 = f64x2.add(v01, f64x2.mul(vLow, vLow));
    v23 = f64x2.add(v23, f64x2.mul(vHigh, vHigh));
  }
  let t: f64 = 0;
  for (; i < n; i++) {
    const gi = <f64>load<f32>(g + (<usize>i << 2));
    t = t + gi * gi;
  }
  return partial(v01, v23, t);
}

// @ts-ignore: decorator
@inline function sumAbs(g: usize, n: i32): f64 {
  let v01 = f64x2.splat(0);
  let v23 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const vAbs = f32x4.abs(v128.load(g + (<usize>i << 2)));
    v01 = f64x2.add(v01, low(vAbs));
    v23 = f64x2.add(v23, high(vAbs));
  }
  let t: f64 = 0;
  for (; i < n; i++) t = t + <f64>abs<f32>(load<f32>(g + (<usize>i << 2)));
  return partial(v01, v23, t);
}

// @ts-ignore: decorator
@inline function maxAbs(g: usize, n: i32): f32 {
  let vMax = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) vMax = f32x4.max(vMax, f32x4.abs(v128.load(g + (<usize>i << 2))));
  let t: f32 = 0;
  for (; i < n; i++) t = max<f32>(t, abs<f32>(load<f32>(g + (<usize>i << 2))));
  const m01 = max<f32>(f32x4.extract_lane(vMax, 0), f32x4.extract_lane(vMax, 1));
  const m23 = max<f32>(f32x4.extract_lane(vMax, 2), f32x4.extract_lane(vMax, 3));
  return max<f32>(max<f32>(m01, m23), t);
}

/**
 * The group's part of a gradient norm: normType 2 → Σ g² (the caller adds groups, then takes the
 * sqrt), 1 → Σ |g|, 0 (torch's inf) → max |g|; any other type → NaN. Finite iff every g is.
 */
export function gradNorm_f32(segments: usize, count: i32, normType: i32): f64 {
  let total: f64 = 0;
  switch (normType) {
    case 2: {
      for (let s = 0; s < count; s++) {
        const e = segment(segments, s);
        total = total + sumSquares(gradient(e), length(e));
      }
      return total;
    }
    case 1: {
      for (let s = 0; s < count; s++) {
        const e = segment(segments, s);
        total = total + sumAbs(gradient(e), length(e));
      }
      return total;
    }
    case 0: {
      let m: f32 = 0;
      for (let s = 0; s < count; s++) {
        const e = segment(segments, s);
        m = max<f32>(m, maxAbs(gradient(e), length(e)));
      }
      return <f64>m;
    }
  }
  return NaN;
}

/** g = g·scale in place (clip_grad_norm_'s mul_ by clip_coef). */
export function scaleGrads_f32(segments: usize, count: i32, scale: f32): void {
  const vScale = f32x4.splat(scale);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const g = gradient(e), n = length(e);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = g + (<usize>i << 2);
      v128.store(o, f32x4.mul(v128.load(o), vScale));
    }
    for (; i < n; i++) {
      const o = g + (<usize>i << 2);
      store<f32>(o, load<f32>(o) * scale);
    }
  }
}

/**
 * g = min(max(g, −clip), clip) in place, as torch's clamp_ (clip_grad_value_) evaluates it on the CPU:
 * std::min(std::max(g, lo), hi), i.e. select by `<`, so a NaN passes through as it is. Compare-and-
 * select, not f32x4.min/max: those (and Math.min/max) agree on values but return a NaN of unspecified
 * payload; this keeps every NaN's bits, in both backends.
 */
export function clampGrads_f32(segments: usize, count: i32, clip: f32): void {
  const negClip = -clip;
  const vNegClip = f32x4.splat(negClip);
  const vClip = f32x4.splat(clip);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const g = gradient(e), n = length(e);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = g + (<usize>i << 2);
      const vg = v128.load(o);
      const vRaised = v128.bitselect(vNegClip, vg, f32x4.lt(vg, vNegClip));
      v128.store(o, v128.bitselect(vClip, vRaised, f32x4.lt(vClip, vRaised)));
    }
    for (; i < n; i++) {
      const o = g + (<usize>i << 2);
      const gi = load<f32>(o);
      const raised = gi < negClip ? negClip : gi;
      store<f32>(o, clip < raised ? clip : raised);
    }
  }
}

// @ts-ignore: decorator
@inline function accumulateSegment(g: usize, acc: usize, n: i32, invK: f32, first: bool, finish: bool): void {
  if (first && !finish) {
    memory.copy(acc, g, <usize>n << 2);
    return;
  }
  const vInvK = f32x4.splat(invK);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vg = v128.load(g + o);
    const vSum = first ? vg : f32x4.add(v128.load(acc + o), vg);
    if (finish) v128.store(g + o, f32x4.mul(vSum, vInvK));
    else v128.store(acc + o, vSum);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const sum = first ? gi : load<f32>(acc + o) + gi;
    if (finish) store<f32>(g + o, sum * invK);
    else store<f32>(acc + o, sum);
  }
}

// @ts-ignore: decorator
@inline function accumulateGroup(segments: usize, acc: usize, count: i32, invK: f32, first: bool, finish: bool): void {
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    accumulateSegment(gradient(e), acc + slice(e), length(e), invK, first, finish);
  }
}

/** What prospectiveNorm_f32 applies before it measures: accumulate_f32's last pass, then clampGrads_f32. */
export enum ProspectFlag { first = 1, finish = 2, clamp = 4 }

/**
 * The group's part of gradNorm_f32 (normType 2, 1 or 0, the same partials in the same order) of the
 * gradients as the passes before a clipped step would leave them, writing nothing: with
 * ProspectFlag.finish each g is first (acc + g)·invK (g·invK with first | finish), as accumulate_f32's
 * last call writes it; with ProspectFlag.clamp it is then clamped to [−clip, clip] as clampGrads_f32 does.
 * errorIfNonfinite refuses a step on this norm before those passes change the user's gradients.
 */
export function prospectiveNorm_f32(segments: usize, acc: usize, count: i32, normType: i32, flags: i32, invK: f32, clip: f32): f64 {
  switch (normType) {
    case 2: return prospectByMean(segments, acc, count, 2, flags, invK, clip);
    case 1: return prospectByMean(segments, acc, count, 1, flags, invK, clip);
    case 0: return prospectByMean(segments, acc, count, 0, flags, invK, clip);
  }
  return NaN;
}

// The flag combinations, each a loop of its own once inlined (constant first, finish, clamp, normType).
// @ts-ignore: decorator
@inline function prospectByMean(segments: usize, acc: usize, count: i32, normType: i32, flags: i32, invK: f32, clip: f32): f64 {
  const clamp = (flags & ProspectFlag.clamp) != 0;
  switch (flags & (ProspectFlag.first | ProspectFlag.finish)) {
    case ProspectFlag.finish: return clamp ? prospectGroup(segments, acc, count, normType, invK, clip, false, true, true) : prospectGroup(segments, acc, count, normType, invK, clip, false, true, false);
    case ProspectFlag.first | ProspectFlag.finish: return clamp ? prospectGroup(segments, acc, count, normType, invK, clip, true, true, true) : prospectGroup(segments, acc, count, normType, invK, clip, true, true, false);
  }
  return clamp ? prospectGroup(segments, acc, count, normType, invK, clip, false, false, true) : prospectGroup(segments, acc, count, normType, invK, clip, false, false, false);
}

/** Four gradients as the passes would leave them: the mean's f32 operations, then the clamp's selects. */
// @ts-ignore: decorator
@inline function prospect4(g: usize, a: usize, o: usize, vInvK: v128, vNegClip: v128, vClip: v128, first: bool, finish: bool, clamp: bool): v128 {
  let vx = v128.load(g + o);
  if (finish) vx = f32x4.mul(first ? vx : f32x4.add(v128.load(a + o), vx), vInvK);
  if (clamp) {
    vx = v128.bitselect(vNegClip, vx, f32x4.lt(vx, vNegClip));
    vx = v128.bitselect(vClip, vx, f32x4.lt(vClip, vx));
  }
  return vx;
}

// @ts-ignore: decorator
@inline function prospect1(g: usize, a: usize, o: usize, invK: f32, clip: f32, first: bool, finish: bool, clamp: bool): f32 {
  let x = load<f32>(g + o);
  if (finish) x = (first ? x : load<f32>(a + o) + x) * invK;
  if (clamp) {
    const negClip = -clip;
    x = x < negClip ? negClip : x;
    x = clip < x ? clip : x;
  }
  return x;
}

// @ts-ignore: decorator
@inline function prospectGroup(segments: usize, acc: usize, count: i32, normType: i32, invK: f32, clip: f32, first: bool, finish: bool, clamp: bool): f64 {
  const vInvK = f32x4.splat(invK), vNegClip = f32x4.splat(-clip), vClip = f32x4.splat(clip);
  let total: f64 = 0;
  let m: f32 = 0;
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const g = gradient(e), a = acc + slice(e), n = length(e);
    let i = 0;
    if (normType == 0) {
      let vMax = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) vMax = f32x4.max(vMax, f32x4.abs(prospect4(g, a, <usize>i << 2, vInvK, vNegClip, vClip, first, finish, clamp)));
      let t: f32 = 0;
      for (; i < n; i++) t = max<f32>(t, abs<f32>(prospect1(g, a, <usize>i << 2, invK, clip, first, finish, clamp)));
      const m01 = max<f32>(f32x4.extract_lane(vMax, 0), f32x4.extract_lane(vMax, 1));
      const m23 = max<f32>(f32x4.extract_lane(vMax, 2), f32x4.extract_lane(vMax, 3));
      m = max<f32>(m, max<f32>(max<f32>(m01, m23), t));
      continue;
    }
    let v01 = f64x2.splat(0);
    let v23 = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const vx = prospect4(g, a, <usize>i << 2, vInvK, vNegClip, vClip, first, finish, clamp);
      if (normType == 2) {
        const vLow = low(vx), vHigh = high(vx);
        v01 = f64x2.add(v01, f64x2.mul(vLow, vLow));
        v23 = f64x2.add(v23, f64x2.mul(vHigh, vHigh));
      } else {
        const vAbs = f32x4.abs(vx);
        v01 = f64x2.add(v01, low(vAbs));
        v23 = f64x2.add(v23, high(vAbs));
      }
    }
    let t: f64 = 0;
    for (; i < n; i++) {
      const x = <f64>prospect1(g, a, <usize>i << 2, invK, clip, first, finish, clamp);
      t = normType == 2 ? t + x * x : t + abs<f64>(x);
    }
    total = total + partial(v01, v23, t);
  }
  return normType == 0 ? <f64>m : total;
}

/**
 * Gradient accumulation over k micro-batches, one call per micro-batch: first → acc = g (a copy);
 * neither flag → acc = acc + g; finish → g = (acc + g)·invK, acc untouched; first | finish (k = 1)
 * → g = g·invK.
 */
export function accumulate_f32(segments: usize, acc: usize, count: i32, flags: i32, invK: f32): void {
  switch (flags) {
    case 0: accumulateGroup(segments, acc, count, invK, false, false); break;
    case AccumulateFlag.first: accumulateGroup(segments, acc, count, invK, true, false); break;
    case AccumulateFlag.finish: accumulateGroup(segments, acc, count, invK, false, true); break;
    case AccumulateFlag.first | AccumulateFlag.finish: accumulateGroup(segments, acc, count, invK, true, true); break;
  }
}

/**
 * Writes Σ g², Σ g·prev, Σ prev² (prev: prevGrad's slice) as three f64 at `out`, then copies each
 * gradient into prevGrad and each tensor's values into prevParams.
 */
export function diagnose_f32(segments: usize, prevGrad: usize, prevParams: usize, count: i32, out: usize): void {
  let gg: f64 = 0, gp: f64 = 0, pp: f64 = 0;
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const g = gradient(e), prev = prevGrad + slice(e), n = length(e);
    const p = values(e), saved = prevParams + slice(e);
    let vGG01 = f64x2.splat(0), vGG23 = f64x2.splat(0);
    let vGP01 = f64x2.splat(0), vGP23 = f64x2.splat(0);
    let vPP01 = f64x2.splat(0), vPP23 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vg = v128.load(g + o), vp = v128.load(prev + o);
      // The copies ride in the same pass (the JS mirror copies after it: bit copies either way).
      v128.store(prev + o, vg);
      v128.store(saved + o, v128.load(p + o));
      const vgLow = low(vg), vgHigh = high(vg), vpLow = low(vp), vpHigh = high(vp);
      vGG01 = f64x2.add(vGG01, f64x2.mul(vgLow, vgLow));
      vGG23 = f64x2.add(vGG23, f64x2.mul(vgHigh, vgHigh));
      vGP01 = f64x2.add(vGP01, f64x2.mul(vgLow, vpLow));
      vGP23 = f64x2.add(vGP23, f64x2.mul(vgHigh, vpHigh));
      vPP01 = f64x2.add(vPP01, f64x2.mul(vpLow, vpLow));
      vPP23 = f64x2.add(vPP23, f64x2.mul(vpHigh, vpHigh));
    }
    let tGG: f64 = 0, tGP: f64 = 0, tPP: f64 = 0;
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const gi = <f64>load<f32>(g + o), pi = <f64>load<f32>(prev + o);
      store<u32>(prev + o, load<u32>(g + o));
      store<u32>(saved + o, load<u32>(p + o));
      tGG = tGG + gi * gi;
      tGP = tGP + gi * pi;
      tPP = tPP + pi * pi;
    }
    gg = gg + partial(vGG01, vGG23, tGG);
    gp = gp + partial(vGP01, vGP23, tGP);
    pp = pp + partial(vPP01, vPP23, tPP);
  }
  store<f64>(out, gg);
  store<f64>(out, gp, 8);
  store<f64>(out, pp, 16);
}

/** Σ (p − prev)² over the group (prev: prevParams' slice), difference and square in f64. */
export function updateNorm_f32(segments: usize, prevParams: usize, count: i32): f64 {
  let total: f64 = 0;
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const p = values(e), prev = prevParams + slice(e), n = length(e);
    let v01 = f64x2.splat(0), v23 = f64x2.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vp = v128.load(p + o), vPrev = v128.load(prev + o);
      const vdLow = f64x2.sub(low(vp), low(vPrev)), vdHigh = f64x2.sub(high(vp), high(vPrev));
      v01 = f64x2.add(v01, f64x2.mul(vdLow, vdLow));
      v23 = f64x2.add(v23, f64x2.mul(vdHigh, vdHigh));
    }
    let t: f64 = 0;
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const d = <f64>load<f32>(p + o) - <f64>load<f32>(prev + o);
      t = t + d * d;
    }
    total = total + partial(v01, v23, t);
  }
  return total;
}
