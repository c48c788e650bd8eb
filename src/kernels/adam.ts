// JS mirror of assembly/adam.ts (Adam and AdamW): same name, parameters and f32 operation order.
const f = Math.fround;

export function adam_f32(
  h: Float32Array, p: number, g: number, expAvg: number, expAvgSq: number, maxExpAvgSq: number, n: number,
  sign: number, weightDecay: number, paramScale: number, beta1: number, oneMinusBeta1: number, beta2: number,
  oneMinusBeta2: number, biasCorrection2Sqrt: number, eps: number, negStepSize: number,
  decay: boolean, decoupled: boolean, amsgrad: boolean,
): void {
  sign = f(sign); weightDecay = f(weightDecay); paramScale = f(paramScale); beta1 = f(beta1);
  oneMinusBeta1 = f(oneMinusBeta1); beta2 = f(beta2); oneMinusBeta2 = f(oneMinusBeta2);
  biasCorrection2Sqrt = f(biasCorrection2Sqrt); eps = f(eps); negStepSize = f(negStepSize);
  const P = p >>> 2, G = g >>> 2, M = expAvg >>> 2, V = expAvgSq >>> 2, X = maxExpAvgSq >>> 2;
  for (let i = 0; i < n; i++) {
    let pi = h[P + i];
    let gi = f(h[G + i] * sign);
    if (decoupled) pi = f(pi * paramScale);
    if (decay) gi = f(gi + f(weightDecay * pi));
    const m = f(f(h[M + i] * beta1) + f(oneMinusBeta1 * gi));
    let v = f(f(h[V + i] * beta2) + f(f(oneMinusBeta2 * gi) * gi));
    h[M + i] = m;
    h[V + i] = v;
    if (amsgrad) {
      v = Math.max(h[X + i], v);
      h[X + i] = v;
    }
    const denom = f(f(f(Math.sqrt(v)) / biasCorrection2Sqrt) + eps);
    h[P + i] = f(pi + f(f(negStepSize * m) / denom));
  }
}
