import type { Kernels } from '../backend/kernels.js';

/**
 * The L-BFGS two-loop recursion (Nocedal & Wright, Algorithm 7.4), in torch's order: d holds −g on
 * entry and −H·g on exit, H being the inverse-Hessian approximation from the pairs (s[i], y[i]),
 * oldest first, with ρ[i] = 1 / y[i]·s[i] and initial scaling γ. `alpha` is scratch of at least
 * s.length. Used by minimize's L-BFGS and by the LBFGS optimizer: one recursion, one rounding order.
 */
export function twoLoop(
  k: Kernels,
  n: number,
  d: number,
  s: readonly number[],
  y: readonly number[],
  rho: ArrayLike<number>,
  gamma: number,
  alpha: Float64Array,
): void {
  for (let i = s.length - 1; i >= 0; i--) {
    alpha[i] = k.dot_f64(s[i], d, n) * rho[i];
    k.axpy_f64(d, y[i], n, -alpha[i]);
  }
  k.scale_f64(d, n, gamma);
  for (let i = 0; i < s.length; i++) {
    const beta = k.dot_f64(y[i], d, n) * rho[i];
    k.axpy_f64(d, s[i], n, alpha[i] - beta);
  }
}
