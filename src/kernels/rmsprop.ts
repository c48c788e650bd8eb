// JS mirror of assembly/rmsprop.ts: same name, parameters and f32 operation order.
const f = Math.fround;

export function rmsprop_f32(
  h: Float32Array, p: number, g: number, squareAvg: number, gradAvg: number, momentumBuffer: number, n: number,
  sign: number, weightDecay: number, alpha: number, oneMinusAlpha: number, eps: number, momentum: number, negLr: number,
  decay: boolean, centered: boolean, useMomentum: boolean,
): void {
  sign = f(sign); weightDecay = f(weightDecay); alpha = f(alpha); oneMinusAlpha = f(oneMinusAlpha);
  eps = f(eps); momentum = f(momentum); negLr = f(negLr);
  const P = p >>> 2, G = g >>> 2, S = squareAvg >>> 2, A = gradAvg >>> 2, B = momentumBuffer >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let gi = f(h[G + i] * sign);
    if (decay) gi = f(gi + f(weightDecay * pi));
    const s = f(f(h[S + i] * alpha) + f(f(oneMinusAlpha * gi) * gi));
    h[S + i] = s;
    let avg: number;
    if (centered) {
      const ga = f(f(h[A + i] * alpha) + f(oneMinusAlpha * gi));
      h[A + i] = ga;
      avg = f(Math.sqrt(f(s - f(ga * ga))));
    } else {
      avg = f(Math.sqrt(s));
    }
    avg = f(avg + eps);
    if (useMomentum) {
      const b = f(f(h[B + i] * momentum) + f(gi / avg));
      h[B + i] = b;
      h[P + i] = f(pi + f(negLr * b));
    } else {
      h[P + i] = f(pi + f(f(negLr * gi) / avg));
    }
  }
}
