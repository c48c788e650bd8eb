// JS mirror of assembly/adagrad.ts: same name, parameters and f32 operation order.
const f = Math.fround;

export function adagrad_f32(
  h: Float32Array, p: number, g: number, sum: number, n: number,
  sign: number, weightDecay: number, eps: number, negClr: number,
  decay: boolean,
): void {
  sign = f(sign); weightDecay = f(weightDecay); eps = f(eps); negClr = f(negClr);
  const P = p >>> 2, G = g >>> 2, S = sum >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let gi = f(h[G + i] * sign);
    if (decay) gi = f(gi + f(weightDecay * pi));
    const s = f(h[S + i] + f(gi * gi));
    h[S + i] = s;
    const std = f(f(Math.sqrt(s)) + eps);
    h[P + i] = f(pi + f(f(negClr * gi) / std));
  }
}
