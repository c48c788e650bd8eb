// JS mirror of assembly/nadam.ts: same name, parameters and f32 operation order.
const f = Math.fround;

export function nadam_f32(
  h: Float32Array, p: number, g: number, expAvg: number, expAvgSq: number, n: number,
  weightDecay: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
  biasCorrection2: number, eps: number, gradCoef: number, avgCoef: number,
  decay: boolean,
): void {
  weightDecay = f(weightDecay); beta1 = f(beta1); oneMinusBeta1 = f(oneMinusBeta1); beta2 = f(beta2);
  oneMinusBeta2 = f(oneMinusBeta2); biasCorrection2 = f(biasCorrection2); eps = f(eps);
  gradCoef = f(gradCoef); avgCoef = f(avgCoef);
  const P = p >>> 2, G = g >>> 2, M = expAvg >>> 2, V = expAvgSq >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let gi = h[G + i];
    if (decay) gi = f(gi + f(weightDecay * pi));
    const m = f(f(h[M + i] * beta1) + f(oneMinusBeta1 * gi));
    const v = f(f(h[V + i] * beta2) + f(f(oneMinusBeta2 * gi) * gi));
    h[M + i] = m;
    h[V + i] = v;
    const denom = f(f(Math.sqrt(f(v / biasCorrection2))) + eps);
    const p1 = f(pi + f(f(gradCoef * gi) / denom));
    h[P + i] = f(p1 + f(f(avgCoef * m) / denom));
  }
}
