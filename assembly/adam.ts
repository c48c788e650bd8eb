// Adam and AdamW, as torch.optim.Adam / AdamW (_single_tensor_adam, torch 2.13), per element in
// torch's rounding order (every arrow rounds to f32):
//   g = sign·grad                          sign = −1 for maximize (exact: a product with ±1)
//   if decoupled (AdamW):  p = p·(1 − lr·wd)
//   if decay (Adam's L2):  g = g + wd·p
//   m = m.lerp(g, w), w = f32(1−β1), torch's portable lerp: m + w·(g − m) for w < 0.5, else
//       g − (g − m)·f32(1 − w), written g + c·(g − m) with c = −f32(1 − w) (exact: negation), so both are
//       base + c·(g − m): base = m or g (flag lerpHigh, decided on the host: a loop variant of its own), c the lerpCoef slot
//   v = v·β2 + ((1−β2)·g)·g
//   if amsgrad: vmax = max(vmax, v), used for v below
//   denom = sqrt(v) / sqrt(bc2) + eps
//   p = p + ((−lr/bc1)·m) / denom
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); expAvg,
// expAvgSq, maxExpAvgSq are its state buffers (maxExpAvgSq untouched without amsgrad); `scalars` is its
// scalar block, slots in AdamScalar's order, computed in f64 on the host and stored as f32 once;
// `flags` is AdamFlag bits, dispatched once per call so that no flag is tested per element.
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum AdamScalar { sign, weightDecay, paramScale, beta1, lerpCoef, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize }
export enum AdamFlag { decay = 1, decoupled = 2, amsgrad = 4, lerpHigh = 8 }


// @ts-ignore: decorator
@inline function adamSegment(
  p: usize, g: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize, n: i32,
  sign: f32, weightDecay: f32, paramScale: f32, lerpCoef: f32, beta2: f32,
  oneMinusBeta2: f32, biasCorrection2Sqrt: f32, eps: f32, negStepSize: f32,
  decay: bool, decoupled: bool, amsgrad: bool, high: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vParamScale = f32x4.splat(paramScale);
  const vLerpCoef = f32x4.splat(lerpCoef);
  const vBeta2 = f32x4.splat(beta2);
  const vOneMinusBeta2 = f32x4.splat(oneMinusBeta2);
  const vBiasCorrection2Sqrt = f32x4.splat(biasCorrection2Sqrt);
  const vEps = f32x4.splat(eps);
  const vNegStepSize = f32x4.splat(negStepSize);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let vp = v128.load(p + o);
    let vg = f32x4.mul(v128.load(g + o), vSign);
    if (decoupled) vp = f32x4.mul(vp, vParamScale);
    if (decay) vg = f32x4.add(vg, f32x4.mul(vWeightDecay, vp));
    const vm0 = v128.load(expAvg + o);
    const vm = f32x4.add((high ? vg : vm0), f32x4.mul(vLerpCoef, f32x4.sub(vg, vm0)));
    let vv = f32x4.add(f32x4.mul(v128.load(expAvgSq + o), vBeta2), f32x4.mul(f32x4.mul(vOneMinusBeta2, vg), vg));
    v128.store(expAvg + o, vm);
    v128.store(expAvgSq + o, vv);
    if (amsgrad) {
      vv = f32x4.max(v128.load(maxExpAvgSq + o), vv);
      v128.store(maxExpAvgSq + o, vv);
    }
    const vDenom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vBiasCorrection2Sqrt), vEps);
    v128.store(p + o, f32x4.add(vp, f32x4.div(f32x4.mul(vNegStepSize, vm), vDenom)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let pi = load<f32>(p + o);
    let gi = load<f32>(g + o) * sign;
    if (decoupled) pi = pi * paramScale;
    if (decay) gi = gi + weightDecay * pi;
    const m0 = load<f32>(expAvg + o);
    const m = (high ? gi : m0) + lerpCoef * (gi - m0);
    let v = load<f32>(expAvgSq + o) * beta2 + (oneMinusBeta2 * gi) * gi;
    store<f32>(expAvg + o, m);
    store<f32>(expAvgSq + o, v);
    if (amsgrad) {
      v = max<f32>(load<f32>(maxExpAvgSq + o), v);
      store<f32>(maxExpAvgSq + o, v);
    }
    const denom = sqrt<f32>(v) / biasCorrection2Sqrt + eps;
    store<f32>(p + o, pi + (negStepSize * m) / denom);
  }
}

// @ts-ignore: decorator
@inline function adamGroup(
  segments: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize, count: i32, scalars: usize,
  decay: bool, decoupled: bool, amsgrad: bool, high: bool,
): void {
  const sign = scalar(scalars, AdamScalar.sign);
  const weightDecay = scalar(scalars, AdamScalar.weightDecay);
  const paramScale = scalar(scalars, AdamScalar.paramScale);
  const lerpCoef = scalar(scalars, AdamScalar.lerpCoef);
  const beta2 = scalar(scalars, AdamScalar.beta2);
  const oneMinusBeta2 = scalar(scalars, AdamScalar.oneMinusBeta2);
  const biasCorrection2Sqrt = scalar(scalars, AdamScalar.biasCorrection2Sqrt);
  const eps = scalar(scalars, AdamScalar.eps);
  const negStepSize = scalar(scalars, AdamScalar.negStepSize);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(e);
    adamSegment(
      values(e), gradient(e), expAvg + at, expAvgSq + at, maxExpAvgSq + at, length(e),
      sign, weightDecay, paramScale, lerpCoef, beta2, oneMinusBeta2, biasCorrection2Sqrt, eps, negStepSize,
      decay, decoupled, amsgrad, high,
    );
  }
}

export function adam_f32(segments: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize, count: i32, scalars: usize, flags: i32): void {
  // lerpHigh is a loop variant of its own, as every flag: a constant once inlined.
  switch (flags) {
    case 0: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, false, false, false, false); break;
    case AdamFlag.lerpHigh: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, false, false, false, true); break;
    case AdamFlag.amsgrad: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, false, false, true, false); break;
    case AdamFlag.amsgrad | AdamFlag.lerpHigh: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, false, false, true, true); break;
    case AdamFlag.decay: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, true, false, false, false); break;
    case AdamFlag.decay | AdamFlag.lerpHigh: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, true, false, false, true); break;
    case AdamFlag.decay | AdamFlag.amsgrad: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, true, false, true, false); break;
    case AdamFlag.decay | AdamFlag.amsgrad | AdamFlag.lerpHigh: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, true, false, true, true); break;
    case AdamFlag.decoupled: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, false, true, false, false); break;
    case AdamFlag.decoupled | AdamFlag.lerpHigh: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, false, true, false, true); break;
    case AdamFlag.decoupled | AdamFlag.amsgrad: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, false, true, true, false); break;
    case AdamFlag.decoupled | AdamFlag.amsgrad | AdamFlag.lerpHigh: adamGroup(segments, expAvg, expAvgSq, maxExpAvgSq, count, scalars, false, true, true, true); break;
  }
}
