// Adamax, as torch.optim.Adamax (_single_tensor_adamax, torch 1.13), per element in torch's rounding
// order (every arrow rounds to f32):
//   g = sign·grad;  if decay: g = g + wd·p
//   m = m.lerp(g, 1−β1) (torch 2.13; as assembly/adam.ts)
//   u = max(u·β2, |g| + eps)                 (torch.amax: NaN propagates, as f32.max does)
//   p = p + ((−lr/bc1)·m) / u
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); expAvg,
// expInf are its state buffers; `scalars` is its scalar block, slots in AdamaxScalar's order, computed
// in f64 on the host and stored as f32 once; `flags` is AdamaxFlag bits, dispatched once per call so
// that no flag is tested per element.
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum AdamaxScalar { sign, weightDecay, beta1, lerpCoef, beta2, eps, negClr }
export enum AdamaxFlag { decay = 1, lerpHigh = 2 }

// @ts-ignore: decorator
@inline function adamaxSegment(
  p: usize, g: usize, expAvg: usize, expInf: usize, n: i32,
  sign: f32, weightDecay: f32, lerpCoef: f32, beta2: f32, eps: f32, negClr: f32,
  decay: bool, high: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vLerpCoef = f32x4.splat(lerpCoef);
  const vBeta2 = f32x4.splat(beta2);
  const vEps = f32x4.splat(eps);
  const vNegClr = f32x4.splat(negClr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vp = v128.load(p + o);
    let vg = f32x4.mul(v128.load(g + o), vSign);
    if (decay) vg = f32x4.add(vg, f32x4.mul(vWeightDecay, vp));
    const vm0 = v128.load(expAvg + o);
    const vm = f32x4.add((high ? vg : vm0), f32x4.mul(vLerpCoef, f32x4.sub(vg, vm0)));
    v128.store(expAvg + o, vm);
    const vu = f32x4.max(f32x4.mul(v128.load(expInf + o), vBeta2), f32x4.add(f32x4.abs(vg), vEps));
    v128.store(expInf + o, vu);
    v128.store(p + o, f32x4.add(vp, f32x4.div(f32x4.mul(vNegClr, vm), vu)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o) * sign;
    if (decay) gi = gi + weightDecay * pi;
    const m0 = load<f32>(expAvg + o);
    const m = (high ? gi : m0) + lerpCoef * (gi - m0);
    store<f32>(expAvg + o, m);
    const u = max<f32>(load<f32>(expInf + o) * beta2, abs<f32>(gi) + eps);
    store<f32>(expInf + o, u);
    store<f32>(p + o, pi + (negClr * m) / u);
  }
}

// @ts-ignore: decorator
@inline function adamaxGroup(
  segments: usize, expAvg: usize, expInf: usize, count: i32, scalars: usize,
  decay: bool, high: bool,
): void {
  const sign = scalar(scalars, AdamaxScalar.sign);
  const weightDecay = scalar(scalars, AdamaxScalar.weightDecay);
  const lerpCoef = scalar(scalars, AdamaxScalar.lerpCoef);
  const beta2 = scalar(scalars, AdamaxScalar.beta2);
  const eps = scalar(scalars, AdamaxScalar.eps);
  const negClr = scalar(scalars, AdamaxScalar.negClr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(e);
    adamaxSegment(
      values(e), gradient(e), expAvg + at, expInf + at, length(e),
      sign, weightDecay, lerpCoef, beta2, eps, negClr,
      decay, high,
    );
  }
}

export function adamax_f32(segments: usize, expAvg: usize, expInf: usize, count: i32, scalars: usize, flags: i32): void {
  // lerpHigh is a loop variant of its own, as every flag: a constant once inlined.
  switch (flags) {
    case 0: adamaxGroup(segments, expAvg, expInf, count, scalars, false, false); break;
    case AdamaxFlag.lerpHigh: adamaxGroup(segments, expAvg, expInf, count, scalars, false, true); break;
    case AdamaxFlag.decay: adamaxGroup(segments, expAvg, expInf, count, scalars, true, false); break;
    case AdamaxFlag.decay | AdamaxFlag.lerpHigh: adamaxGroup(segments, expAvg, expInf, count, scalars, true, true); break;
  }
}
