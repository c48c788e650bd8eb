// Schedule-free AdamW (Defazio et al. 2024, "The Road Less Scheduled"), as optax 0.2.8's
// contrib.schedule_free_adamw: scale_by_rms (bias-corrected, ε outside the root), add_decayed_weights and
// scale_by_learning_rate give the base step u; schedule_free moves z by it and the parameters y (the point
// the gradient was taken at) to the interpolation of the new average x and z. Per element, in its float32
// rounding order (every arrow rounds to f32):
//   g = sign·grad
//   v = (1−β2)·(g·g) + β2·v
//   u = (1 / (√(v / bc2) + ε))·g;  u = u + wd·y;  u = (−lr)·u      (the decay term even at wd = 0, as optax)
//   z' = z + u
//   x = (y − (1−β1)·z) / β1                                       (the average, recovered from y and the old z)
//   x' = (1−c)·x + c·z'
//   y' = β1·x' + (1−β1)·z';  y = y + (y' − y)                     (optax returns y' − y; apply_updates adds it)
// c (the new point's weight in the average) and bc2 = 1 − β2^t are the host's, once per step.
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); z and expAvgSq
// are its state buffers; `scalars` is its scalar block, slots in ScheduleFreeAdamWScalar's order, computed
// on the host and stored as f32 once; `flags` is ScheduleFreeAdamWFlag bits: `first` while z has not been
// written (optax starts z as a copy of the parameters: so does the first step, reading z as y).
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum ScheduleFreeAdamWFlag { first = 1 }
export enum ScheduleFreeAdamWScalar { sign, oneMinusBeta2, beta2, biasCorrection2, eps, weightDecay, negLr, oneMinusBeta1, beta1, weight, oneMinusWeight }

// @ts-ignore: decorator
@inline function scheduleFreeSegment(
  y: usize, g: usize, z: usize, v: usize, n: i32,
  sign: f32, c2: f32, beta2: f32, bc2: f32, eps: f32, weightDecay: f32, negLr: f32, c1: f32, beta1: f32, ck: f32, omck: f32,
  first: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vC2 = f32x4.splat(c2);
  const vBeta2 = f32x4.splat(beta2);
  const vBc2 = f32x4.splat(bc2);
  const vEps = f32x4.splat(eps);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vNegLr = f32x4.splat(negLr);
  const vC1 = f32x4.splat(c1);
  const vBeta1 = f32x4.splat(beta1);
  const vCk = f32x4.splat(ck);
  const vOmck = f32x4.splat(omck);
  const vOne = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vy = v128.load(y + o);
    const vg = f32x4.mul(v128.load(g + o), vSign);
    const vz = first ? vy : v128.load(z + o);
    const vv = f32x4.add(f32x4.mul(vC2, f32x4.mul(vg, vg)), f32x4.mul(vBeta2, v128.load(v + o)));
    v128.store(v + o, vv);
    const vs = f32x4.div(vOne, f32x4.add(f32x4.sqrt(f32x4.div(vv, vBc2)), vEps));
    const vu = f32x4.mul(vNegLr, f32x4.add(f32x4.mul(vs, vg), f32x4.mul(vWeightDecay, vy)));
    const vzn = f32x4.add(vz, vu);
    v128.store(z + o, vzn);
    const vx = f32x4.div(f32x4.sub(vy, f32x4.mul(vC1, vz)), vBeta1);
    const vxn = f32x4.add(f32x4.mul(vOmck, vx), f32x4.mul(vCk, vzn));
    const vyn = f32x4.add(f32x4.mul(vBeta1, vxn), f32x4.mul(vC1, vzn));
    v128.store(y + o, f32x4.add(vy, f32x4.sub(vyn, vy)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const yi = load<f32>(y + o);
    const gi = load<f32>(g + o) * sign;
    const zi = first ? yi : load<f32>(z + o);
    const vi = c2 * (gi * gi) + beta2 * load<f32>(v + o);
    store<f32>(v + o, vi);
    const s: f32 = <f32>1 / (sqrt<f32>(vi / bc2) + eps);
    const u = negLr * (s * gi + weightDecay * yi);
    const zn = zi + u;
    store<f32>(z + o, zn);
    const x = (yi - c1 * zi) / beta1;
    const xn = omck * x + ck * zn;
    const yn = beta1 * xn + c1 * zn;
    store<f32>(y + o, yi + (yn - yi));
  }
}

// @ts-ignore: decorator
@inline function scheduleFreeGroup(segments: usize, z: usize, expAvgSq: usize, count: i32, scalars: usize, first: bool): void {
  const sign = scalar(scalars, ScheduleFreeAdamWScalar.sign);
  const c2 = scalar(scalars, ScheduleFreeAdamWScalar.oneMinusBeta2);
  const beta2 = scalar(scalars, ScheduleFreeAdamWScalar.beta2);
  const bc2 = scalar(scalars, ScheduleFreeAdamWScalar.biasCorrection2);
  const eps = scalar(scalars, ScheduleFreeAdamWScalar.eps);
  const weightDecay = scalar(scalars, ScheduleFreeAdamWScalar.weightDecay);
  const negLr = scalar(scalars, ScheduleFreeAdamWScalar.negLr);
  const c1 = scalar(scalars, ScheduleFreeAdamWScalar.oneMinusBeta1);
  const beta1 = scalar(scalars, ScheduleFreeAdamWScalar.beta1);
  const ck = scalar(scalars, ScheduleFreeAdamWScalar.weight);
  const omck = scalar(scalars, ScheduleFreeAdamWScalar.oneMinusWeight);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(e);
    scheduleFreeSegment(
      values(e), gradient(e), z + at, expAvgSq + at, length(e),
      sign, c2, beta2, bc2, eps, weightDecay, negLr, c1, beta1, ck, omck,
      first,
    );
  }
}

export function scheduleFreeAdamW_f32(segments: usize, z: usize, expAvgSq: usize, count: i32, scalars: usize, flags: i32): void {
  // `first` is a loop variant of its own: a constant once inlined.
  if (flags & ScheduleFreeAdamWFlag.first) scheduleFreeGroup(segments, z, expAvgSq, count, scalars, true);
  else scheduleFreeGroup(segments, z, expAvgSq, count, scalars, false);
}
