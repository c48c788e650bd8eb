// RMSprop, as torch.optim.RMSprop (_single_tensor_rmsprop, torch 1.13), per element in torch's
// rounding order (every arrow rounds to f32):
//   g = sign·grad;  if decay: g = g + wd·p
//   s = s·α + ((1−α)·g)·g
//   centered:  ga = ga.lerp(g, 1−α) (torch 2.13, as assembly/adam.ts: base + c·(g − ga));  avg = sqrt(s − ga·ga)     (addcmul value=−1: (−ga)·ga is exact)
//   else:      avg = sqrt(s)
//   avg = avg + eps
//   momentum:  buf = buf·μ + g/avg;  p = p + (−lr)·buf
//   else:      p = p + ((−lr)·g)/avg
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); squareAvg,
// gradAvg (untouched unless centered) and momentumBuffer (untouched without momentum) are its state
// buffers; `scalars` is its scalar block, slots in RMSpropScalar's order, computed in f64 on the host
// and stored as f32 once; `flags` is RMSpropFlag bits, dispatched once per call so that no flag is
// tested per element.
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum RMSpropScalar { sign, weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr, lerpCoef }
export enum RMSpropFlag { decay = 1, centered = 2, momentum = 4, lerpHigh = 8 }

// @ts-ignore: decorator
@inline function rmspropSegment(
  p: usize, g: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize, n: i32,
  sign: f32, weightDecay: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, momentum: f32, negLr: f32, lerpCoef: f32,
  decay: bool, centered: bool, useMomentum: bool, high: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vAlpha = f32x4.splat(alpha);
  const vOneMinusAlpha = f32x4.splat(oneMinusAlpha);
  // Below 0.5 the lerp weight is f32(1 − α), the oneMinusAlpha slot: no register of its own.
  const vLerpCoef = high ? f32x4.splat(lerpCoef) : vOneMinusAlpha;
  const vEps = f32x4.splat(eps);
  const vMomentum = f32x4.splat(momentum);
  const vNegLr = f32x4.splat(negLr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vp = v128.load(p + o);
    let vg = f32x4.mul(v128.load(g + o), vSign);
    if (decay) vg = f32x4.add(vg, f32x4.mul(vWeightDecay, vp));
    const vs = f32x4.add(f32x4.mul(v128.load(squareAvg + o), vAlpha), f32x4.mul(f32x4.mul(vOneMinusAlpha, vg), vg));
    v128.store(squareAvg + o, vs);
    let vAvg: v128;
    if (centered) {
      const vga0 = v128.load(gradAvg + o);
      const vga = f32x4.add((high ? vg : vga0), f32x4.mul(vLerpCoef, f32x4.sub(vg, vga0)));
      v128.store(gradAvg + o, vga);
      vAvg = f32x4.sqrt(f32x4.sub(vs, f32x4.mul(vga, vga)));
    } else {
      vAvg = f32x4.sqrt(vs);
    }
    vAvg = f32x4.add(vAvg, vEps);
    if (useMomentum) {
      const vb = f32x4.add(f32x4.mul(v128.load(momentumBuffer + o), vMomentum), f32x4.div(vg, vAvg));
      v128.store(momentumBuffer + o, vb);
      v128.store(p + o, f32x4.add(vp, f32x4.mul(vNegLr, vb)));
    } else {
      v128.store(p + o, f32x4.add(vp, f32x4.div(f32x4.mul(vNegLr, vg), vAvg)));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o) * sign;
    if (decay) gi = gi + weightDecay * pi;
    const s = load<f32>(squareAvg + o) * alpha + (oneMinusAlpha * gi) * gi;
    store<f32>(squareAvg + o, s);
    let avg: f32;
    if (centered) {
      const ga0 = load<f32>(gradAvg + o);
      const ga = (high ? gi : ga0) + lerpCoef * (gi - ga0);
      store<f32>(gradAvg + o, ga);
      avg = sqrt<f32>(s - ga * ga);
    } else {
      avg = sqrt<f32>(s);
    }
    avg = avg + eps;
    if (useMomentum) {
      const b = load<f32>(momentumBuffer + o) * momentum + gi / avg;
      store<f32>(momentumBuffer + o, b);
      store<f32>(p + o, pi + negLr * b);
    } else {
      store<f32>(p + o, pi + (negLr * gi) / avg);
    }
  }
}

// @ts-ignore: decorator
@inline function rmspropGroup(
  segments: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize, count: i32, scalars: usize,
  decay: bool, centered: bool, useMomentum: bool, high: bool,
): void {
  const sign = scalar(scalars, RMSpropScalar.sign);
  const weightDecay = scalar(scalars, RMSpropScalar.weightDecay);
  const alpha = scalar(scalars, RMSpropScalar.alpha);
  const oneMinusAlpha = scalar(scalars, RMSpropScalar.oneMinusAlpha);
  const lerpCoef = scalar(scalars, RMSpropScalar.lerpCoef);
  const eps = scalar(scalars, RMSpropScalar.eps);
  const momentum = scalar(scalars, RMSpropScalar.momentum);
  const negLr = scalar(scalars, RMSpropScalar.negLr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(e);
    rmspropSegment(
      values(e), gradient(e), squareAvg + at, gradAvg + at, momentumBuffer + at, length(e),
      sign, weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr, lerpCoef,
      decay, centered, useMomentum, high,
    );
  }
}

export function rmsprop_f32(segments: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize, count: i32, scalars: usize, flags: i32): void {
  // lerpHigh is a loop variant of its own, as every flag: a constant once inlined.
  switch (flags) {
    case 0: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, false, false, false, false); break;
    case RMSpropFlag.lerpHigh: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, false, false, false, true); break;
    case RMSpropFlag.momentum: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, false, false, true, false); break;
    case RMSpropFlag.momentum | RMSpropFlag.lerpHigh: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, false, false, true, true); break;
    case RMSpropFlag.centered: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, false, true, false, false); break;
    case RMSpropFlag.centered | RMSpropFlag.lerpHigh: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, false, true, false, true); break;
    case RMSpropFlag.centered | RMSpropFlag.momentum: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, false, true, true, false); break;
    case RMSpropFlag.centered | RMSpropFlag.momentum | RMSpropFlag.lerpHigh: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, false, true, true, true); break;
    case RMSpropFlag.decay: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, true, false, false, false); break;
    case RMSpropFlag.decay | RMSpropFlag.lerpHigh: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, true, false, false, true); break;
    case RMSpropFlag.decay | RMSpropFlag.momentum: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, true, false, true, false); break;
    case RMSpropFlag.decay | RMSpropFlag.momentum | RMSpropFlag.lerpHigh: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, true, false, true, true); break;
    case RMSpropFlag.decay | RMSpropFlag.centered: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, true, true, false, false); break;
    case RMSpropFlag.decay | RMSpropFlag.centered | RMSpropFlag.lerpHigh: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, true, true, false, true); break;
    case RMSpropFlag.decay | RMSpropFlag.centered | RMSpropFlag.momentum: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, true, true, true, false); break;
    case RMSpropFlag.decay | RMSpropFlag.centered | RMSpropFlag.momentum | RMSpropFlag.lerpHigh: rmspropGroup(segments, squareAvg, gradAvg, momentumBuffer, count, scalars, true, true, true, true); break;
  }
}
