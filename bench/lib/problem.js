// The parameters and gradients every implementation starts from: deterministic, so a smoke test can
// compare the parameters different implementations end with.

/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Parameters uniform in [−1, 1) and gradients of magnitude in [0.1, 1) with random sign: far from
 * the eps regime, so implementations that place eps differently (TF.js) still agree to float tolerance.
 */
export function makeProblem(sizes, seed = 1) {
  const next = rng(seed);
  const params = sizes.map((n) => fill(n, () => 2 * next() - 1));
  const grads = sizes.map((n) => fill(n, () => (next() < 0.5 ? -1 : 1) * (0.1 + 0.9 * next())));
  return { sizes, params, grads };
}

/** One tensor of `n` parameters. */
export const vector = (n) => [n];

function fill(n, value) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = value();
  return out;
}
