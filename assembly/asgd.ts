// ASGD, as torch.optim.ASGD (_single_tensor_asgd, torch 1.13), per element in torch's rounding order:
//   g = sign·grad                                sign = ±gradScale (−: maximize; clipping's coefficient)
//   if decay:   g = g + wd·p
//   p = p·decayScale                             decayScale = 1 − λ·η, in f64 on the host
//   p = p + (−η)·g
//   ax = average ? ax + (p − ax)·μ : p           average: μ ≠ 1 (torch copies p while μ is 1)
// η and μ are torch's 0-dim float32 state, computed on the host after each step (src/optim/asgd.ts).
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); ax is its
// state buffer; `scalars` is its scalar block, slots in ASGDScalar's order, stored as f32 once; `flags`
// is ASGDFlag bits, dispatched once per call so that no flag is tested per element.
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum ASGDScalar { sign, weightDecay, decayScale, negEta, mu }
export enum ASGDFlag { decay = 1, average = 2 }

// @ts-ignore: decorator
@inline function asgdSegment(
  p: usize, g: usize, ax: usize, n: i32,
  sign: f32, weightDecay: f32, decayScale: f32, negEta: f32, mu: f32,
  decay: bool, average: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vDecayScale = f32x4.splat(decayScale);
  const vNegEta = f32x4.splat(negEta);
  const vMu = f32x4.splat(mu);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let vp = v128.load(p + o);
    let vg = f32x4.mul(v128.load(g + o), vSign);
    if (decay) vg = f32x4.add(vg, f32x4.mul(vWeightDecay, vp));
    vp = f32x4.add(f32x4.mul(vp, vDecayScale), f32x4.mul(vNegEta, vg));
    v128.store(p + o, vp);
    if (average) {
      const va = v128.load(ax + o);
      v128.store(ax + o, f32x4.add(va, f32x4.mul(f32x4.sub(vp, va), vMu)));
    } else {
      v128.store(ax + o, vp);
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let pi = load<f32>(p + o);
    let gi = load<f32>(g + o) * sign;
    if (decay) gi = gi + weightDecay * pi;
    pi = pi * decayScale + negEta * gi;
    store<f32>(p + o, pi);
    if (average) {
      const a = load<f32>(ax + o);
      store<f32>(ax + o, a + (pi - a) * mu);
    } else {
      store<f32>(ax + o, pi);
    }
  }
}

// @ts-ignore: decorator
@inline function asgdGroup(segments: usize, ax: usize, count: i32, scalars: usize, decay: bool, average: bool): void {
  const sign = scalar(scalars, ASGDScalar.sign);
  const weightDecay = scalar(scalars, ASGDScalar.weightDecay);
  const decayScale = scalar(scalars, ASGDScalar.decayScale);
  const negEta = scalar(scalars, ASGDScalar.negEta);
  const mu = scalar(scalars, ASGDScalar.mu);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    asgdSegment(
      values(e), gradient(e), ax + slice(e), length(e),
      sign, weightDecay, decayScale, negEta, mu,
      decay, average,
    );
  }
}

export function asgd_f32(segments: usize, ax: usize, count: i32, scalars: usize, flags: i32): void {
  switch (flags) {
    case 0: asgdGroup(segments, ax, count, scalars, false, false); break;
    case ASGDFlag.decay: asgdGroup(segments, ax, count, scalars, true, false); break;
    case ASGDFlag.average: asgdGroup(segments, ax, count, scalars, false, true); break;
    case ASGDFlag.decay | ASGDFlag.average: asgdGroup(segments, ax, count, scalars, true, true); break;
  }
}
