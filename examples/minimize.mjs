import { minimize, surfaces } from 'ravine';

// L-BFGS on the 10-dimensional Rosenbrock function, one of the built-in surfaces (f, grad, hess, hvp, minimum, start).
const rosen = surfaces.rosenbrock(10);
const r = minimize(rosen, rosen.start, { method: 'lbfgs' });
console.log(
  `${r.status} in ${r.iterations} iterations (${r.evaluations.f} evaluations of f): f = ${r.f.toExponential(1)}, |∇f| = ${r.gradNorm.toExponential(1)}`,
);

// Your own problem: f and its gradient (grad may write into its second argument instead of returning an array).
const own = minimize({ f: (x) => (x[0] - 1) ** 2 + 10 * x[1] ** 2, grad: (x) => [2 * (x[0] - 1), 20 * x[1]] }, [5, 5], { method: 'newtonCG' });
console.log(`${own.status} in ${own.iterations} iterations: x = (${Array.from(own.x, (v) => v.toFixed(6)).join(', ')})`);
