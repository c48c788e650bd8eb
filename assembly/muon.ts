// Muon (torch 2.13 torch.optim.Muon) in float32: the momentum buffers of a group (element-wise, split
// across threads like every optimizer kernel), then, per weight matrix, the Newton–Schulz iteration on
// matmul.ts's products and the element-wise passes below. torch runs the iteration in bfloat16; here it
// runs in float32, in the order the JS mirror (src/kernels/muon.ts) shares.
//   buf = buf.lerp(sign·g, 1 − μ)             (torch's portable lerp: the `high` form from weight 0.5, as Adam's)
import { gradient, length, scalar, segment, slice } from "./group";

export enum MuonScalar { sign, lerpCoef }
export enum MuonFlag { lerpHigh = 1 }

// @ts-ignore: decorator
@inline function momentumSegment(g: usize, buf: usize, n: i32, sign: f32, coef: f32, high: bool): void {
  const vSign = f32x4.splat(sign), vCoef = f32x4.splat(coef);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vg = f32x4.mul(v128.load(g + o), vSign);
    const vm = v128.load(buf + o);
    v128.store(buf + o, f32x4.add(high ? vg : vm, f32x4.mul(vCoef, f32x4.sub(vg, vm))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o) * sign;
    const m = load<f32>(buf + o);
    store<f32>(buf + o, (high ? gi : m) + coef * (gi - m));
  }
}

// @ts-ignore: decorator
@inline function muonGroup(segments: usize, buf: usize, count: i32, scalars: usize, high: bool): void {
  const sign = scalar(scalars, MuonScalar.sign), coef = scalar(scalars, MuonScalar.lerpCoef);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    momentumSegment(gradient(e), buf + slice(e), length(e), sign, coef, high);
  }
}

/** The group's momentum buffers: buf = buf.lerp(sign·g, 1 − μ). The parameters are not read: the rest is per matrix. */
export function muon_f32(segments: usize, momentumBuffer: usize, count: i32, scalars: usize, flags: i32): void {
  if (flags & MuonFlag.lerpHigh) muonGroup(segments, momentumBuffer, count, scalars, true);
  else muonGroup(segments, momentumBuffer, count, scalars, false);
}

/** out = start.lerp(end, w) as torch's portable lerp: (high ? end : start) + coef·(end − start), coef = w or −(1 − w). */
export function lerp_f32(out: usize, start: usize, end: usize, n: i32, coef: f32, high: i32): void {
  const vCoef = f32x4.splat(coef);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const va = v128.load(start + o), vb = v128.load(end + o);
    v128.store(out + o, f32x4.add(high ? vb : va, f32x4.mul(vCoef, f32x4.sub(vb, va))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const a = load<f32>(start + o), b = load<f32>(end + o);
    store<f32>(out + o, (high ? b : a) + coef * (b - a));
  }
}

/**
 * Σ x², in float32: four partial sums s0..s3 over elements i ≡ 0..3 (mod 4) of the 4-wide blocks,
 * combined as (s0 + s2) + (s1 + s3), then the tail added in order (the JS mirror's order).
 */
export function sumSquares_f32(x: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    acc = f32x4.add(acc, f32x4.mul(v, v));
  }
  let s = (f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 2)) + (f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 3));
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    s = s + v * v;
  }
  return s;
}

/** x = x / d (a division, as torch's div_, not a product by 1/d). */
export function divide_f32(x: usize, n: i32, d: f32): void {
  const vd = f32x4.splat(d);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.div(v128.load(x + o), vd));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) / d);
  }
}

/** out = a·x + b·y, each product rounded (torch's addmm with beta and alpha: beta·input + alpha·product). */
export function axpby_f32(out: usize, x: usize, y: usize, n: i32, a: f32, b: f32): void {
  const va = f32x4.splat(a), vb = f32x4.splat(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.add(f32x4.mul(va, v128.load(x + o)), f32x4.mul(vb, v128.load(y + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, a * load<f32>(x + o) + b * load<f32>(y + o));
  }
}

/** p = p·keep, then p = p + negLr·x: torch's param.mul_(1 − lr·wd) and param.add_(update, alpha=−lr·s). */
export function muonApply_f32(p: usize, x: usize, n: i32, keep: f32, negLr: f32): void {
  const vk = f32x4.splat(keep), vl = f32x4.splat(negLr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(p + o, f32x4.add(f32x4.mul(v128.load(p + o), vk), f32x4.mul(vl, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(p + o, load<f32>(p + o) * keep + negLr * load<f32>(x + o));
  }
}
