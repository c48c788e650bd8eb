// Adagrad, as torch.optim.Adagrad (_single_tensor_adagrad, dense, torch 1.13), per element in torch's
// rounding order (every arrow rounds to f32):
//   g = sign·grad;  if decay: g = g + wd·p
//   sum = sum + g·g                          (addcmul value=1: 1·g is exact)
//   std = sqrt(sum) + eps
//   p = p + ((−clr)·g) / std                 clr = lr / (1 + (t−1)·lrDecay), on the host
// Memory contract: p, g, sum are byte offsets of n f32 each, any alignment.

// @ts-ignore: decorator
@inline function adagradLoop(
  p: usize, g: usize, sum: usize, n: i32,
  sign: f32, weightDecay: f32, eps: f32, negClr: f32,
  decay: bool,
): void {
  const vSign = f32x4.splat(sign);
  const vWeightDecay = f32x4.splat(weightDecay);
  const vEps = f32x4.splat(eps);
  const vNegClr = f32x4.splat(negClr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vp = v128.load(p + o);
    let vg = f32x4.mul(v128.load(g + o), vSign);
    if (decay) vg = f32x4.add(vg, f32x4.mul(vWeightDecay, vp));
    const vs = f32x4.add(v128.load(sum + o), f32x4.mul(vg, vg));
    v128.store(sum + o, vs);
    const vStd = f32x4.add(f32x4.sqrt(vs), vEps);
    v128.store(p + o, f32x4.add(vp, f32x4.div(f32x4.mul(vNegClr, vg), vStd)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o);
    let gi = load<f32>(g + o) * sign;
    if (decay) gi = gi + weightDecay * pi;
    const s = load<f32>(sum + o) + gi * gi;
    store<f32>(sum + o, s);
    const std = sqrt<f32>(s) + eps;
    store<f32>(p + o, pi + (negClr * gi) / std);
  }
}

export function adagrad_f32(
  p: usize, g: usize, sum: usize, n: i32,
  sign: f32, weightDecay: f32, eps: f32, negClr: f32,
  decay: bool,
): void {
  if (decay) adagradLoop(p, g, sum, n, sign, weightDecay, eps, negClr, true);
  else adagradLoop(p, g, sum, n, sign, weightDecay, eps, negClr, false);
}
