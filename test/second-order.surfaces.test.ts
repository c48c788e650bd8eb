// Every surface's gradient, dense Hessian and Hessian-vector product agree with finite differences of
// the level below, its minimum is where it says (value and zero gradient), and a user's own
// { f, grad } works wherever a surface does.
import { describe, expect, it } from 'vitest';
import { createRavine, minimize, surfaces, type Surface } from '../src/index.js';

const all: Surface[] = [
  surfaces.ravine(),
  surfaces.ravine({ kappa: 1000, angle: 0.7 }),
  surfaces.rosenbrock(2),
  surfaces.rosenbrock(7),
  surfaces.rosenbrock(6, { coupling: 'pairs' }),
  surfaces.beale(),
  surfaces.himmelblau(),
  surfaces.booth(),
  surfaces.saddle(),
  surfaces.valley(),
];

/** Points near the start and the minimum, plus a fixed odd point. */
function probes(s: Surface): Float64Array[] {
  const odd = Float64Array.from({ length: s.n }, (_, i) => 0.3 + 0.17 * i * (i % 2 ? -1 : 1));
  return [s.start, odd, ...s.minima.map((m) => m.map((v, i) => v + 0.05 * (i + 1)))];
}

describe('surfaces', () => {
  for (const s of all) {
    it(`${s.name} (n=${s.n}): gradient, Hessian and hvp match central differences`, () => {
      const n = s.n,
        h = 1e-6;
      for (const x of probes(s)) {
        const g = new Float64Array(n),
          H = new Float64Array(n * n),
          Hv = new Float64Array(n);
        s.grad(x, g);
        s.hess(x, H);
        const v = Float64Array.from({ length: n }, (_, i) => Math.cos(i + 1));
        s.hvp(x, v, Hv);
        const gPlus = new Float64Array(n),
          gMinus = new Float64Array(n);
        for (let j = 0; j < n; j++) {
          const xp = Float64Array.from(x),
            xm = Float64Array.from(x);
          xp[j] += h;
          xm[j] -= h;
          const fd = (s.f(xp) - s.f(xm)) / (2 * h);
          expect(Math.abs(g[j] - fd), `${s.name} ∂f/∂x${j}`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(fd)));
          s.grad(xp, gPlus);
          s.grad(xm, gMinus);
          for (let i = 0; i < n; i++) {
            const fdH = (gPlus[i] - gMinus[i]) / (2 * h);
            expect(Math.abs(H[i * n + j] - fdH), `${s.name} H[${i}][${j}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(fdH)));
          }
        }
        for (let i = 0; i < n; i++) {
          const dense = H.subarray(i * n, i * n + n).reduce((sum, hij, j) => sum + hij * v[j], 0);
          expect(Math.abs(Hv[i] - dense), `${s.name} (H·v)[${i}]`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(dense)));
        }
      }
    });

    it(`${s.name}: f and ∇f at each listed minimum`, () => {
      expect(s.minima.length === 0).toBe(s.minimum === null);
      for (const m of s.minima) {
        expect(Math.abs(s.f(m) - s.minValue!)).toBeLessThanOrEqual(1e-12);
        const g = new Float64Array(s.n);
        s.grad(m, g);
        expect(Math.max(...g.map(Math.abs))).toBeLessThanOrEqual(1e-9);
      }
    });
  }

  it('the rotated ravine has condition number κ: Hessian eigenvalues κ and 1', () => {
    const s = surfaces.ravine({ kappa: 1000, angle: 0.7 });
    const H = new Float64Array(4);
    s.hess(s.start, H);
    const tr = H[0] + H[3],
      det = H[0] * H[3] - H[1] * H[2];
    const disc = Math.sqrt((tr * tr) / 4 - det);
    expect(tr / 2 + disc).toBeCloseTo(1000, 9);
    expect(tr / 2 - disc).toBeCloseTo(1, 9);
  });

  it('bad surface parameters throw naming them', () => {
    expect(() => surfaces.rosenbrock(1)).toThrowError(/rosenbrock: n must be an integer >= 2, got 1/);
    expect(() => surfaces.ravine({ kappa: -1 })).toThrowError(/ravine: kappa must be a finite number > 0, got -1/);
    expect(() => surfaces.valley({ floor: 0 })).toThrowError(RangeError);
    expect(() => surfaces.rosenbrock(5, { coupling: 'pairs' })).toThrowError(/coupling 'pairs' needs an even n, got 5/);
  });

  it("a user's own { f, grad } returning arrays is minimised like a surface", () => {
    const problem = { f: (x: Float64Array) => (x[0] - 1) ** 2 + 10 * (x[1] + 2) ** 2, grad: (x: Float64Array) => [2 * (x[0] - 1), 20 * (x[1] + 2)] };
    for (const method of ['lbfgs', 'newtonCG'] as const) {
      const result = minimize(problem, [5, 5], { method });
      expect(result.status).toBe('converged');
      expect(result.x[0]).toBeCloseTo(1, 9);
      expect(result.x[1]).toBeCloseTo(-2, 9);
      if (method === 'newtonCG') expect(result.evaluations.hvp).toBe(0); // finite differences of grad
    }
  });

  it("first-order optimizers run on surfaces too: Adam on the ravine decreases f, SGD without lr takes torch 2.13's 1e-3", async () => {
    const rv = await createRavine({ backend: 'simd' });
    const adam = minimize(surfaces.ravine(), undefined, { method: 'adam', optimizer: { lr: 0.05 }, maxIter: 200, ravine: rv });
    expect(adam.iterations).toBe(200);
    expect(adam.f).toBeLessThan(surfaces.ravine().f(surfaces.ravine().start) / 10);
    const sgd = minimize(surfaces.ravine(), undefined, { method: 'sgd', maxIter: 3, ravine: rv, trajectory: true });
    const [x0, x1] = sgd.trajectory!,
      g0 = new Float64Array(2);
    surfaces.ravine().grad(Float64Array.from(x0), g0);
    expect(x1[0]).toBeCloseTo(x0[0] - 1e-3 * g0[0], 5);
    expect(x1[0]).not.toBe(x0[0]);
    // The run's tensor and optimizer are gone afterwards: the heap is back where it was.
    const before = rv._context.arena.bytesInUse;
    minimize(surfaces.ravine(), undefined, { method: 'rmsprop', optimizer: { lr: 0.01 }, maxIter: 5, ravine: rv });
    expect(rv._context.arena.bytesInUse).toBe(before);
    rv.dispose();
  });
});
