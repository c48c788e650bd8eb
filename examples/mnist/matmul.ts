// The three matrix products an MLP's forward and backward passes need, over row-major Float32Arrays,
// each adding into `out` (as torch's backward adds into .grad), in plain TypeScript: the fallback where
// WebAssembly SIMD is missing. The example runs assembly/matmul.ts's f32x4 kernels by default (simd.ts;
// bench-matmul.ts measures both), and these mirror them operation for operation in float32
// (Math.fround after each product and sum; `out[i] += v` rounds its f64 sum once, which is exact), so
// both give the same bits and the example the same numbers either way.
// Loop orders keep the innermost loop on contiguous rows. A zero in `a` is skipped: MNIST's pixels are
// ~80% zeros and half of ReLU's outputs are, so X·W and Xᵀ·dY do a fifth of the work.

const f = Math.fround;

/** One implementation of the three products; `out` never aliases `a` or `b`. */
export interface Products {
  /** out[m×n] += a[m×k] · b[k×n] */
  addMulAB(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void;
  /** out[k×n] += a[m×k]ᵀ · b[m×n] */
  addMulATB(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void;
  /** out[m×k] += a[m×n] · b[k×n]ᵀ */
  addMulABT(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void;
}

/** out[m×n] += a[m×k] · b[k×n] */
export function addMulAB(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      if (av !== 0) addScaled(out, i * n, b, p * n, av, n);
    }
  }
}

/** out[k×n] += a[m×k]ᵀ · b[m×n] */
export function addMulATB(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      if (av !== 0) addScaled(out, p * n, b, i * n, av, n);
    }
  }
}

/** out[m×k] += a[m×n] · b[k×n]ᵀ */
export function addMulABT(out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) out[i * k + p] += dot(a, i * n, b, p * n, n);
  }
}

/** y[yAt + j] += s·x[xAt + j] for j < n; unrolled by four as the kernel's lanes (measured 1.35× faster than one at a time). */
function addScaled(y: Float32Array, yAt: number, x: Float32Array, xAt: number, s: number, n: number): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    y[yAt + j] += f(s * x[xAt + j]);
    y[yAt + j + 1] += f(s * x[xAt + j + 1]);
    y[yAt + j + 2] += f(s * x[xAt + j + 2]);
    y[yAt + j + 3] += f(s * x[xAt + j + 3]);
  }
  for (; j < n; j++) y[yAt + j] += f(s * x[xAt + j]);
}

/** Σ x[xAt + j]·y[yAt + j] for j < n, in the kernel's order: four lane sums, combined left to right, then the tail. */
function dot(x: Float32Array, xAt: number, y: Float32Array, yAt: number, n: number): number {
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 = f(s0 + f(x[xAt + j] * y[yAt + j]));
    s1 = f(s1 + f(x[xAt + j + 1] * y[yAt + j + 1]));
    s2 = f(s2 + f(x[xAt + j + 2] * y[yAt + j + 2]));
    s3 = f(s3 + f(x[xAt + j + 3] * y[yAt + j + 3]));
  }
  let sum = f(f(f(s0 + s1) + s2) + s3);
  for (; j < n; j++) sum = f(sum + f(x[xAt + j] * y[yAt + j]));
  return sum;
}

export const plainProducts: Products = { addMulAB, addMulATB, addMulABT };
