// RAdam, as torch.optim.RAdam (_single_tensor_radam, torch 1.13; maximize and decoupled_weight_decay as torch 2.x), per element in
// torch's rounding order (every arrow rounds to f32):
//   g = g·gradScale                                        (clipping's coefficient, negated to maximize)
//   if decoupled: p = p·paramScale                         paramScale = 1 − lr·wd (torch 2.x's decoupled_weight_decay)
//   if decay: g = g + wd·p
//   m = m.lerp(g, 1−β1) (torch 2.13, as assembly/adam.ts);  v = v·β2 + ((1−β2)·g)·g;  mhat = m / bc1
//   rectify (ρt > 5, decided on the host):
//     alr = (1 / (sqrt(v) + eps))·sqrt(bc2)                 (scalar / tensor: reciprocal, then multiply)
//     p = p − ((mhat·lr)·alr)·rect
//   else:
//     p = p − mhat·lr
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); expAvg,
// expAvgSq are its state buffers; `scalars` is its scalar block, slots in RAdamScalar's order, computed
// in f64 on the host and stored as f32 once; `flags` is RAdamFlag bits (rectify: the host's ρt > 5),
// dispatched once per call so that no flag is tested per element.
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum RAdamScalar { weightDecay, beta1, lerpCoef, beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect, gradScale, paramScale }
export enum RAdamFlag { decay = 1, rectify = 2, decoupled = 4, lerpHigh = 8 }

// @ts-ignore: decorator
@inline function radamSegment(
  p: usize, g: usize, expAvg: usize, expAvgSq: usize, n: i32,
  weightDecay: f32, lerpCoef: f32, beta2: f32, oneMinusBeta2: f32,
  biasCorrection1: f32, lr: f32, biasCorrection2Sqrt: f32, eps: f32, rect: f32, gradScale: f32, paramScale: f32,
  decay: bool, rectify: bool, decoupled: bool, high: bool,
): void {
  const vWeightDecay = f32x4.splat(weightDecay);
  const vLerpCoef = f32x4.splat(lerpCoef);
  const vBeta2 = f32x4.splat(beta2);
  const vOneMinusBeta2 = f32x4.splat(oneMinusBeta2);
  const vBiasCorrection1 = f32x4.splat(biasCorrection1);
  const vLr = f32x4.splat(lr);
  const vBiasCorrection2Sqrt = f32x4.splat(biasCorrection2Sqrt);
  const vEps = f32x4.splat(eps);
  const vRect = f32x4.splat(rect);
  const vGradScale = f32x4.splat(gradScale);
  const vOne = f32x4.splat(1);
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
    const vStep = f32x4.mul(f32x4.div(vm, vBiasCorrection1), vLr);
    if (rectify) {
      const vAdaptiveLr = f32x4.mul(f32x4.div(vOne, f32x4.add(f32x4.sqrt(vv), vEps)), vBiasCorrection2Sqrt);
      v128.store(p + o, f32x4.sub(vp, f32x4.mul(f32x4.mul(vStep, vAdaptiveLr), vRect)));
    } else {
      v128.store(p + o, f32x4.sub(vp, vStep));
    }
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
    const step = (m / biasCorrection1) * lr;
    if (rectify) {
      const adaptiveLr = (<f32>1 / (sqrt<f32>(v) + eps)) * biasCorrection2Sqrt;
      store<f32>(p + o, pi - (step * adaptiveLr) * rect);
    } else {
      store<f32>(p + o, pi - step);
    }
  }
}

// @ts-ignore: decorator
@inline function radamGroup(
  segments: usize, expAvg: usize, expAvgSq: usize, count: i32, scalars: usize,
  decay: bool, rectify: bool, decoupled: bool, high: bool,
): void {
  const weightDecay = scalar(scalars, RAdamScalar.weightDecay);
  const lerpCoef = scalar(scalars, RAdamScalar.lerpCoef);
  const beta2 = scalar(scalars, RAdamScalar.beta2);
  const oneMinusBeta2 = scalar(scalars, RAdamScalar.oneMinusBeta2);
  const biasCorrection1 = scalar(scalars, RAdamScalar.biasCorrection1);
  const lr = scalar(scalars, RAdamScalar.lr);
  const biasCorrection2Sqrt = scalar(scalars, RAdamScalar.biasCorrection2Sqrt);
  const eps = scalar(scalars, RAdamScalar.eps);
  const rect = scalar(scalars, RAdamScalar.rect);
  const gradScale = scalar(scalars, RAdamScalar.gradScale);
  const paramScale = scalar(scalars, RAdamScalar.paramScale);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(e);
    radamSegment(
      values(e), gradient(e), expAvg + at, expAvgSq + at, length(e),
      weightDecay, lerpCoef, beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect, gradScale, paramScale,
      decay, rectify, decoupled, high,
    );
  }
}

export function radam_f32(segments: usize, expAvg: usize, expAvgSq: usize, count: i32, scalars: usize, flags: i32): void {
  // lerpHigh is a loop variant of its own, as every flag: a constant once inlined.
  switch (flags) {
    case 0: radamGroup(segments, expAvg, expAvgSq, count, scalars, false, false, false, false); break;
    case RAdamFlag.lerpHigh: radamGroup(segments, expAvg, expAvgSq, count, scalars, false, false, false, true); break;
    case RAdamFlag.rectify: radamGroup(segments, expAvg, expAvgSq, count, scalars, false, true, false, false); break;
    case RAdamFlag.rectify | RAdamFlag.lerpHigh: radamGroup(segments, expAvg, expAvgSq, count, scalars, false, true, false, true); break;
    case RAdamFlag.decay: radamGroup(segments, expAvg, expAvgSq, count, scalars, true, false, false, false); break;
    case RAdamFlag.decay | RAdamFlag.lerpHigh: radamGroup(segments, expAvg, expAvgSq, count, scalars, true, false, false, true); break;
    case RAdamFlag.decay | RAdamFlag.rectify: radamGroup(segments, expAvg, expAvgSq, count, scalars, true, true, false, false); break;
    case RAdamFlag.decay | RAdamFlag.rectify | RAdamFlag.lerpHigh: radamGroup(segments, expAvg, expAvgSq, count, scalars, true, true, false, true); break;
    case RAdamFlag.decoupled: radamGroup(segments, expAvg, expAvgSq, count, scalars, false, false, true, false); break;
    case RAdamFlag.decoupled | RAdamFlag.lerpHigh: radamGroup(segments, expAvg, expAvgSq, count, scalars, false, false, true, true); break;
    case RAdamFlag.decoupled | RAdamFlag.rectify: radamGroup(segments, expAvg, expAvgSq, count, scalars, false, true, true, false); break;
    case RAdamFlag.decoupled | RAdamFlag.rectify | RAdamFlag.lerpHigh: radamGroup(segments, expAvg, expAvgSq, count, scalars, false, true, true, true); break;
  }
}
