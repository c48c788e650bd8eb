// JS mirror of assembly/sgd.ts: same name, parameters and order of f32 operations; `f` after every
// operation reproduces f32 hardware bit for bit (an f64 result of + − × ÷ √ on f32 inputs rounds once).
// V8 does not unswitch loops, so the flags are tested per element here: loop-invariant branches that
// the CPU predicts (bench/ measures what they cost against a naive loop).
const f = Math.fround;

export function sgd_f32(
  h: Float32Array, p: number, g: number, buf: number, n: number,
  sign: number, weightDecay: number, momentum: number, oneMinusDampening: number, negLr: number,
  decay: boolean, useMomentum: boolean, first: boolean, nesterov: boolean,
): void {
  sign = f(sign); weightDecay = f(weightDecay); momentum = f(momentum);
  oneMinusDampening = f(oneMinusDampening); negLr = f(negLr);
  const P = p >>> 2, G = g >>> 2, B = buf >>> 2;
  for (let i = 0; i < n; i++) {
    const pi = h[P + i];
    let d = f(h[G + i] * sign);
    if (decay) d = f(d + f(weightDecay * pi));
    if (useMomentum) {
      const b = first ? d : f(f(h[B + i] * momentum) + f(oneMinusDampening * d));
      h[B + i] = b;
      d = nesterov ? f(d + f(momentum * b)) : b;
    }
    h[P + i] = f(pi + f(negLr * d));
  }
}
