// SGD, as torch.optim.SGD (_single_tensor_sgd, torch 1.13), per element in torch's rounding order:
//   d = sign·grad                                  sign = −1 for maximize (exact: a product with ±1)
//   if decay:       d = d + wd·p
//   if momentum:    buf = first ? d : buf·μ + (1−dampening)·d
//                   d = nesterov ? d + μ·buf : buf
//   p = p + (−lr)·d
// Memory contract: `segments` is the group's segment table (`count` tensors, see group.ts); buf is its
// momentum buffer (untouched without momentum); `scalars` is its scalar block, slots in SGDScalar's
// order, computed in f64 on the host and stored as f32 once; `flags` is SGDFlag bits (first: the buffer
// is fresh and starts as a copy of d), dispatched once per call so that no flag is tested per element.
import { gradient, length, scalar, segment, slice, values } from "./group";

export enum SGDScalar { sign, weightDecay, momentum, oneMinusDampening, negLr }
export enum SGDFlag { decay = 1, momentum = 2, first = 4, nesterov = 8 }

// @ts-ignore: decorator
@inline function sgdSegment(
  p: usize, g: usize, buf: usize, n: i32,
  sign: f32, weightDecay: f32, momentum: f32, oneMinusDampening: f32, negLr: f32,
  decay: bool, useMomentum: bool, first: bool, nesterov: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vMomentum = f32x4.splat(momentum);
  const vOneMinusDampening = f32x4.splat(oneMinusDampening);
  const vNegLr = f32x4.splat(negLr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vp = v128.load(p + o);
    let vd = f32x4.mul(v128.load(g + o), vSign);
    if (decay) vd = f32x4.add(vd, f32x4.mul(vWeightDecay, vp));
    if (useMomentum) {
      const vb = first ? vd : f32x4.add(f32x4.mul(v128.load(buf + o), vMomentum), f32x4.mul(vOneMinusDampening, vd));
      v128.store(buf + o, vb);
      vd = nesterov ? f32x4.add(vd, f32x4.mul(vMomentum, vb)) : vb;
    }
    v128.store(p + o, f32x4.add(vp, f32x4.mul(vNegLr, vd)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let d = load<f32>(g + o) * sign;
    if (decay) d = d + weightDecay * pi;
    if (useMomentum) {
      const b = first ? d : load<f32>(buf + o) * momentum + oneMinusDampening * d;
      store<f32>(buf + o, b);
      d = nesterov ? d + momentum * b : b;
    }
    store<f32>(p + o, pi + negLr * d);
  }
}

// @ts-ignore: decorator
@inline function sgdGroup(
  segments: usize, buf: usize, count: i32, scalars: usize,
  decay: bool, useMomentum: bool, first: bool, nesterov: bool,
): void {
  const sign = scalar(scalars, SGDScalar.sign);
  const weightDecay = scalar(scalars, SGDScalar.weightDecay);
  const momentum = scalar(scalars, SGDScalar.momentum);
  const oneMinusDampening = scalar(scalars, SGDScalar.oneMinusDampening);
  const negLr = scalar(scalars, SGDScalar.negLr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    sgdSegment(
      values(e), gradient(e), buf + slice(e), length(e),
      sign, weightDecay, momentum, oneMinusDampening, negLr,
      decay, useMomentum, first, nesterov,
    );
  }
}

export function sgd_f32(segments: usize, buf: usize, count: i32, scalars: usize, flags: i32): void {
  switch (flags) {
    case 0: sgdGroup(segments, buf, count, scalars, false, false, false, false); break;
    case SGDFlag.momentum: sgdGroup(segments, buf, count, scalars, false, true, false, false); break;
    case SGDFlag.momentum | SGDFlag.nesterov: sgdGroup(segments, buf, count, scalars, false, true, false, true); break;
    case SGDFlag.momentum | SGDFlag.first: sgdGroup(segments, buf, count, scalars, false, true, true, false); break;
    case SGDFlag.momentum | SGDFlag.first | SGDFlag.nesterov: sgdGroup(segments, buf, count, scalars, false, true, true, true); break;
    case SGDFlag.decay: sgdGroup(segments, buf, count, scalars, true, false, false, false); break;
    case SGDFlag.decay | SGDFlag.momentum: sgdGroup(segments, buf, count, scalars, true, true, false, false); break;
    case SGDFlag.decay | SGDFlag.momentum | SGDFlag.nesterov: sgdGroup(segments, buf, count, scalars, true, true, false, true); break;
    case SGDFlag.decay | SGDFlag.momentum | SGDFlag.first: sgdGroup(segments, buf, count, scalars, true, true, true, false); break;
    case SGDFlag.decay | SGDFlag.momentum | SGDFlag.first | SGDFlag.nesterov: sgdGroup(segments, buf, count, scalars, true, true, true, true); break;
  }
}
