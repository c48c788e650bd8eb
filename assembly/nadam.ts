// NAdam, as torch.optim.NAdam (_single_tensor_nadam, torch 2.13), per element in
// torch's rounding order (every arrow rounds to f32):
//   g = g·gradScale                                          (clipping's coefficient, negated to maximize)
//   if decoupled: p = p·paramScale                           paramScale = 1 − lr·wd (torch 2.x's decoupled_weight_decay)
//   if decay: g = g + wd·p
//   m = m.lerp(g, 1−β1)                                      (torch 2.13, as assembly/adam.ts)
//   v = v·β2 + ((1−β2)·g)·g
//   denom = sqrt(v / bc2) + eps                              (divide before the sqrt, unlike Adam)
//   p = p + (gradCoef·g) / denom                             gradCoef = −lr·(1−μt)/(1−Πμ)
//   p = p + (avgCoef·m) / denom                              avgCoef = −lr·μt+1/(1−Πμ·μt+1)
// The momentum schedule μt and its running product live on the host (see src/optim/nadam.ts).
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); expAvg,
// expAvgSq are its state buffers; `scalars` is its scalar block, slots in NAdamScalar's order, computed
// in f64 on the host and stored as f32 once; `flags` is NAdamFlag bits, dispatched once per call so
// that no flag is tested per element.
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum NAdamScalar { weightDecay, beta1, lerpCoef, beta2, oneMinusBeta2, biasCorrection2, eps, gradCoef, avgCoef, gradScale, paramScale }
export enum NAdamFlag { decay = 1, decoupled = 2, lerpHigh = 4 }

// @ts-ignore: decorator
@inline function nadamSegment(
  p: usize, g: usize, expAvg: usize, expAvgSq: usize, n: i32,
  weightDecay: f32, lerpCoef: f32, beta2: f32, oneMinusBeta2: f32,
  biasCorrection2: f32, eps: f32, gradCoef: f32, avgCoef: f32, gradScale: f32, paramScale: f32,
  decay: bool, decoupled: bool, high: bool,
): void {
  const vWeightDecay = f32x4.splat(weightDecay);
  const vLerpCoef = f32x4.splat(lerpCoef);
  const vBeta2 = f32x4.splat(beta2);
  const vOneMinusBeta2 = f32x4.splat(oneMinusBeta2);
  const vBiasCorrection2 = f32x4.splat(biasCorrection2);
  const vEps = f32x4.splat(eps);
  const vGradCoef = f32x4.splat(gradCoef);
  const vAvgCoef = f32x4.splat(avgCoef);
  const vGradScale = f32x4.splat(gradScale);
  const vParamScale = f32x4.splat(paramScale);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let vp = v128.load(p + o);
    let vg = f32x4.mul(v128.load(g + o), vGradScale);
    if (decoupled) vp = f32x4.mul(vp, vParamScale);
    if (decay) vg = f32x4.add(vg, f32x4.mul(vWeightDecay, vp));
    const vm0 = v128.load(expAvg + o);
    const vm = f32x4.add((high ? vg : vm0), f32x4.mul(vLerpCoef, f32x4.sub(vg, vm0)));
    const vv = f32x4.add(f32x4.mul(v128.load(expAvgSq + o), vBeta2), f32x4.mul(f32x4.mul(vOneMinusBeta2, vg), vg));
    v128.store(expAvg + o, vm);
    v128.store(expAvgSq + o, vv);
    const vDenom = f32x4.add(f32x4.sqrt(f32x4.div(vv, vBiasCorrection2)), vEps);
    const vp1 = f32x4.add(vp, f32x4.div(f32x4.mul(vGradCoef, vg), vDenom));
    v128.store(p + o, f32x4.add(vp1, f32x4.div(f32x4.mul(vAvgCoef, vm), vDenom)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let pi = load<f32>(p + o);
    let gi = load<f32>(g + o) * gradScale;
    if (decoupled) pi = pi * paramScale;
    if (decay) gi = gi + weightDecay * pi;
    const m0 = load<f32>(expAvg + o);
    const m = (high ? gi : m0) + lerpCoef * (gi - m0);
    const v = load<f32>(expAvgSq + o) * beta2 + (oneMinusBeta2 * gi) * gi;
    store<f32>(expAvg + o, m);
    store<f32>(expAvgSq + o, v);
    const denom = sqrt<f32>(v / biasCorrection2) + eps;
    const p1 = pi + (gradCoef * gi) / denom;
    store<f32>(p + o, p1 + (avgCoef * m) / denom);
  }
}

// @ts-ignore: decorator
@inline function nadamGroup(
  segments: usize, expAvg: usize, expAvgSq: usize, count: i32, scalars: usize,
  decay: bool, decoupled: bool, high: bool,
): void {
  const weightDecay = scalar(scalars, NAdamScalar.weightDecay);
  const lerpCoef = scalar(scalars, NAdamScalar.lerpCoef);
  const beta2 = scalar(scalars, NAdamScalar.beta2);
  const oneMinusBeta2 = scalar(scalars, NAdamScalar.oneMinusBeta2);
  const biasCorrection2 = scalar(scalars, NAdamScalar.biasCorrection2);
  const eps = scalar(scalars, NAdamScalar.eps);
  const gradCoef = scalar(scalars, NAdamScalar.gradCoef);
  const avgCoef = scalar(scalars, NAdamScalar.avgCoef);
  const gradScale = scalar(scalars, NAdamScalar.gradScale);
  const paramScale = scalar(scalars, NAdamScalar.paramScale);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(e);
    nadamSegment(
      values(e), gradient(e), expAvg + at, expAvgSq + at, length(e),
      weightDecay, lerpCoef, beta2, oneMinusBeta2, biasCorrection2, eps, gradCoef, avgCoef, gradScale, paramScale,
      decay, decoupled, high,
    );
  }
}

export function nadam_f32(segments: usize, expAvg: usize, expAvgSq: usize, count: i32, scalars: usize, flags: i32): void {
  // lerpHigh is a loop variant of its own, as every flag: a constant once inlined.
  switch (flags) {
    case 0: nadamGroup(segments, expAvg, expAvgSq, count, scalars, false, false, false); break;
    case NAdamFlag.lerpHigh: nadamGroup(segments, expAvg, expAvgSq, count, scalars, false, false, true); break;
    case NAdamFlag.decay: nadamGroup(segments, expAvg, expAvgSq, count, scalars, true, false, false); break;
    case NAdamFlag.decay | NAdamFlag.lerpHigh: nadamGroup(segments, expAvg, expAvgSq, count, scalars, true, false, true); break;
    case NAdamFlag.decoupled: nadamGroup(segments, expAvg, expAvgSq, count, scalars, false, true, false); break;
    case NAdamFlag.decoupled | NAdamFlag.lerpHigh: nadamGroup(segments, expAvg, expAvgSq, count, scalars, false, true, true); break;
  }
}
