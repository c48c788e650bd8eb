// Bad arguments throw errors naming them; a non-finite number from the user's function ends the run
// with status 'nonFinite' and a message saying where, never a silent NaN result.
import { describe, expect, it } from 'vitest';
import { minimize, surfaces, type Problem } from '../src/index.js';

const quadratic: Problem = {
  f: (x) => x[0] * x[0] + 2 * x[1] * x[1],
  grad: (x) => [2 * x[0], 4 * x[1]],
  hess: () => [2, 0, 0, 4],
};

describe('minimize: bad arguments', () => {
  const cases: [string, () => unknown, ErrorConstructor, RegExp][] = [
    ['x0 of the wrong length for a surface', () => minimize(surfaces.rosenbrock(3), [1, 2]), RangeError, /x0 has length 2.*3-dimensional/],
    ['an empty x0', () => minimize(quadratic, []), RangeError, /x0 must not be empty/],
    ['x0 with NaN', () => minimize(quadratic, [1, NaN]), RangeError, /x0\[1\] must be a finite number, got NaN/],
    ['no x0 and no start', () => minimize(quadratic), TypeError, /x0 is required/],
    ['a negative gradTol', () => minimize(quadratic, [1, 1], { gradTol: -1e-6 }), RangeError, /gradTol must be a finite number >= 0, got -0.000001/],
    ['a fractional maxIter', () => minimize(quadratic, [1, 1], { maxIter: 2.5 }), RangeError, /maxIter must be an integer >= 0, got 2.5/],
    ['history 0', () => minimize(quadratic, [1, 1], { history: 0 }), RangeError, /history must be an integer in \[1, 10000\], got 0/],
    ['an unknown method', () => minimize(quadratic, [1, 1], { method: 'bfgs' as never }), RangeError, /method must be one of .*got "bfgs"/],
    ['an unknown line search', () => minimize(quadratic, [1, 1], { lineSearch: 'wolfe' as never }), RangeError, /lineSearch must be one of .*got "wolfe"/],
    [
      'an unknown fallback',
      () => minimize(quadratic, [1, 1], { method: 'newton', fallback: 'lm' as never }),
      RangeError,
      /fallback must be 'shift' or 'gradient', got "lm"/,
    ],
    ['an unknown option', () => minimize(quadratic, [1, 1], { tol: 1e-3 } as never), TypeError, /unknown option 'tol'/],
    ['a problem without grad', () => minimize({ f: quadratic.f } as Problem, [1, 1]), TypeError, /problem.grad must be a function, got undefined/],
    [
      'newton without a Hessian',
      () => minimize({ f: quadratic.f, grad: quadratic.grad }, [1, 1], { method: 'newton' }),
      TypeError,
      /'newton' needs problem.hess/,
    ],
    [
      'a Hessian of the wrong size',
      () => minimize({ ...quadratic, hess: () => [2, 0, 4] }, [1, 1], { method: 'newton' }),
      RangeError,
      /problem.hess returned 3 values, expected 4 \(an 2×2 Hessian/,
    ],
    [
      'a Hessian with a short row',
      () => minimize({ ...quadratic, hess: () => [[2, 0], [0]] }, [1, 1], { method: 'newton' }),
      RangeError,
      /row 1 of length 1, expected 2/,
    ],
    [
      'a gradient of the wrong length',
      () => minimize({ ...quadratic, grad: () => [1, 2, 3] }, [1, 1]),
      RangeError,
      /problem.grad returned 3 values, expected 2/,
    ],
    [
      'newton above 4096 dimensions',
      () => minimize(surfaces.rosenbrock(5000), undefined, { method: 'newton' }),
      RangeError,
      /dense 5000×5000 Hessian twice; use 'newtonCG' or 'lbfgs'/,
    ],
    ['an optimizer option the optimizer rejects', () => minimize(quadratic, [1, 1], { method: 'adam', optimizer: { lr: -1 } }), RangeError, /lr/],
  ];
  for (const [what, call, type, message] of cases) {
    it(`${what} throws ${type.name} ${message}`, () => {
      expect(call).toThrowError(type);
      expect(call).toThrowError(message);
    });
  }

  it('a Hessian given as rows works like the flat one', () => {
    const rows = minimize(
      {
        ...quadratic,
        hess: () => [
          [2, 0],
          [0, 4],
        ],
      },
      [1, 1],
      { method: 'newton' },
    );
    expect(rows.status).toBe('converged');
    expect(rows.iterations).toBe(1);
  });
});

describe('minimize: non-finite values stop the run', () => {
  const walls: [string, Problem, RegExp][] = [
    [
      'f returns NaN beyond x0 = 2',
      { f: (x) => (x[0] > 2 ? NaN : (x[0] - 3) ** 2), grad: (x) => [2 * (x[0] - 3)], hess: () => [2] },
      /f\(x\) = NaN at line search of iteration \d+, x = \[/,
    ],
    [
      'the gradient becomes infinite beyond x0 = 2',
      { f: (x) => (x[0] - 3) ** 2, grad: (x) => [x[0] > 2 ? Infinity : 2 * (x[0] - 3)], hess: () => [2] },
      /gradient\[0\] = Infinity at line search of iteration \d+/,
    ],
  ];
  for (const [what, problem, message] of walls) {
    for (const method of ['lbfgs', 'newton', 'newtonCG'] as const) {
      it(`${method}: ${what}: status nonFinite, the last finite iterate, a message saying where`, () => {
        const result = minimize(problem, [0], { method });
        expect(result.status).toBe('nonFinite');
        expect(result.message).toMatch(message);
        expect(result.x[0]).toBeGreaterThanOrEqual(0);
        expect(result.x[0]).toBeLessThanOrEqual(2);
        expect(result.f).toBe((result.x[0] - 3) ** 2);
      });
    }
  }

  it('a NaN Hessian stops newton with nonFinite naming the Hessian entry', () => {
    const result = minimize({ ...quadratic, hess: () => [2, 0, 0, NaN] }, [1, 1], { method: 'newton' });
    expect(result.status).toBe('nonFinite');
    expect(result.message).toMatch(/Hessian\[3\] = NaN at iteration 1/);
  });

  it('a non-finite f at x0 is reported at x0', () => {
    const result = minimize({ f: () => Infinity, grad: () => [0] }, [5]);
    expect(result.status).toBe('nonFinite');
    expect(result.message).toMatch(/f\(x\) = Infinity at x0, x = \[5\]/);
    expect(result.iterations).toBe(0);
  });
});
