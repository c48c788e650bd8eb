// The classic 2-D test functions (Beale, Himmelblau, Booth), the saddle, and a long curved valley.
import { surface2D, type Surface } from './types.js';

const BEALE_C = [1.5, 2.25, 2.625];

/** Beale: Σₖ (cₖ − x + x·yᵏ)², k = 1..3. Minimum 0 at (3, 0.5); start (1, 1.5) as in closure.json. */
export function beale(): Surface {
  // tₖ = cₖ − x + x·yᵏ; ∇tₖ = (yᵏ − 1, k·x·yᵏ⁻¹); ∂²tₖ/∂x∂y = k·yᵏ⁻¹, ∂²tₖ/∂y² = k(k−1)·x·yᵏ⁻².
  const terms = (x: number, y: number) =>
    BEALE_C.map((c, j) => {
      const k = j + 1;
      return { k, t: c - x + x * y ** k, tx: y ** k - 1, ty: k * x * y ** (k - 1) };
    });
  return surface2D({
    name: 'beale',
    f: (x, y) => terms(x, y).reduce((s, { t }) => s + t * t, 0),
    grad: (x, y) => terms(x, y).reduce<[number, number]>(([gx, gy], { t, tx, ty }) => [gx + 2 * t * tx, gy + 2 * t * ty], [0, 0]),
    hess: (x, y) =>
      terms(x, y).reduce<[number, number, number]>(
        ([hxx, hxy, hyy], { k, t, tx, ty }) => [
          hxx + 2 * tx * tx,
          hxy + 2 * (tx * ty + t * k * y ** (k - 1)),
          hyy + 2 * (ty * ty + t * k * (k - 1) * x * (k >= 2 ? y ** (k - 2) : 0)),
        ],
        [0, 0, 0],
      ),
    minima: [[3, 0.5]],
    minValue: 0,
    start: [1, 1.5],
  });
}

/**
 * Himmelblau: (x² + y − 11)² + (x + y² − 7)². Four minima of value 0; start (0, 0), near the local
 * maximum, where the Hessian is negative definite.
 */
export function himmelblau(): Surface {
  return surface2D({
    name: 'himmelblau',
    f(x, y) {
      const a = x * x + y - 11,
        b = x + y * y - 7;
      return a * a + b * b;
    },
    grad(x, y) {
      const a = x * x + y - 11,
        b = x + y * y - 7;
      return [4 * x * a + 2 * b, 2 * a + 4 * y * b];
    },
    hess(x, y) {
      const a = x * x + y - 11,
        b = x + y * y - 7;
      return [4 * a + 8 * x * x + 2, 4 * x + 4 * y, 2 + 4 * b + 8 * y * y];
    },
    minima: [
      [3, 2],
      [-2.805118086952745, 3.131312518250573],
      [-3.779310253377747, -3.28318599128617],
      [3.584428340330492, -1.848126526964404],
    ],
    minValue: 0,
    start: [0, 0],
  });
}

/** Booth: (x + 2y − 7)² + (2x + y − 5)², a quadratic. Minimum 0 at (1, 3); start (0, 0). */
export function booth(): Surface {
  return surface2D({
    name: 'booth',
    f(x, y) {
      const a = x + 2 * y - 7,
        b = 2 * x + y - 5;
      return a * a + b * b;
    },
    grad(x, y) {
      const a = x + 2 * y - 7,
        b = 2 * x + y - 5;
      return [2 * a + 4 * b, 4 * a + 2 * b];
    },
    hess: () => [10, 8, 10],
    minima: [[1, 3]],
    minValue: 0,
    start: [0, 0],
  });
}

/**
 * The saddle w1² − w2²: a stationary point at the origin that is not a minimum, and no minimum at all
 * (unbounded below along w2). Plain Newton jumps straight onto the saddle; start (1, 0.01).
 */
export function saddle(): Surface {
  return surface2D({
    name: 'saddle',
    f: (x, y) => x * x - y * y,
    grad: (x, y) => [2 * x, -2 * y],
    hess: () => [2, 0, -2],
    minima: [],
    minValue: null,
    start: [1, 0.01],
  });
}

export interface ValleyOptions {
  /** Curvature across the valley. Default 100. */
  kappa?: number;
  /** Curvature along the valley floor. Default 0.1. */
  floor?: number;
}

/**
 * A long curved valley: f = ½κ·(y − sin x)² + ½·floor·x², a narrow valley winding along y = sin x,
 * sloping gently to its minimum 0 at the origin; start (−5, 0), two bends away.
 */
export function valley(options: ValleyOptions = {}): Surface {
  const kappa = options.kappa ?? 100,
    floor = options.floor ?? 0.1;
  if (!(kappa > 0) || !(floor > 0) || !Number.isFinite(kappa) || !Number.isFinite(floor)) {
    throw new RangeError(`valley: kappa and floor must be finite numbers > 0, got ${kappa} and ${floor}`);
  }
  return surface2D({
    name: `valley(κ=${kappa})`,
    f(x, y) {
      const r = y - Math.sin(x);
      return 0.5 * kappa * r * r + 0.5 * floor * x * x;
    },
    grad(x, y) {
      const r = y - Math.sin(x);
      return [-kappa * r * Math.cos(x) + floor * x, kappa * r];
    },
    hess(x, y) {
      const s = Math.sin(x),
        c = Math.cos(x),
        r = y - s;
      return [kappa * c * c + kappa * r * s + floor, -kappa * c, kappa];
    },
    minima: [[0, 0]],
    minValue: 0,
    start: [-5, 0],
  });
}
