// JS mirror of assembly/matmul.ts: the same products in the same order per element, c[i][j] summed over
// p = 0 … k−1 from 0, each product rounded before it is added; the loops run i, p, j so that the row of
// C, kept in the float32 heap (each store a rounding), is the running sum.

/** `_packed`: the SIMD kernel's scratch for a packed panel of B; the mirror reads B in place. */
export function matmul_f32(h: Float32Array, _u: Uint32Array, a: number, b: number, c: number, m: number, k: number, n: number, _packed: number): void {
  const A = a >>> 2,
    B = b >>> 2,
    C = c >>> 2;
  for (let i = 0; i < m; i++) {
    const ci = C + i * n;
    h.fill(0, ci, ci + n);
    for (let p = 0; p < k; p++) {
      const aip = h[A + i * k + p];
      const bp = B + p * n;
      for (let j = 0; j < n; j++) h[ci + j] += Math.fround(aip * h[bp + j]);
    }
  }
}

export function transpose_f32(h: Float32Array, _u: Uint32Array, a: number, t: number, m: number, n: number): void {
  const A = a >>> 2,
    T = t >>> 2;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) h[T + j * m + i] = h[A + i * n + j];
}

export function matmulTasks_f32(h: Float32Array, u: Uint32Array, tasks: number, count: number): void {
  for (let t = 0; t < count; t++) {
    const at = (tasks >>> 2) + 8 * t;
    matmul_f32(h, u, u[at], u[at + 1], u[at + 2], u[at + 3] | 0, u[at + 4] | 0, u[at + 5] | 0, u[at + 6]);
  }
}
