// The race's SVD (src/race/svd.ts), which draws the matrix race's singular values: U·diag(s)·Vᵀ gives the
// matrix back, U and V have orthonormal columns, and the singular values are the ones the matrix was
// built with, tall, wide, rank-deficient and ill-conditioned alike.
import { describe, expect, it } from 'vitest';
import { matrixProblem } from '../src/race/matrixProblem.js';
import { singularValues, svd } from '../src/race/svd.js';

/** max |U·diag(s)·Vᵀ − A| over the m×n row-major `a`. */
function reconstructionError(a: ArrayLike<number>, m: number, n: number): number {
  const { u, s, v } = svd(a, m, n);
  const r = s.length;
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < r; k++) sum += u[i * r + k] * s[k] * v[j * r + k];
      worst = Math.max(worst, Math.abs(sum - a[i * n + j]));
    }
  }
  return worst;
}

/** max |XᵀX − I| over the r columns of the rows×r `x` that have a non-zero singular value. */
function orthonormalityError(x: Float64Array, rows: number, r: number): number {
  let worst = 0;
  for (let p = 0; p < r; p++) {
    for (let q = 0; q < r; q++) {
      let dot = 0;
      for (let i = 0; i < rows; i++) dot += x[i * r + p] * x[i * r + q];
      worst = Math.max(worst, Math.abs(dot - (p === q ? 1 : 0)));
    }
  }
  return worst;
}

const seeded = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * 3);

describe('svd', () => {
  it('[[3, 0], [4, 5]] has singular values 3√5 and √5 (AᵀA has eigenvalues 45 and 5)', () => {
    const s = singularValues([3, 0, 4, 5], 2, 2);
    expect(s[0]).toBeCloseTo(3 * Math.sqrt(5), 14);
    expect(s[1]).toBeCloseTo(Math.sqrt(5), 14);
  });

  it('a diagonal matrix with its entries out of order: the absolute values, largest first', () => {
    expect(Array.from(singularValues([0.5, 0, 0, 0, -4, 0, 0, 0, 2], 3, 3))).toEqual([4, 2, 0.5]);
  });

  it.each([
    ['tall 7×4', 7, 4],
    ['wide 3×8', 3, 8],
    ['square 16×16', 16, 16],
    ['the race’s 32×16', 32, 16],
  ])('%s: U·diag(s)·Vᵀ rebuilds the matrix to 1e-13, U and V are orthonormal to 1e-13, s descends', (_, m, n) => {
    const a = seeded(m * n, m + n);
    const { u, s, v } = svd(a, m, n);
    const r = Math.min(m, n);
    expect(s.length).toBe(r);
    expect(reconstructionError(a, m, n)).toBeLessThan(1e-13);
    expect(orthonormalityError(u, m, r)).toBeLessThan(1e-13);
    expect(orthonormalityError(v, n, r)).toBeLessThan(1e-13);
    for (let k = 1; k < r; k++) expect(s[k]).toBeLessThanOrEqual(s[k - 1]);
  });

  it('a rank-1 matrix (every row a multiple of one) has one non-zero singular value, its Frobenius norm', () => {
    const row = [1, -2, 3, 0.5];
    const a = [1, 2, -1, 0.25, 4].flatMap((c) => row.map((x) => c * x));
    const s = singularValues(a, 5, 4);
    const frobenius = Math.hypot(...a);
    expect(s[0]).toBeCloseTo(frobenius, 12);
    for (const small of s.slice(1)) expect(small).toBeLessThan(1e-14 * frobenius);
    expect(reconstructionError(a, 5, 4)).toBeLessThan(1e-13);
  });

  it("the matrix race's A (64×32, built as U·diag(√curvature)·Vᵀ with κ = 100): its singular values are the square roots of the curvatures, to 1e-13 relative", () => {
    const p = matrixProblem();
    const s = singularValues(p.a, 2 * p.rows, p.rows);
    s.forEach((v, i) => expect(Math.abs(v - Math.sqrt(p.curvatures[i])) / Math.sqrt(p.curvatures[i])).toBeLessThan(1e-13));
  });
});
