import { describe } from '../ravine.js';
import type { Surface } from './types.js';

/**
 * Rosenbrock's valley in n ≥ 2 dimensions (the chained form scipy.optimize.rosen uses):
 * f(x) = Σᵢ 100·(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², i = 0..n−2. Minimum 0 at (1, …, 1); start (−1.2, 1, −1.2, 1, …).
 * The Hessian is tridiagonal; `hvp` costs O(n), so Newton-CG and L-BFGS scale to millions of dimensions.
 */
export function rosenbrock(n = 2): Surface {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`rosenbrock: n must be an integer >= 2, got ${describe(n)}`);
  const diagonal = (x: Float64Array, i: number) =>
    (i < n - 1 ? 1200 * x[i] * x[i] - 400 * x[i + 1] + 2 : 0) + (i > 0 ? 200 : 0);
  return {
    name: n === 2 ? 'rosenbrock' : `rosenbrock(n=${n})`,
    n,
    minimum: new Float64Array(n).fill(1),
    minima: [new Float64Array(n).fill(1)],
    minValue: 0,
    start: Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1)),
    f(x) {
      let sum = 0;
      for (let i = 0; i < n - 1; i++) {
        const a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
        sum += 100 * a * a + b * b;
      }
      return sum;
    },
    grad(x, out) {
      out[0] = 0;
      for (let i = 0; i < n - 1; i++) {
        const a = x[i + 1] - x[i] * x[i];
        out[i] += -400 * x[i] * a - 2 * (1 - x[i]);
        out[i + 1] = 200 * a;
      }
    },
    hess(x, out) {
      out.fill(0, 0, n * n);
      for (let i = 0; i < n; i++) {
        out[i * n + i] = diagonal(x, i);
        if (i < n - 1) out[i * n + i + 1] = out[(i + 1) * n + i] = -400 * x[i];
      }
    },
    hvp(x, v, out) {
      for (let i = 0; i < n; i++) {
        let s = diagonal(x, i) * v[i];
        if (i > 0) s += -400 * x[i - 1] * v[i - 1];
        if (i < n - 1) s += -400 * x[i] * v[i + 1];
        out[i] = s;
      }
    },
  };
}
