// RMSprop, as torch.optim.RMSprop (_single_tensor_rmsprop, torch 1.13), per element in torch's
// rounding order (every arrow rounds to f32):
//   g = sign·grad;  if decay: g = g + wd·p
//   s = s·α + ((1−α)·g)·g
//   centered:  ga = ga·α + (1−α)·g;  avg = sqrt(s − ga·ga)     (addcmul value=−1: (−ga)·ga is exact)
//   else:      avg = sqrt(s)
//   avg = avg + eps
//   momentum:  buf = buf·μ + g/avg;  p = p + (−lr)·buf
//   else:      p = p + ((−lr)·g)/avg
// Memory contract: byte offsets of n f32 each, any alignment; gradAvg is untouched unless centered,
// momentumBuffer unless useMomentum.

// @ts-ignore: decorator
@inline function rmspropLoop(
  p: usize, g: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize, n: i32,
  sign: f32, weightDecay: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, momentum: f32, negLr: f32,
  decay: bool, centered: bool, useMomentum: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vAlpha = f32x4.splat(alpha);
  const vOneMinusAlpha = f32x4.splat(oneMinusAlpha);
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
      const vga = f32x4.add(f32x4.mul(v128.load(gradAvg + o), vAlpha), f32x4.mul(vOneMinusAlpha, vg));
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
      const ga = load<f32>(gradAvg + o) * alpha + oneMinusAlpha * gi;
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
@inline function rmspropCentered(
  p: usize, g: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize, n: i32,
  sign: f32, weightDecay: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, momentum: f32, negLr: f32,
  decay: bool, centered: bool, useMomentum: bool,
): void {
  if (centered) {
    if (useMomentum) rmspropLoop(p, g, squareAvg, gradAvg, momentumBuffer, n, sign, weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr, decay, true, true);
    else rmspropLoop(p, g, squareAvg, gradAvg, momentumBuffer, n, sign, weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr, decay, true, false);
  } else {
    if (useMomentum) rmspropLoop(p, g, squareAvg, gradAvg, momentumBuffer, n, sign, weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr, decay, false, true);
    else rmspropLoop(p, g, squareAvg, gradAvg, momentumBuffer, n, sign, weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr, decay, false, false);
  }
}

export function rmsprop_f32(
  p: usize, g: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize, n: i32,
  sign: f32, weightDecay: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, momentum: f32, negLr: f32,
  decay: bool, centered: bool, useMomentum: bool,
): void {
  if (decay) rmspropCentered(p, g, squareAvg, gradAvg, momentumBuffer, n, sign, weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr, true, centered, useMomentum);
  else rmspropCentered(p, g, squareAvg, gradAvg, momentumBuffer, n, sign, weightDecay, alpha, oneMinusAlpha, eps, momentum, negLr, false, centered, useMomentum);
}
