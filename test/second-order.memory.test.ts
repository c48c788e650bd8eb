// L-BFGS keeps 2m + 8 vectors of n float64 (history pairs, x, g, the previous g, d, the trial point and
// three line-search gradients): O(m·n), whatever the iteration count, measured on the arena.
import { describe, expect, it } from 'vitest';
import { createRavine, minimize, surfaces } from '../src/index.js';

async function peakBytes(n: number, history: number, maxIter: number): Promise<{ bytes: number; iterations: number }> {
  const rv = await createRavine({ backend: 'js' });
  const before = rv._context.arena.highWater;
  const result = minimize(surfaces.rosenbrock(n), undefined, { method: 'lbfgs', history, maxIter, ravine: rv });
  const bytes = rv._context.arena.highWater - before;
  expect(rv._context.arena.bytesInUse).toBe(0); // everything given back
  rv.dispose();
  return { bytes, iterations: result.iterations };
}

describe('L-BFGS memory', () => {
  it('is (2m + 8)·n float64, linear in m and n, independent of the iteration count', async () => {
    for (const n of [1000, 4000]) {
      for (const m of [3, 10]) {
        const short = await peakBytes(n, m, 5);
        const long = await peakBytes(n, m, 200);
        expect(long.iterations).toBeGreaterThan(short.iterations);
        expect(short.bytes).toBe((2 * m + 8) * 8 * n);
        expect(long.bytes).toBe(short.bytes);
      }
    }
  });

  it('converges on a 100,000-dimensional extended Rosenbrock in as many iterations as 2-D, and on a chained 100-D one (the 1,000,000-dimensional run is `npm run race -- --big`)', async () => {
    const rv = await createRavine();
    const big = minimize(surfaces.rosenbrock(100_000, { coupling: 'pairs' }), undefined, { method: 'lbfgs', gradTol: 1e-6, ravine: rv });
    expect(big.status).toBe('converged');
    expect(big.iterations).toBeLessThanOrEqual(100);
    expect(big.x.reduce((worst, v) => Math.max(worst, Math.abs(v - 1)), 0)).toBeLessThanOrEqual(1e-6);
    const chained = minimize(surfaces.rosenbrock(100), undefined, { method: 'lbfgs', gradTol: 1e-6, maxIter: 5000, ravine: rv });
    expect(chained.status).toBe('converged');
    expect(chained.x.reduce((worst, v) => Math.max(worst, Math.abs(v - 1)), 0)).toBeLessThanOrEqual(1e-6);
    rv.dispose();
  });
});
