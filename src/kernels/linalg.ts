// JS mirror of assembly/linalg.ts: same names, parameters and f64 operation order (see its header:
// a dot product sums i ≡ 0..3 (mod 4) of the 4-wide blocks separately, combines (s0 + s2) + (s1 + s3),
// then adds the tail). `h` is a Float64Array over the heap; pointers are byte offsets.

function dotAt(h: Float64Array, X: number, Y: number, n: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 = s0 + h[X + i] * h[Y + i];
    s1 = s1 + h[X + i + 1] * h[Y + i + 1];
    s2 = s2 + h[X + i + 2] * h[Y + i + 2];
    s3 = s3 + h[X + i + 3] * h[Y + i + 3];
  }
  let s = (s0 + s2) + (s1 + s3);
  for (; i < n; i++) s = s + h[X + i] * h[Y + i];
  return s;
}

function axpyAt(h: Float64Array, Y: number, X: number, n: number, a: number): void {
  for (let i = 0; i < n; i++) h[Y + i] = h[Y + i] + a * h[X + i];
}

export function dot_f64(h: Float64Array, x: number, y: number, n: number): number {
  return dotAt(h, x >>> 3, y >>> 3, n);
}

export function axpy_f64(h: Float64Array, y: number, x: number, n: number, a: number): void {
  axpyAt(h, y >>> 3, x >>> 3, n, a);
}

export function scale_f64(h: Float64Array, x: number, n: number, a: number): void {
  const X = x >>> 3;
  for (let i = 0; i < n; i++) h[X + i] = a * h[X + i];
}

export function axpby_f64(h: Float64Array, y: number, x: number, n: number, a: number, b: number): void {
  const Y = y >>> 3, X = x >>> 3;
  for (let i = 0; i < n; i++) h[Y + i] = a * h[X + i] + b * h[Y + i];
}

export function waxpy_f64(h: Float64Array, w: number, x: number, y: number, n: number, a: number): void {
  const W = w >>> 3, X = x >>> 3, Y = y >>> 3;
  for (let i = 0; i < n; i++) h[W + i] = h[X + i] + a * h[Y + i];
}

export function matvec_f64(h: Float64Array, y: number, a: number, x: number, rows: number, cols: number): void {
  const Y = y >>> 3, A = a >>> 3, X = x >>> 3;
  for (let r = 0; r < rows; r++) h[Y + r] = dotAt(h, A + r * cols, X, cols);
}

export function cholesky_f64(h: Float64Array, a: number, n: number, minPivot: number): number {
  const A = a >>> 3;
  for (let j = 0; j < n; j++) {
    const rowJ = A + j * n;
    const d = h[rowJ + j] - dotAt(h, rowJ, rowJ, j);
    if (!(d > minPivot)) return j;
    const ljj = Math.sqrt(d);
    h[rowJ + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = A + i * n;
      h[rowI + j] = (h[rowI + j] - dotAt(h, rowI, rowJ, j)) / ljj;
    }
  }
  return -1;
}

export function solve_lower_f64(h: Float64Array, l: number, b: number, n: number): void {
  const L = l >>> 3, B = b >>> 3;
  for (let i = 0; i < n; i++) {
    const rowI = L + i * n;
    h[B + i] = (h[B + i] - dotAt(h, rowI, B, i)) / h[rowI + i];
  }
}

export function solve_lower_transpose_f64(h: Float64Array, l: number, b: number, n: number): void {
  const L = l >>> 3, B = b >>> 3;
  for (let i = n - 1; i >= 0; i--) {
    const rowI = L + i * n;
    const xi = h[B + i] / h[rowI + i];
    h[B + i] = xi;
    axpyAt(h, B, rowI, i, -xi);
  }
}
