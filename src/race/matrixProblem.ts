// The matrix surface: least squares f(W) = ½‖A·W − B‖²_F over a d×k weight matrix W, with A = U·diag(s)·Vᵀ
// built from seeded random orthogonal factors. The Hessian is AᵀA ⊗ I: along the right singular vectors
// vᵢ of A the curvature is sᵢ², so the curvature differs by direction *inside* W (the ravine of the 2-D race,
// in d·k dimensions and rotated away from the coordinate axes, where per-coordinate methods cannot see it).
// Loss and gradient are float64, from the float32 parameters: the curves then show the optimizers, not the
// rounding of the residual (float32 would floor f near 1e-7·f(0)).
import { singularValues } from './svd.js';

export interface MatrixProblemOptions {
  /** Rows of W (= columns of A): the directions curvature differs along. Default 32. */
  rows?: number;
  /** Columns of W (= columns of B). Default 16. */
  cols?: number;
  /** The Hessian's condition number: curvatures sᵢ² spread geometrically over [1, κ]. Default 100. */
  kappa?: number;
  /** Seeds A's factors and W*. Default 1. */
  seed?: number;
}

export interface MatrixProblem {
  rows: number;
  cols: number;
  kappa: number;
  /** The curvatures sᵢ², largest first. */
  curvatures: Float64Array;
  /** The m×d matrix A (m = 2d), row-major. */
  a: Float64Array;
  /** The solution W*, d×k row-major, float32 values (so f* = 0 is reachable by float32 parameters). */
  solution: Float32Array;
  /** W*'s singular values, largest first: where the singular values of W should end. */
  solutionSingularValues: Float64Array;
  /** The start W₀ = 0. */
  start: Float32Array;
  /** f(W), W d×k row-major. */
  loss(w: ArrayLike<number>): number;
  /** Writes ∇f(W) = Aᵀ(A·W − B) into `out` (any length-d·k array) and returns f(W). */
  gradient(w: ArrayLike<number>, out: { length: number; [i: number]: number }): number;
}

/** mulberry32: a 32-bit seeded generator, enough for a reproducible test problem. */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Standard normal deviates by Box–Muller (1 − u keeps the logarithm finite). */
function normal(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** An n×n orthogonal matrix: Gram–Schmidt (twice, for float64 orthogonality) on Gaussian columns. */
function orthogonal(n: number, gauss: () => number): Float64Array {
  const q = Float64Array.from({ length: n * n }, gauss);
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * n + p] * q[i * n + j];
        for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + p];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) q[i * n + j] /= norm;
  }
  return q;
}

/** The problem, the same for the same options on every machine Node runs on (V8's Math.log and Math.cos are its own fdlibm ports). */
export function matrixProblem({ rows = 32, cols = 16, kappa = 100, seed = 1 }: MatrixProblemOptions = {}): MatrixProblem {
  const d = rows,
    k = cols,
    m = 2 * d;
  const gauss = normal(uniform(seed));
  const left = orthogonal(m, gauss),
    right = orthogonal(d, gauss);
  const curvatures = Float64Array.from({ length: d }, (_, i) => kappa ** (1 - i / Math.max(1, d - 1)));
  // A = U[:, :d]·diag(√curvature)·Vᵀ
  const a = new Float64Array(m * d);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let p = 0; p < d; p++) sum += left[i * m + p] * Math.sqrt(curvatures[p]) * right[j * d + p];
      a[i * d + j] = sum;
    }
  }
  // W* with entries N(0, 1/d): its singular values spread over about [1 − √(k/d), 1 + √(k/d)] (Marchenko–Pastur).
  const solution = Float32Array.from({ length: d * k }, () => gauss() / Math.sqrt(d));
  const b = multiply(a, solution, m, d, k);
  const residual = new Float64Array(m * k);
  const lossOf = (w: ArrayLike<number>): number => {
    const aw = multiply(a, w, m, d, k);
    let sum = 0;
    for (let i = 0; i < m * k; i++) {
      residual[i] = aw[i] - b[i];
      sum += residual[i] * residual[i];
    }
    return sum / 2;
  };
  return {
    rows: d,
    cols: k,
    kappa,
    curvatures,
    a,
    solution,
    solutionSingularValues: singularValues(solution, d, k),
    start: new Float32Array(d * k),
    loss: lossOf,
    gradient(w, out) {
      const f = lossOf(w);
      // Aᵀ·residual, row j of the result from column j of A.
      for (let j = 0; j < d; j++) {
        for (let c = 0; c < k; c++) {
          let sum = 0;
          for (let i = 0; i < m; i++) sum += a[i * d + j] * residual[i * k + c];
          out[j * k + c] = sum;
        }
      }
      return f;
    },
  };
}

/** The m×k product of the m×d `x` and the d×k `y`, row-major. */
function multiply(x: ArrayLike<number>, y: ArrayLike<number>, m: number, d: number, k: number): Float64Array {
  const out = new Float64Array(m * k);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < d; p++) {
      const xip = x[i * d + p];
      for (let c = 0; c < k; c++) out[i * k + c] += xip * y[p * k + c];
    }
  }
  return out;
}
