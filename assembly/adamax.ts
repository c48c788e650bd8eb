// Adamax, as torch.optim.Adamax (_single_tensor_adamax, torch 1.13), per element in torch's rounding
// order (every arrow rounds to f32):
//   g = sign·grad;  if decay: g = g + wd·p
//   m = m·β1 + (1−β1)·g
//   u = max(u·β2, |g| + eps)                 (torch.amax: NaN propagates, as f32.max does)
//   p = p + ((−lr/bc1)·m) / u
// Memory contract: p, g, expAvg, expInf are byte offsets of n f32 each, any alignment.

// @ts-ignore: decorator
@inline function adamaxLoop(
  p: usize, g: usize, expAvg: usize, expInf: usize, n: i32,
  sign: f32, weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, eps: f32, negClr: f32,
  decay: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vBeta1 = f32x4.splat(beta1);
  const vOneMinusBeta1 = f32x4.splat(oneMinusBeta1);
  const vBeta2 = f32x4.splat(beta2);
  const vEps = f32x4.splat(eps);
  const vNegClr = f32x4.splat(negClr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vp = v128.load(p + o);
    let vg = f32x4.mul(v128.load(g + o), vSign);
    if (decay) vg = f32x4.add(vg, f32x4.mul(vWeightDecay, vp));
    const vm = f32x4.add(f32x4.mul(v128.load(expAvg + o), vBeta1), f32x4.mul(vOneMinusBeta1, vg));
    v128.store(expAvg + o, vm);
    const vu = f32x4.max(f32x4.mul(v128.load(expInf + o), vBeta2), f32x4.add(f32x4.abs(vg), vEps));
    v128.store(expInf + o, vu);
    v128.store(p + o, f32x4.add(vp, f32x4.div(f32x4.mul(vNegClr, vm), vu)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o) * sign;
    if (decay) gi = gi + weightDecay * pi;
    const m = load<f32>(expAvg + o) * beta1 + oneMinusBeta1 * gi;
    store<f32>(expAvg + o, m);
    const u = max<f32>(load<f32>(expInf + o) * beta2, abs<f32>(gi) + eps);
    store<f32>(expInf + o, u);
    store<f32>(p + o, pi + (negClr * m) / u);
  }
}

export function adamax_f32(
  p: usize, g: usize, expAvg: usize, expInf: usize, n: i32,
  sign: f32, weightDecay: f32, beta1: f32, oneMinusBeta1: f32, beta2: f32, eps: f32, negClr: f32,
  decay: bool,
): void {
  if (decay) adamaxLoop(p, g, expAvg, expInf, n, sign, weightDecay, beta1, oneMinusBeta1, beta2, eps, negClr, true);
  else adamaxLoop(p, g, expAvg, expInf, n, sign, weightDecay, beta1, oneMinusBeta1, beta2, eps, negClr, false);
}
