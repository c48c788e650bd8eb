// SGD, as torch.optim.SGD (_single_tensor_sgd, torch 1.13), per element in torch's rounding order:
//   d = sign·grad                                  sign = −1 for maximize (exact: a product with ±1)
//   if decay:       d = d + wd·p
//   if momentum:    buf = first ? d : buf·μ + (1−dampening)·d
//                   d = nesterov ? d + μ·buf : buf
//   p = p + (−lr)·d
// Memory contract: p, g, buf are byte offsets of n f32 each, any alignment; buf is untouched without
// momentum. Flags are decided on the host and specialise the loop (see sgdLoop), never tested per element.

// @ts-ignore: decorator
@inline function sgdLoop(
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
@inline function sgdMomentum(
  p: usize, g: usize, buf: usize, n: i32,
  sign: f32, weightDecay: f32, momentum: f32, oneMinusDampening: f32, negLr: f32,
  decay: bool, useMomentum: bool, first: bool, nesterov: bool,
): void {
  if (!useMomentum) sgdLoop(p, g, buf, n, sign, weightDecay, momentum, oneMinusDampening, negLr, decay, false, false, false);
  else if (first) {
    if (nesterov) sgdLoop(p, g, buf, n, sign, weightDecay, momentum, oneMinusDampening, negLr, decay, true, true, true);
    else sgdLoop(p, g, buf, n, sign, weightDecay, momentum, oneMinusDampening, negLr, decay, true, true, false);
  } else {
    if (nesterov) sgdLoop(p, g, buf, n, sign, weightDecay, momentum, oneMinusDampening, negLr, decay, true, false, true);
    else sgdLoop(p, g, buf, n, sign, weightDecay, momentum, oneMinusDampening, negLr, decay, true, false, false);
  }
}

export function sgd_f32(
  p: usize, g: usize, buf: usize, n: i32,
  sign: f32, weightDecay: f32, momentum: f32, oneMinusDampening: f32, negLr: f32,
  decay: bool, useMomentum: bool, first: bool, nesterov: bool,
): void {
  if (decay) sgdMomentum(p, g, buf, n, sign, weightDecay, momentum, oneMinusDampening, negLr, true, useMomentum, first, nesterov);
  else sgdMomentum(p, g, buf, n, sign, weightDecay, momentum, oneMinusDampening, negLr, false, useMomentum, first, nesterov);
}
