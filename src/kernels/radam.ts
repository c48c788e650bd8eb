// JS mirror of assembly/radam.ts: same name, parameters and f32 operation order.
const f = Math.fround;

export function radam_f32(
  h: Float32Array, p: number, g: number, expAvg: number, expAvgSq: number, n: number,
  weightDecay: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
  biasCorrection1: number, lr: number, biasCorrection2Sqrt: number, eps: number, rect: number,
  decay: boolean, rectify: boolean,
): void {
  weightDecay = f(weightDecay); beta1 = f(beta1); oneMinusBeta1 = f(oneMinusBeta1); beta2 = f(beta2);
  oneMinusBeta2 = f(oneMinusBeta2); biasCorrection1 = f(biasCorrection1); lr = f(lr);
  biasCorrection2Sqrt = f(biasCorrection2Sqrt); eps = f(eps); rect = f(rect);
  const P = p >>> 2, G = g >>> 2, M = expAvg >>> 2, V = expAvgSq >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let gi = h[G + i];
    if (decay) gi = f(gi + f(weightDecay * pi));
    const m = f(f(h[M + i] * beta1) + f(oneMinusBeta1 * gi));
    const v = f(f(h[V + i] * beta2) + f(f(oneMinusBeta2 * gi) * gi));
    h[M + i] = m;
    h[V + i] = v;
    const step = f(f(m / biasCorrection1) * lr);
    if (rectify) {
      const adaptiveLr = f(f(1 / f(f(Math.sqrt(v)) + eps)) * biasCorrection2Sqrt);
      h[P + i] = f(pi - f(f(step * adaptiveLr) * rect));
    } else {
      h[P + i] = f(pi - step);
    }
  }
}
