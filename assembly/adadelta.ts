// Adadelta, as torch.optim.Adadelta (_single_tensor_adadelta, torch 1.13), per element in torch's
// rounding order (every arrow rounds to f32):
//   g = sign·grad;  if decay: g = g + wd·p
//   s = s·ρ + ((1−ρ)·g)·g
//   std = sqrt(s + eps)
//   δ = (sqrt(acc + eps) / std)·g
//   acc = acc·ρ + ((1−ρ)·δ)·δ
//   p = p + (−lr)·δ
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); squareAvg
// and accDelta are its state buffers; `scalars` is its scalar block, slots in AdadeltaScalar's order,
// computed in f64 on the host and stored as f32 once; `flags` is AdadeltaFlag bits, dispatched once
// per call so that no flag is tested per element.
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum AdadeltaScalar { sign, weightDecay, rho, oneMinusRho, eps, negLr }
export enum AdadeltaFlag { decay = 1 }

// @ts-ignore: decorator
@inline function adadeltaSegment(
  p: usize, g: usize, squareAvg: usize, accDelta: usize, n: i32,
  sign: f32, weightDecay: f32, rho: f32, oneMinusRho: f32, eps: f32, negLr: f32,
  decay: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vRho = f32x4.splat(rho);
  const vOneMinusRho = f32x4.splat(oneMinusRho);
  const vEps = f32x4.splat(eps);
  const vNegLr = f32x4.splat(negLr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vp = v128.load(p + o);
    let vg = f32x4.mul(v128.load(g + o), vSign);
    if (decay) vg = f32x4.add(vg, f32x4.mul(vWeightDecay, vp));
    const vs = f32x4.add(f32x4.mul(v128.load(squareAvg + o), vRho), f32x4.mul(f32x4.mul(vOneMinusRho, vg), vg));
    v128.store(squareAvg + o, vs);
    const vStd = f32x4.sqrt(f32x4.add(vs, vEps));
    const vAcc = v128.load(accDelta + o);
    const vDelta = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(vAcc, vEps)), vStd), vg);
    v128.store(accDelta + o, f32x4.add(f32x4.mul(vAcc, vRho), f32x4.mul(f32x4.mul(vOneMinusRho, vDelta), vDelta)));
    v128.store(p + o, f32x4.add(vp, f32x4.mul(vNegLr, vDelta)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o) * sign;
    if (decay) gi = gi + weightDecay * pi;
    const s = load<f32>(squareAvg + o) * rho + (oneMinusRho * gi) * gi;
    store<f32>(squareAvg + o, s);
    const std = sqrt<f32>(s + eps);
    const acc = load<f32>(accDelta + o);
    const delta = (sqrt<f32>(acc + eps) / std) * gi;
    store<f32>(accDelta + o, acc * rho + (oneMinusRho * delta) * delta);
    store<f32>(p + o, pi + negLr * delta);
  }
}

// @ts-ignore: decorator
@inline function adadeltaGroup(
  segments: usize, squareAvg: usize, accDelta: usize, count: i32, scalars: usize,
  decay: bool,
): void {
  const sign = scalar(scalars, AdadeltaScalar.sign);
  const weightDecay = scalar(scalars, AdadeltaScalar.weightDecay);
  const rho = scalar(scalars, AdadeltaScalar.rho);
  const oneMinusRho = scalar(scalars, AdadeltaScalar.oneMinusRho);
  const eps = scalar(scalars, AdadeltaScalar.eps);
  const negLr = scalar(scalars, AdadeltaScalar.negLr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(e);
    adadeltaSegment(
      values(e), gradient(e), squareAvg + at, accDelta + at, length(e),
      sign, weightDecay, rho, oneMinusRho, eps, negLr,
      decay,
    );
  }
}

export function adadelta_f32(segments: usize, squareAvg: usize, accDelta: usize, count: i32, scalars: usize, flags: i32): void {
  switch (flags) {
    case 0: adadeltaGroup(segments, squareAvg, accDelta, count, scalars, false); break;
    case AdadeltaFlag.decay: adadeltaGroup(segments, squareAvg, accDelta, count, scalars, true); break;
  }
}
