// Float64 linear algebra under L-BFGS, Newton and Newton-CG: f64x2 blocks, then a scalar tail.
// Memory contract: every pointer is a byte offset of f64 data (8-byte aligned; 16 not required);
// matrices are n×n (or rows×cols) row-major. Nothing is allocated.
//
// Summation order, shared with the JS mirror (src/kernels/linalg.ts) so the two are bit-identical:
// a dot product keeps four partial sums s0..s3 over elements i ≡ 0..3 (mod 4) of the 4-wide blocks
// (two f64x2 accumulators), combines them as (s0 + s2) + (s1 + s3), then adds the tail in order.
// No FMA: every product is rounded before it is added.

// @ts-ignore: decorator
@inline function dotAt(x: usize, y: usize, n: i32): f64 {
  let vAcc0 = f64x2.splat(0);
  let vAcc1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 3;
    vAcc0 = f64x2.add(vAcc0, f64x2.mul(v128.load(x + o), v128.load(y + o)));
    vAcc1 = f64x2.add(vAcc1, f64x2.mul(v128.load(x + o, 16), v128.load(y + o, 16)));
  }
  const vSum = f64x2.add(vAcc0, vAcc1);
  let s = f64x2.extract_lane(vSum, 0) + f64x2.extract_lane(vSum, 1);
  for (; i < n; i++) {
    const o = <usize>i << 3;
    s = s + load<f64>(x + o) * load<f64>(y + o);
  }
  return s;
}

// y = y + a·x
// @ts-ignore: decorator
@inline function axpyAt(y: usize, x: usize, n: i32, a: f64): void {
  const vA = f64x2.splat(a);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(vA, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(y + o, load<f64>(y + o) + a * load<f64>(x + o));
  }
}

/** Σ x[i]·y[i] over n elements, in the order described above. */
export function dot_f64(x: usize, y: usize, n: i32): f64 {
  return dotAt(x, y, n);
}

/** y = y + a·x */
export function axpy_f64(y: usize, x: usize, n: i32, a: f64): void {
  axpyAt(y, x, n, a);
}

/** x = a·x */
export function scale_f64(x: usize, n: i32, a: f64): void {
  const vA = f64x2.splat(a);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(x + o, f64x2.mul(vA, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(x + o, a * load<f64>(x + o));
  }
}

/** y = a·x + b·y (CG's p = −r + β·p; a copy with a = 1, b = 0 when y holds no NaN) */
export function axpby_f64(y: usize, x: usize, n: i32, a: f64, b: f64): void {
  const vA = f64x2.splat(a);
  const vB = f64x2.splat(b);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(y + o, f64x2.add(f64x2.mul(vA, v128.load(x + o)), f64x2.mul(vB, v128.load(y + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(y + o, a * load<f64>(x + o) + b * load<f64>(y + o));
  }
}

/** w = x + a·y (a trial point x + t·d of a line search; w may alias neither x nor y) */
export function waxpy_f64(w: usize, x: usize, y: usize, n: i32, a: f64): void {
  const vA = f64x2.splat(a);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 3;
    v128.store(w + o, f64x2.add(v128.load(x + o), f64x2.mul(vA, v128.load(y + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 3;
    store<f64>(w + o, load<f64>(x + o) + a * load<f64>(y + o));
  }
}

/** y = A·x, A rows×cols row-major: each y[r] a dot product of row r with x. y must not alias x. */
export function matvec_f64(y: usize, a: usize, x: usize, rows: i32, cols: i32): void {
  const stride = <usize>cols << 3;
  for (let r = 0; r < rows; r++) {
    store<f64>(y + (<usize>r << 3), dotAt(a + <usize>r * stride, x, cols));
  }
}

/**
 * In-place Cholesky A = L·Lᵀ (Cholesky–Crout, row by row): the lower triangle of the n×n row-major
 * `a` becomes L; the strict upper triangle is left as it was. Returns −1 on success, or the column j
 * whose pivot A[j][j] − Σ L[j][k]² is not above `minPivot` (or is NaN): the matrix is not
 * (numerically) positive definite, and the caller falls back.
 */
export function cholesky_f64(a: usize, n: i32, minPivot: f64): i32 {
  const stride = <usize>n << 3;
  for (let j = 0; j < n; j++) {
    const rowJ = a + <usize>j * stride;
    const d = load<f64>(rowJ + (<usize>j << 3)) - dotAt(rowJ, rowJ, j);
    if (!(d > minPivot)) return j;
    const ljj = sqrt<f64>(d);
    store<f64>(rowJ + (<usize>j << 3), ljj);
    for (let i = j + 1; i < n; i++) {
      const rowI = a + <usize>i * stride;
      const at = rowI + (<usize>j << 3);
      store<f64>(at, (load<f64>(at) - dotAt(rowI, rowJ, j)) / ljj);
    }
  }
  return -1;
}

/** Solves L·y = b in place (b becomes y), L the lower triangle of n×n row-major `l`. */
export function solve_lower_f64(l: usize, b: usize, n: i32): void {
  const stride = <usize>n << 3;
  for (let i = 0; i < n; i++) {
    const rowI = l + <usize>i * stride;
    const at = b + (<usize>i << 3);
    store<f64>(at, (load<f64>(at) - dotAt(rowI, b, i)) / load<f64>(rowI + (<usize>i << 3)));
  }
}

/**
 * Solves Lᵀ·x = y in place (y becomes x), column-oriented so it reads rows of L: x[i] = y[i]/L[i][i],
 * then y[0..i) −= x[i]·L[i][0..i), an axpy over a contiguous row.
 */
export function solve_lower_transpose_f64(l: usize, b: usize, n: i32): void {
  const stride = <usize>n << 3;
  for (let i = n - 1; i >= 0; i--) {
    const rowI = l + <usize>i * stride;
    const at = b + (<usize>i << 3);
    const xi = load<f64>(at) / load<f64>(rowI + (<usize>i << 3));
    store<f64>(at, xi);
    axpyAt(b, rowI, i, -xi);
  }
}
