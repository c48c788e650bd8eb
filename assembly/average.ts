// Parameter averaging, as torch.optim.swa_utils.AveragedModel.update_parameters (torch 2.13), per element
// in torch's rounding order (every arrow rounds to f32):
//   copy (the first update, n_averaged = 0):  avg = p
//   SWA, the default avg_fn:                  avg = avg + (p − avg) / c      c = f32(n_averaged + 1)
//   EMA, get_ema_multi_avg_fn(decay), torch's lerp of avg towards p by w = f32(1 − decay):
//     w < 0.5:   avg = avg + w·(p − avg)
//     w >= 0.5:  avg = p − (p − avg)·r        r = f32(1 − w)   (flag emaHigh, decided on the host)
// n_averaged is an int64 tensor: torch casts n_averaged + 1 to float32 and divides (a true division, not
// a multiplication by a reciprocal); 1 − decay is a Python float (a double), cast to float32 once.
// Memory contract: `segments` is a group's segment table (`count` tensors, see group.ts; gradients
// unused); `avg` is its state buffer of averaged values (each tensor's slice at avg + slice(entry));
// `scalars` is its scalar block, slots in AverageScalar's order, computed on the host; `flags` is
// AverageFlag bits, dispatched once per call. A copy moves bits; SWA and EMA make NaNs of unspecified
// payload, as any wasm arithmetic does.
import { length, scalar, segment, slice, values } from "./group";

export enum AverageScalar { countPlusOne, weight, oneMinusWeight }
export enum AverageFlag { copy = 1, ema = 2, emaHigh = 4 }

// @ts-ignore: decorator
@inline function swaSegment(p: usize, a: usize, n: i32, countPlusOne: f32): void {
  const vCountPlusOne = f32x4.splat(countPlusOne);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const va = v128.load(a + o);
    v128.store(a + o, f32x4.add(va, f32x4.div(f32x4.sub(v128.load(p + o), va), vCountPlusOne)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const ai = load<f32>(a + o);
    store<f32>(a + o, ai + (load<f32>(p + o) - ai) / countPlusOne);
  }
}

// @ts-ignore: decorator
@inline function emaSegment(p: usize, a: usize, n: i32, weight: f32, oneMinusWeight: f32, high: bool): void {
  const vWeight = f32x4.splat(weight);
  const vOneMinusWeight = f32x4.splat(oneMinusWeight);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const va = v128.load(a + o), vp = v128.load(p + o);
    const vDiff = f32x4.sub(vp, va);
    v128.store(a + o, high ? f32x4.sub(vp, f32x4.mul(vDiff, vOneMinusWeight)) : f32x4.add(va, f32x4.mul(vWeight, vDiff)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const ai = load<f32>(a + o), pi = load<f32>(p + o);
    const diff = pi - ai;
    store<f32>(a + o, high ? pi - diff * oneMinusWeight : ai + weight * diff);
  }
}

/** avg = p (first update), or one SWA or EMA step of every tensor's average. */
export function average_f32(segments: usize, avg: usize, count: i32, scalars: usize, flags: i32): void {
  const countPlusOne = scalar(scalars, AverageScalar.countPlusOne);
  const weight = scalar(scalars, AverageScalar.weight);
  const oneMinusWeight = scalar(scalars, AverageScalar.oneMinusWeight);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const p = values(e), a = avg + slice(e), n = length(e);
    if (flags & AverageFlag.copy) memory.copy(a, p, <usize>n << 2);
    else if (flags & AverageFlag.emaHigh) emaSegment(p, a, n, weight, oneMinusWeight, true);
    else if (flags & AverageFlag.ema) emaSegment(p, a, n, weight, oneMinusWeight, false);
    else swaSegment(p, a, n, countPlusOne);
  }
}

/**
 * Exchanges every tensor's values with its slice of `avg`, bit for bit (NaN payloads included): the
 * averaged values go into the live tensors for evaluation, and a second call puts them back.
 */
export function swapAveraged_f32(segments: usize, avg: usize, count: i32): void {
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const p = values(e), a = avg + slice(e), n = length(e);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vp = v128.load(p + o);
      v128.store(p + o, v128.load(a + o));
      v128.store(a + o, vp);
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const pi = load<u32>(p + o);
      store<u32>(p + o, load<u32>(a + o));
      store<u32>(a + o, pi);
    }
  }
}
