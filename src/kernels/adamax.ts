// JS mirror of assembly/adamax.ts: same name, parameters and f32 operation order.
const f = Math.fround;

export function adamax_f32(
  h: Float32Array, p: number, g: number, expAvg: number, expInf: number, n: number,
  sign: number, weightDecay: number, beta1: number, oneMinusBeta1: number, beta2: number, eps: number, negClr: number,
  decay: boolean,
): void {
  sign = f(sign); weightDecay = f(weightDecay); beta1 = f(beta1); oneMinusBeta1 = f(oneMinusBeta1);
  beta2 = f(beta2); eps = f(eps); negClr = f(negClr);
  const P = p >>> 2, G = g >>> 2, M = expAvg >>> 2, U = expInf >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let gi = f(h[G + i] * sign);
    if (decay) gi = f(gi + f(weightDecay * pi));
    const m = f(f(h[M + i] * beta1) + f(oneMinusBeta1 * gi));
    h[M + i] = m;
    const u = Math.max(f(h[U + i] * beta2), f(Math.abs(gi) + eps));
    h[U + i] = u;
    h[P + i] = f(pi + f(f(negClr * m) / u));
  }
}
