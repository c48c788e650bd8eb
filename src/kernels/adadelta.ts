// JS mirror of assembly/adadelta.ts: same name, parameters and f32 operation order.
const f = Math.fround;

export function adadelta_f32(
  h: Float32Array, p: number, g: number, squareAvg: number, accDelta: number, n: number,
  sign: number, weightDecay: number, rho: number, oneMinusRho: number, eps: number, negLr: number,
  decay: boolean,
): void {
  sign = f(sign); weightDecay = f(weightDecay); rho = f(rho); oneMinusRho = f(oneMinusRho);
  eps = f(eps); negLr = f(negLr);
  const P = p >>> 2, G = g >>> 2, S = squareAvg >>> 2, D = accDelta >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let gi = f(h[G + i] * sign);
    if (decay) gi = f(gi + f(weightDecay * pi));
    const s = f(f(h[S + i] * rho) + f(f(oneMinusRho * gi) * gi));
    h[S + i] = s;
    const std = f(Math.sqrt(f(s + eps)));
    const acc = h[D + i];
    const delta = f(f(f(Math.sqrt(f(acc + eps))) / std) * gi);
    h[D + i] = f(f(acc * rho) + f(f(oneMinusRho * delta) * delta));
    h[P + i] = f(pi + f(negLr * delta));
  }
}
