import { describe } from '../describe.js';
import type { Surface } from './types.js';

export interface RosenbrockOptions {
  /**
   * 'chained' (default, scipy.optimize.rosen): Σᵢ 100·(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² over i = 0..n−2.
   * 'pairs': the extended Rosenbrock function (Moré, Garbow & Hillstrom 1981, #21): the same terms
   * over even i only, n/2 independent 2-D valleys, the classic large-scale test.
   */
  coupling?: 'chained' | 'pairs';
}

/**
 * Rosenbrock's valley in n ≥ 2 dimensions. Minimum 0 at (1, …, 1); start (−1.2, 1, −1.2, 1, …).
 * The Hessian is tridiagonal (block-diagonal for 'pairs'); `hvp` costs O(n), so Newton-CG and L-BFGS
 * scale to millions of dimensions. (Chained from the standard start, information travels one
 * coordinate per few iterations: L-BFGS needs about 5n iterations there. `npm run race -- --big`.)
 */
export function rosenbrock(n = 2, options: RosenbrockOptions = {}): Surface {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`rosenbrock: n must be an integer >= 2, got ${describe(n)}`);
  const coupling = options.coupling ?? 'chained';
  if (coupling !== 'chained' && coupling !== 'pairs') throw new RangeError(`rosenbrock: coupling must be 'chained' or 'pairs', got ${describe(coupling)}`);
  if (coupling === 'pairs' && n % 2 !== 0) throw new RangeError(`rosenbrock: coupling 'pairs' needs an even n, got ${n}`);
  const stride = coupling === 'chained' ? 1 : 2;
  // Term i couples xᵢ (its head) and xᵢ₊₁ (its tail).
  const isHead = (i: number) => i < n - 1 && i % stride === 0;
  const diagonal = (x: Float64Array, i: number) => (isHead(i) ? 1200 * x[i] * x[i] - 400 * x[i + 1] + 2 : 0) + (i > 0 && isHead(i - 1) ? 200 : 0);
  const name = coupling === 'pairs' ? `rosenbrock(n=${n}, pairs)` : n === 2 ? 'rosenbrock' : `rosenbrock(n=${n})`;
  return {
    name,
    n,
    minimum: new Float64Array(n).fill(1),
    minima: [new Float64Array(n).fill(1)],
    minValue: 0,
    start: Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1)),
    f(x) {
      let sum = 0;
      for (let i = 0; i < n - 1; i += stride) {
        const a = x[i + 1] - x[i] * x[i],
          b = 1 - x[i];
        sum += 100 * a * a + b * b;
      }
      return sum;
    },
    grad(x, out) {
      out.fill(0, 0, n);
      for (let i = 0; i < n - 1; i += stride) {
        const a = x[i + 1] - x[i] * x[i];
        out[i] += -400 * x[i] * a - 2 * (1 - x[i]);
        out[i + 1] += 200 * a;
      }
    },
    hess(x, out) {
      out.fill(0, 0, n * n);
      for (let i = 0; i < n; i++) {
        out[i * n + i] = diagonal(x, i);
        if (isHead(i)) out[i * n + i + 1] = out[(i + 1) * n + i] = -400 * x[i];
      }
    },
    hvp(x, v, out) {
      for (let i = 0; i < n; i++) {
        let s = diagonal(x, i) * v[i];
        if (i > 0 && isHead(i - 1)) s += -400 * x[i - 1] * v[i - 1];
        if (isHead(i)) s += -400 * x[i] * v[i + 1];
        out[i] = s;
      }
    },
  };
}
