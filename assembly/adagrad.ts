// Adagrad, as torch.optim.Adagrad (_single_tensor_adagrad, dense, torch 1.13), per element in torch's
// rounding order (every arrow rounds to f32):
//   g = sign·grad;  if decay: g = g + wd·p
//   sum = sum + g·g                          (addcmul value=1: 1·g is exact)
//   std = sqrt(sum) + eps
//   p = p + ((−clr)·g) / std                 clr = lr / (1 + (t−1)·lrDecay), on the host
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); sum is its
// state buffer; `scalars` is its scalar block, slots in AdagradScalar's order, computed in f64 on the
// host and stored as f32 once; `flags` is AdagradFlag bits, dispatched once per call so that no flag is
// tested per element.
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum AdagradScalar { sign, weightDecay, eps, negClr }
export enum AdagradFlag { decay = 1 }

// @ts-ignore: decorator
@inline function adagradSegment(
  p: usize, g: usize, sum: usize, n: i32,
  sign: f32, weightDecay: f32, eps: f32, negClr: f32,
  decay: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vEps = f32x4.splat(eps);
  const vNegClr = f32x4.splat(negClr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vp = v128.load(p + o);
    let vg = f32x4.mul(v128.load(g + o), vSign);
    if (decay) vg = f32x4.add(vg, f32x4.mul(vWeightDecay, vp));
    const vs = f32x4.add(v128.load(sum + o), f32x4.mul(vg, vg));
    v128.store(sum + o, vs);
    const vStd = f32x4.add(f32x4.sqrt(vs), vEps);
    v128.store(p + o, f32x4.add(vp, f32x4.div(f32x4.mul(vNegClr, vg), vStd)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o) * sign;
    if (decay) gi = gi + weightDecay * pi;
    const s = load<f32>(sum + o) + gi * gi;
    store<f32>(sum + o, s);
    const std = sqrt<f32>(s) + eps;
    store<f32>(p + o, pi + (negClr * gi) / std);
  }
}

// @ts-ignore: decorator
@inline function adagradGroup(
  segments: usize, sum: usize, count: i32, scalars: usize,
  decay: bool,
): void {
  const sign = scalar(scalars, AdagradScalar.sign);
  const weightDecay = scalar(scalars, AdagradScalar.weightDecay);
  const eps = scalar(scalars, AdagradScalar.eps);
  const negClr = scalar(scalars, AdagradScalar.negClr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(e);
    adagradSegment(
      values(e), gradient(e), sum + at, length(e),
      sign, weightDecay, eps, negClr,
      decay,
    );
  }
}

export function adagrad_f32(segments: usize, sum: usize, count: i32, scalars: usize, flags: i32): void {
  switch (flags) {
    case 0: adagradGroup(segments, sum, count, scalars, false); break;
    case AdagradFlag.decay: adagradGroup(segments, sum, count, scalars, true); break;
  }
}
