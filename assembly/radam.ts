// RAdam, as torch.optim.RAdam (_single_tensor_radam, torch 1.13; no maximize there), per element in
// torch's rounding order (every arrow rounds to f32):
//   if decay: g = g + wd·p
//   m = m·β1 + (1−β1)·g;  v = v·β2 + ((1−β2)·g)·g;  mhat = m / bc1
//   rectify (ρt > 5, decided on the host):
//     alr = (1 / (sqrt(v) + eps))·sqrt(bc2)                 (scalar / tensor: reciprocal, then multiply)
//     p = p − ((mhat·lr)·alr)·rect
//   else:
//     p = p − mhat·lr
// Memory contract: p, g, expAvg, expAvgSq are byte offsets of n f32 each, any alignment.

// @ts-ignore: decorator
@inline function radamLoop(
  p: usize, g: usize, expAvg: usize, expAvgSq: usize, n: i32,
  weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  biasCorrection1: f32, lr: f32, biasCorrection2Sqrt: f32, eps: f32, rect: f32,
  decay: bool, rectify: bool,
): void {
  const vWeightDecay = f32x4.splat(weightDecay);
  const vBeta1 = f32x4.splat(beta1);
  const vOneMinusBeta1 = f32x4.splat(oneMinusBeta1);
  const vBeta2 = f32x4.splat(beta2);
  const vOneMinusBeta2 = f32x4.splat(oneMinusBeta2);
  const vBiasCorrection1 = f32x4.splat(biasCorrection1);
  const vLr = f32x4.splat(lr);
  const vBiasCorrection2Sqrt = f32x4.splat(biasCorrection2Sqrt);
  const vEps = f32x4.splat(eps);
  const vRect = f32x4.splat(rect);
  const vOne = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vp = v128.load(p + o);
    let vg = v128.load(g + o);
    if (decay) vg = f32x4.add(vg, f32x4.mul(vWeightDecay, vp));
    const vm = f32x4.add(f32x4.mul(v128.load(expAvg + o), vBeta1), f32x4.mul(vOneMinusBeta1, vg));
    const vv = f32x4.add(f32x4.mul(v128.load(expAvgSq + o), vBeta2), f32x4.mul(f32x4.mul(vOneMinusBeta2, vg), vg));
    v128.store(expAvg + o, vm);
    v128.store(expAvgSq + o, vv);
    const vStep = f32x4.mul(f32x4.div(vm, vBiasCorrection1), vLr);
    if (rectify) {
      const vAdaptiveLr = f32x4.mul(f32x4.div(vOne, f32x4.add(f32x4.sqrt(vv), vEps)), vBiasCorrection2Sqrt);
      v128.store(p + o, f32x4.sub(vp, f32x4.mul(f32x4.mul(vStep, vAdaptiveLr), vRect)));
    } else {
      v128.store(p + o, f32x4.sub(vp, vStep));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o);
    if (decay) gi = gi + weightDecay * pi;
    const m = load<f32>(expAvg + o) * beta1 + oneMinusBeta1 * gi;
    const v = load<f32>(expAvgSq + o) * beta2 + (oneMinusBeta2 * gi) * gi;
    store<f32>(expAvg + o, m);
    store<f32>(expAvgSq + o, v);
    const step = (m / biasCorrection1) * lr;
    if (rectify) {
      const adaptiveLr = (<f32>1 / (sqrt<f32>(v) + eps)) * biasCorrection2Sqrt;
      store<f32>(p + o, pi - (step * adaptiveLr) * rect);
    } else {
      store<f32>(p + o, pi - step);
    }
  }
}

// @ts-ignore: decorator
@inline function radamRectify(
  p: usize, g: usize, expAvg: usize, expAvgSq: usize, n: i32,
  weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  biasCorrection1: f32, lr: f32, biasCorrection2Sqrt: f32, eps: f32, rect: f32,
  decay: bool, rectify: bool,
): void {
  if (rectify) radamLoop(p, g, expAvg, expAvgSq, n, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect, decay, true);
  else radamLoop(p, g, expAvg, expAvgSq, n, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect, decay, false);
}

export function radam_f32(
  p: usize, g: usize, expAvg: usize, expAvgSq: usize, n: i32,
  weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  biasCorrection1: f32, lr: f32, biasCorrection2Sqrt: f32, eps: f32, rect: f32,
  decay: bool, rectify: bool,
): void {
  if (decay) radamRectify(p, g, expAvg, expAvgSq, n, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect, true, rectify);
  else radamRectify(p, g, expAvg, expAvgSq, n, weightDecay, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection1, lr, biasCorrection2Sqrt, eps, rect, false, rectify);
}
