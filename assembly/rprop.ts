// Rprop, as torch.optim.Rprop (_single_tensor_rprop, torch 1.13), per element in torch's rounding order:
//   g = sign·grad                               sign = ±gradScale (−: maximize; clipping's coefficient)
//   s = sgn(g·prev)                             sgn(NaN) = 0, as torch's sign kernel: (0 < x) − (x < 0)
//   η = s > 0 ? η+ : s < 0 ? η− : 1             η± cast to f32
//   stepSize = clamp(stepSize·η, min, max)      std::min(std::max(x, min), max): wasm's pmax, then pmin
//   g = η == η− ? 0 : g                         torch compares the factor, not the sign
//   p = p + (−sgn(g))·stepSize                  addcmul(sign(g), stepSize, value=−1); −sgn(0) is −0
//   prev = g
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); prev and
// stepSize are its state buffers; `scalars` is its scalar block, slots in RpropScalar's order, stored as
// f32 once; `flags` is RpropFlag bits (first: stepSize is fresh and starts at f32(lr), as torch's state
// initialisation fills it at the first step), dispatched once per call.
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum RpropScalar { sign, etaminus, etaplus, stepSizeMin, stepSizeMax, lr }
export enum RpropFlag { first = 1 }

// @ts-ignore: decorator
@inline function rpropSegment(
  p: usize, g: usize, prev: usize, stepSize: usize, n: i32,
  sign: f32, etaminus: f32, etaplus: f32, stepSizeMin: f32, stepSizeMax: f32, lr: f32,
  first: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vEtaminus = f32x4.splat(etaminus);
  const vEtaplus = f32x4.splat(etaplus);
  const vStepSizeMin = f32x4.splat(stepSizeMin);
  const vStepSizeMax = f32x4.splat(stepSizeMax);
  const vLr = f32x4.splat(lr);
  const vZero = f32x4.splat(0);
  const vOne = f32x4.splat(1);
  const vMinusOne = f32x4.splat(-1);
  const vMinusZero = f32x4.splat(-0.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vg = f32x4.mul(v128.load(g + o), vSign);
    const vProduct = f32x4.mul(vg, v128.load(prev + o));
    const vFactor = v128.bitselect(vEtaplus, v128.bitselect(vEtaminus, vOne, f32x4.lt(vProduct, vZero)), f32x4.gt(vProduct, vZero));
    const vStep = f32x4.pmin(f32x4.pmax(f32x4.mul(first ? vLr : v128.load(stepSize + o), vFactor), vStepSizeMin), vStepSizeMax);
    const vKept = v128.andnot(vg, f32x4.eq(vFactor, vEtaminus));
    const vNegSign = v128.bitselect(vMinusOne, v128.bitselect(vOne, vMinusZero, f32x4.lt(vKept, vZero)), f32x4.gt(vKept, vZero));
    v128.store(stepSize + o, vStep);
    v128.store(prev + o, vKept);
    v128.store(p + o, f32x4.add(v128.load(p + o), f32x4.mul(vNegSign, vStep)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o) * sign;
    const product = gi * load<f32>(prev + o);
    const factor: f32 = product > 0 ? etaplus : product < 0 ? etaminus : 1;
    const scaled = (first ? lr : load<f32>(stepSize + o)) * factor;
    const raised = scaled < stepSizeMin ? stepSizeMin : scaled;
    const step = stepSizeMax < raised ? stepSizeMax : raised;
    const kept: f32 = factor == etaminus ? 0 : gi;
    const negSign: f32 = kept > 0 ? -1 : kept < 0 ? 1 : -0.0;
    store<f32>(stepSize + o, step);
    store<f32>(prev + o, kept);
    store<f32>(p + o, load<f32>(p + o) + negSign * step);
  }
}

// @ts-ignore: decorator
@inline function rpropGroup(segments: usize, prev: usize, stepSize: usize, count: i32, scalars: usize, first: bool): void {
  const sign = scalar(scalars, RpropScalar.sign);
  const etaminus = scalar(scalars, RpropScalar.etaminus);
  const etaplus = scalar(scalars, RpropScalar.etaplus);
  const stepSizeMin = scalar(scalars, RpropScalar.stepSizeMin);
  const stepSizeMax = scalar(scalars, RpropScalar.stepSizeMax);
  const lr = scalar(scalars, RpropScalar.lr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(e);
    rpropSegment(
      values(e), gradient(e), prev + at, stepSize + at, length(e),
      sign, etaminus, etaplus, stepSizeMin, stepSizeMax, lr,
      first,
    );
  }
}

export function rprop_f32(segments: usize, prev: usize, stepSize: usize, count: i32, scalars: usize, flags: i32): void {
  switch (flags) {
    case 0: rpropGroup(segments, prev, stepSize, count, scalars, false); break;
    case RpropFlag.first: rpropGroup(segments, prev, stepSize, count, scalars, true); break;
  }
}
