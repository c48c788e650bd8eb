// Negative curvature: where the Hessian is indefinite, Newton's fallback fires and the run still
// converges to a minimum (or, on the saddle, walks away from the stationary point instead of onto it).
import { describe, expect, it } from 'vitest';
import { minimize, surfaces } from '../src/index.js';

function hessianAt(surface: ReturnType<typeof surfaces.rosenbrock>, x: number[]) {
  const h = new Float64Array(4);
  surface.hess(Float64Array.from(x), h);
  return { det: h[0] * h[3] - h[1] * h[2], trace: h[0] + h[3] };
}

const distanceToNearest = (x: Float64Array, minima: readonly Float64Array[]) =>
  Math.min(...minima.map((m) => Math.max(...Array.from(x, (v, i) => Math.abs(v - m[i])))));

describe('negative curvature', () => {
  const rosenbrock = surfaces.rosenbrock(2);
  for (const x0 of [
    [0, 1],
    [-0.5, 1],
    [1.5, 3],
  ]) {
    for (const fallback of ['shift', 'gradient'] as const) {
      it(`newton (${fallback} fallback) on Rosenbrock from ${JSON.stringify(x0)}, where H is indefinite, falls back and converges to (1, 1)`, () => {
        expect(hessianAt(rosenbrock, x0).det).toBeLessThan(0);
        const result = minimize(rosenbrock, x0, { method: 'newton', fallback });
        expect(result.fallbacks).toBeGreaterThanOrEqual(1);
        expect(result.status).toBe('converged');
        expect(distanceToNearest(result.x, rosenbrock.minima)).toBeLessThanOrEqual(1e-6);
      });
    }
    it(`newtonCG on Rosenbrock from ${JSON.stringify(x0)} converges to (1, 1)`, () => {
      const result = minimize(rosenbrock, x0, { method: 'newtonCG' });
      expect(result.status).toBe('converged');
      expect(distanceToNearest(result.x, rosenbrock.minima)).toBeLessThanOrEqual(1e-6);
    });
  }

  it('newtonCG meets negative curvature on its first CG iteration on Himmelblau from (0, 0) and steps along −∇f', () => {
    const result = minimize(surfaces.himmelblau(), [0, 0], { method: 'newtonCG', maxIter: 1, trajectory: true });
    const [x0, x1] = result.trajectory!;
    expect(result.fallbacks).toBe(1);
    // −∇f(0, 0) = (14, 22): the step is along it, and went downhill.
    expect((x1[0] - x0[0]) / (x1[1] - x0[1])).toBeCloseTo(14 / 22, 12);
    expect(x1[0]).toBeGreaterThan(0);
    expect(result.f).toBeLessThan(170);
  });

  it('himmelblau from (0, 0), where H is negative definite: newton falls back and reaches one of the four minima', () => {
    const himmelblau = surfaces.himmelblau();
    const h = new Float64Array(4);
    himmelblau.hess(himmelblau.start, h);
    expect(h[0]).toBeLessThan(0);
    expect(h[3]).toBeLessThan(0);
    for (const fallback of ['shift', 'gradient'] as const) {
      const result = minimize(himmelblau, undefined, { method: 'newton', fallback });
      expect(result.fallbacks).toBeGreaterThanOrEqual(1);
      expect(result.status).toBe('converged');
      expect(distanceToNearest(result.x, himmelblau.minima)).toBeLessThanOrEqual(1e-6);
    }
  });

  it("on the saddle w1² − w2² plain Newton lands on the saddle point; ravine's Newton falls back and escapes downhill", () => {
    const saddle = surfaces.saddle();
    // What the textbook step does: x − H⁻¹∇f = (0, 0) exactly, a stationary point that is no minimum.
    const g = new Float64Array(2);
    saddle.grad(saddle.start, g);
    expect([saddle.start[0] - g[0] / 2, saddle.start[1] - g[1] / -2]).toEqual([0, 0]);
    for (const fallback of ['shift', 'gradient'] as const) {
      const result = minimize(saddle, undefined, { method: 'newton', fallback, maxIter: 10 });
      expect(result.fallbacks).toBe(result.iterations);
      expect(result.status).toBe('maxIterations');
      expect(result.f).toBeLessThan(-100);
      expect(Math.abs(result.x[1])).toBeGreaterThan(10);
    }
    const cg = minimize(saddle, undefined, { method: 'newtonCG', maxIter: 3 });
    expect(cg.fallbacks).toBeGreaterThanOrEqual(1);
    expect(cg.f).toBeLessThan(-1);
  });
});

describe('every method with every line search', () => {
  for (const method of ['newton', 'newtonCG', 'lbfgs'] as const) {
    for (const lineSearch of ['strongWolfe', 'armijo'] as const) {
      it(`${method} with ${lineSearch} converges on Rosenbrock from (−1.2, 1), Beale and the valley`, () => {
        for (const surface of [surfaces.rosenbrock(2), surfaces.beale(), surfaces.valley()]) {
          const result = minimize(surface, undefined, { method, lineSearch });
          expect(result.status, surface.name).toBe('converged');
          expect(distanceToNearest(result.x, surface.minima), surface.name).toBeLessThanOrEqual(1e-6);
        }
      });
    }
  }
});
