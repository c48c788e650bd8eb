// The singular values of a small dense matrix, for the matrix race's pictures: one-sided Jacobi
// (Hestenes 1958; Demmel & Veselić 1992) in float64. It rotates pairs of columns until every pair is
// orthogonal; the column norms are then the singular values. Small and accurate on the 32×16 matrices
// the race draws (every σ to high relative accuracy, not just the large ones), and no library to load.

export interface Svd {
  /** m×r, column-major in a row-major array: U[i·r + j]; orthonormal columns. r = min(m, n). */
  u: Float64Array;
  /** The r singular values, largest first. */
  s: Float64Array;
  /** n×r, row-major like U: A = U·diag(s)·Vᵀ. */
  v: Float64Array;
}

/** Two columns count as orthogonal when |cos of their angle| is at most this (float64's precision); sweeps stop when every pair is. */
const tolerance = 1e-15;
const maxSweeps = 60;

/** The SVD of the m×n row-major matrix `a` (not modified), as U·diag(s)·Vᵀ with r = min(m, n) columns. */
export function svd(a: ArrayLike<number>, m: number, n: number): Svd {
  if (m < n) {
    // Aᵀ = V·S·Uᵀ: decompose the tall transpose and swap the factors.
    const t = svd(transpose(a, m, n), n, m);
    return { u: t.v, s: t.s, v: t.u };
  }
  const w = Float64Array.from({ length: m * n }, (_, i) => a[i]);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) rotated = orthogonalize(w, v, m, n, p, q) || rotated;
    }
    if (!rotated) break;
  }
  return sorted(w, v, m, n);
}

/** One Jacobi rotation making columns p and q of `w` orthogonal, applied to V too; false when they already are. */
function orthogonalize(w: Float64Array, v: Float64Array, m: number, n: number, p: number, q: number): boolean {
  let alpha = 0,
    beta = 0,
    gamma = 0;
  for (let i = 0; i < m; i++) {
    const x = w[i * n + p],
      y = w[i * n + q];
    alpha += x * x;
    beta += y * y;
    gamma += x * y;
  }
  if (gamma === 0 || Math.abs(gamma) <= tolerance * Math.sqrt(alpha * beta)) return false;
  // The rotation that zeroes the off-diagonal of [[α, γ], [γ, β]], with the smaller angle (|t| ≤ 1).
  const zeta = (beta - alpha) / (2 * gamma);
  const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
  const c = 1 / Math.sqrt(1 + t * t),
    s = c * t;
  rotate(w, m, n, p, q, c, s);
  rotate(v, n, n, p, q, c, s);
  return true;
}

function rotate(x: Float64Array, rows: number, n: number, p: number, q: number, c: number, s: number): void {
  for (let i = 0; i < rows; i++) {
    const a = x[i * n + p],
      b = x[i * n + q];
    x[i * n + p] = c * a - s * b;
    x[i * n + q] = s * a + c * b;
  }
}

/** Column norms of `w` as σ, its columns over σ as U (a zero σ keeps a zero column), all ordered by σ descending. */
function sorted(w: Float64Array, v: Float64Array, m: number, n: number): Svd {
  const norms = Array.from({ length: n }, (_, j) => Math.hypot(...Array.from({ length: m }, (_, i) => w[i * n + j])));
  const order = norms.map((_, j) => j).sort((x, y) => norms[y] - norms[x]);
  const u = new Float64Array(m * n),
    s = new Float64Array(n),
    vOut = new Float64Array(n * n);
  order.forEach((j, k) => {
    s[k] = norms[j];
    for (let i = 0; i < m; i++) u[i * n + k] = norms[j] > 0 ? w[i * n + j] / norms[j] : 0;
    for (let i = 0; i < n; i++) vOut[i * n + k] = v[i * n + j];
  });
  return { u, s, v: vOut };
}

function transpose(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
  return t;
}

/** The singular values alone, largest first. */
export function singularValues(a: ArrayLike<number>, m: number, n: number): Float64Array {
  return svd(a, m, n).s;
}
