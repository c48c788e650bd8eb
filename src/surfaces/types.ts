/**
 * What `minimize` accepts: a function of x ∈ ℝⁿ with its gradient, and optionally its dense Hessian and
 * Hessian-vector product. Each may write into `out` (fastest: no allocation) or return an array
 * (`hess` may also return n rows). `x` and `v` are views into ravine's heap, valid during the call
 * only: copy them to keep them.
 */
// A problem's callbacks either write into `out` and return nothing, or return their values: `void` in the
// return types says the first is allowed (undefined would not accept a function declared to return void).
export interface Problem {
  f(x: Float64Array): number;
  // biome-ignore lint/suspicious/noConfusingVoidType: returns nothing or its values (above)
  grad(x: Float64Array, out: Float64Array): ArrayLike<number> | void;
  /** The n×n Hessian, row-major (or n rows of n). Newton needs it. */
  // biome-ignore lint/suspicious/noConfusingVoidType: returns nothing or its values (above)
  hess?(x: Float64Array, out: Float64Array): ArrayLike<number> | ArrayLike<ArrayLike<number>> | void;
  /** H(x)·v. Newton-CG uses it when given, else finite differences of the gradient. */
  // biome-ignore lint/suspicious/noConfusingVoidType: returns nothing or its values (above)
  hvp?(x: Float64Array, v: Float64Array, out: Float64Array): ArrayLike<number> | void;
}

/** A classic test function in float64: value, gradient, dense Hessian, Hessian-vector product. */
export interface Surface extends Problem {
  readonly name: string;
  readonly n: number;
  /** A global minimiser (null when the function is unbounded below, as the saddle is). */
  readonly minimum: Float64Array | null;
  /** Every local minimiser known in closed form or to full precision (Himmelblau has four). */
  readonly minima: readonly Float64Array[];
  /** f at `minimum` (null when unbounded below). */
  readonly minValue: number | null;
  /** The standard start point of the literature (or of ravine's references). */
  readonly start: Float64Array;
  hess(x: Float64Array, out: Float64Array): void;
  hvp(x: Float64Array, v: Float64Array, out: Float64Array): void;
}

/** A 2-D surface from its value, gradient and the three Hessian entries; hvp and dense Hessian follow. */
export interface Surface2D {
  name: string;
  f(x: number, y: number): number;
  /** [∂f/∂x, ∂f/∂y] */
  grad(x: number, y: number): [number, number];
  /** [Hxx, Hxy, Hyy] */
  hess(x: number, y: number): [number, number, number];
  minima: [number, number][];
  minValue: number | null;
  start: [number, number];
}

export function surface2D(s: Surface2D): Surface {
  const minima = s.minima.map((m) => Float64Array.from(m));
  return {
    name: s.name,
    n: 2,
    minimum: minima[0] ?? null,
    minima,
    minValue: s.minValue,
    start: Float64Array.from(s.start),
    f: (w) => s.f(w[0], w[1]),
    grad(w, out) {
      const [gx, gy] = s.grad(w[0], w[1]);
      out[0] = gx;
      out[1] = gy;
    },
    hess(w, out) {
      const [hxx, hxy, hyy] = s.hess(w[0], w[1]);
      out[0] = hxx;
      out[1] = hxy;
      out[2] = hxy;
      out[3] = hyy;
    },
    hvp(w, v, out) {
      const [hxx, hxy, hyy] = s.hess(w[0], w[1]);
      out[0] = hxx * v[0] + hxy * v[1];
      out[1] = hxy * v[0] + hyy * v[1];
    },
  };
}
