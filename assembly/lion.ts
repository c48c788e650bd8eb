// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"), as optax.lion (optax 0.2.8:
// scale_by_lion, add_decayed_weights, scale_by_learning_rate), per element in its float32 rounding
// order (every arrow rounds to f32):
//   g = sign·grad
//   c = (1−β1)·g + β1·m;  u = sign(c)      (XLA's sign: ±1, and c itself where c is ±0 or NaN)
//   m = (1−β2)·g + β2·m
//   u = u + wd·p                            (optax adds the decay term even at wd = 0: so does this)
//   p = p + (−lr)·u
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); expAvg is
// its state buffer (optax's mu); `scalars` is its scalar block, slots in LionScalar's order, computed in
// f64 on the host and stored as f32 once; `flags` is unused (Lion has no loop variants), kept for the ABI.
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum LionScalar { sign, oneMinusBeta1, beta1, oneMinusBeta2, beta2, weightDecay, negLr }

// @ts-ignore: decorator
@inline function lionSegment(
  p: usize, g: usize, expAvg: usize, n: i32,
  sign: f32, c1: f32, beta1: f32, c2: f32, beta2: f32, weightDecay: f32, negLr: f32,
): void {
  const vSign = f32x4.splat(sign);
  const vC1 = f32x4.splat(c1);
  const vBeta1 = f32x4.splat(beta1);
  const vC2 = f32x4.splat(c2);
  const vBeta2 = f32x4.splat(beta2);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vNegLr = f32x4.splat(negLr);
  const vZero = f32x4.splat(0);
  const vOne = f32x4.splat(1);
  const vSignBit = i32x4.splat(0x80000000);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vp = v128.load(p + o);
    const vg = f32x4.mul(v128.load(g + o), vSign);
    const vm = v128.load(expAvg + o);
    const vc = f32x4.add(f32x4.mul(vC1, vg), f32x4.mul(vBeta1, vm));
    // ±1 carrying c's sign bit, where c is neither ±0 nor NaN (c ≠ 0 and c = c); c itself elsewhere.
    const vUnit = v128.or(v128.and(vc, vSignBit), vOne);
    const vu = v128.bitselect(vUnit, vc, v128.and(f32x4.ne(vc, vZero), f32x4.eq(vc, vc)));
    v128.store(expAvg + o, f32x4.add(f32x4.mul(vC2, vg), f32x4.mul(vBeta2, vm)));
    const vd = f32x4.add(vu, f32x4.mul(vWeightDecay, vp));
    v128.store(p + o, f32x4.add(vp, f32x4.mul(vNegLr, vd)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    const gi = load<f32>(g + o) * sign;
    const m = load<f32>(expAvg + o);
    const c = c1 * gi + beta1 * m;
    const u: f32 = c > 0 ? 1 : c < 0 ? -1 : c;
    store<f32>(expAvg + o, c2 * gi + beta2 * m);
    store<f32>(p + o, pi + negLr * (u + weightDecay * pi));
  }
}

export function lion_f32(segments: usize, expAvg: usize, count: i32, scalars: usize, flags: i32): void {
  const sign = scalar(scalars, LionScalar.sign);
  const c1 = scalar(scalars, LionScalar.oneMinusBeta1);
  const beta1 = scalar(scalars, LionScalar.beta1);
  const c2 = scalar(scalars, LionScalar.oneMinusBeta2);
  const beta2 = scalar(scalars, LionScalar.beta2);
  const weightDecay = scalar(scalars, LionScalar.weightDecay);
  const negLr = scalar(scalars, LionScalar.negLr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    lionSegment(
      values(e), gradient(e), expAvg + slice(e), length(e),
      sign, c1, beta1, c2, beta2, weightDecay, negLr,
    );
  }
}
