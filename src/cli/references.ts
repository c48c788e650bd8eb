// The race's reference modes: `ravine race --big [n]` (L-BFGS on a million-dimensional Rosenbrock, with
// its memory and time per iteration) and `ravine race --scipy [dir]` (the comparison with SciPy and
// torch.optim.LBFGS, from scipy.json and closure.json in dir).
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRavine, LBFGS, minimize, surfaces } from '../index.js';

/** `--big`: L-BFGS on an n-dimensional extended (or chained) Rosenbrock, its memory and time per iteration. */
export async function big(n: number, coupling: 'pairs' | 'chained'): Promise<void> {
  const rv = await createRavine();
  const surface = surfaces.rosenbrock(n, { coupling });
  const m = 10;
  console.log(
    `L-BFGS (m = ${m}) on the ${n.toLocaleString('en')}-dimensional ${coupling === 'pairs' ? 'extended' : 'chained'} Rosenbrock function, ${rv.backend} backend`,
  );
  // Time the user's side (f and ∇f in plain JS) apart from L-BFGS's own (kernels, line search).
  let userMs = 0;
  const timed =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      const t = performance.now();
      const r = fn(...args);
      userMs += performance.now() - t;
      return r;
    };
  const problem = { n, start: surface.start, f: timed(surface.f), grad: timed(surface.grad) };
  const started = performance.now();
  const result = minimize(problem, undefined, {
    method: 'lbfgs',
    history: m,
    gradTol: 1e-6,
    ravine: rv,
    maxIter: 10 * n,
    onIteration({ iteration, f, gradNorm }) {
      if (iteration % (coupling === 'pairs' ? 5 : 1000) === 0)
        console.log(`  iteration ${String(iteration).padStart(3)}  f = ${f.toExponential(3)}  ‖∇f‖ = ${gradNorm.toExponential(3)}`);
    },
  });
  const ms = performance.now() - started;
  let worst = 0;
  for (const v of result.x) worst = Math.max(worst, Math.abs(v - 1));
  console.log(`${result.status} in ${result.iterations} iterations (${result.evaluations.f} evaluations of f and ∇f), max |x − 1| = ${worst.toExponential(2)}`);
  console.log(
    `time: ${(ms / result.iterations).toFixed(1)} ms per iteration (${(ms / 1000).toFixed(2)} s in all): ` +
      `${((ms - userMs) / result.iterations).toFixed(1)} ms in L-BFGS (two-loop recursion, line search, ${rv.backend} kernels), ` +
      `${(userMs / result.iterations).toFixed(1)} ms evaluating f and ∇f (plain JS)`,
  );
  console.log(
    `memory: ${(rv.highWaterBytes / 2 ** 20).toFixed(1)} MiB of heap at most = (2m + 8)·n float64 = ${(((2 * m + 8) * 8 * n) / 2 ** 20).toFixed(1)} MiB: ` +
      `${m} history pairs, x, g, previous g, d, trial x and three line-search gradients`,
  );
  rv.dispose();
}

interface ScipyCase {
  function: string;
  n: number;
  x0: number[];
  method: string;
  nit: number;
  x: number[];
  iterates?: number[][];
}
interface TorchCase {
  x0: number[];
  options: { lr: number; history_size: number; max_iter: number; line_search_fn: string | null };
  outerSteps: number;
  finalLoss: number;
  evaluations: number;
}

const worst = (x: ArrayLike<number>, y: ArrayLike<number>) => Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i])));

/** `--scipy`: ravine's iterations against SciPy's and torch.optim.LBFGS's, from the JSON in `dir`. */
export async function compare(dir: string): Promise<void> {
  const base = pathToFileURL(`${resolve(dir)}/`);
  const scipy = JSON.parse(readFileSync(new URL('scipy.json', base), 'utf8')) as { scipy: string; cases: ScipyCase[] };
  const rv = await createRavine();
  console.error(`reading scipy.json and closure.json in ${relative(process.cwd(), fileURLToPath(base)) || '.'}`);
  console.log(`ravine vs scipy.optimize ${scipy.scipy} (${rv.backend} backend, gradTol 1e-8)\n`);
  console.log(
    `${'case'.padEnd(28)} ${'SciPy nit'.padStart(9)} ${'ours'.padStart(5)} ${'ratio'.padStart(6)}  ${'|x − x*| SciPy'.padStart(14)} ${'|x − x*| ours'.padStart(14)}`,
  );
  const methods: Record<string, 'newtonCG' | 'lbfgs'> = { 'Newton-CG': 'newtonCG', 'L-BFGS-B': 'lbfgs' };
  for (const c of scipy.cases.filter((c) => c.method in methods)) {
    const surface = c.function === 'ravine' ? surfaces.ravine() : surfaces.rosenbrock(c.n);
    const result = minimize(surface, c.x0, { method: methods[c.method], ravine: rv });
    console.log(
      `${`${c.function} n=${c.n} ${c.method}`.padEnd(28)} ${String(c.nit).padStart(9)} ${String(result.iterations).padStart(5)} ${(result.iterations / c.nit).toFixed(2).padStart(6)}  ` +
        `${worst(c.x, surface.minimum!).toExponential(1).padStart(14)} ${worst(result.x, surface.minimum!).toExponential(1).padStart(14)}`,
    );
  }
  const exact = scipy.cases.find((c) => c.method === 'exact-newton')!;
  const newton = minimize(surfaces.rosenbrock(2), exact.iterates![0], {
    method: 'newton',
    lineSearch: 'none',
    trajectory: true,
    gradTol: 0,
    maxIter: exact.iterates!.length - 1,
    ravine: rv,
  });
  const deviation = Math.max(...exact.iterates!.map((x, i) => worst(newton.trajectory![Math.min(i, newton.trajectory!.length - 1)], x)));
  console.log(
    `\nexact Newton, no line search, Rosenbrock from (−1.2, 1): ${newton.iterations} iterations to (1, 1) exactly; max deviation from SciPy's iterates ${deviation.toExponential(1)}`,
  );

  const torch = JSON.parse(readFileSync(new URL('closure.json', base), 'utf8')) as { torch: string; lbfgs: TorchCase[] };
  console.log(`\nLBFGS optimizer (float32 tensors) vs torch.optim.LBFGS ${torch.torch} (float64), 5 step(closure) calls:`);
  for (const ref of torch.lbfgs.filter((r) => r.options.line_search_fn === 'strong_wolfe')) {
    const n = ref.x0.length,
      surface = surfaces.rosenbrock(n);
    const w = rv.tensor(`race-lbfgs-${n}`, ref.x0);
    const opt = new LBFGS([w], { lr: ref.options.lr, historySize: ref.options.history_size, maxIter: ref.options.max_iter, lineSearchFn: 'strongWolfe' });
    const x = new Float64Array(n),
      g = new Float64Array(n);
    const closure = () => (x.set(w.data), surface.grad(x, g), w.grad.set(g), surface.f(x));
    for (let i = 0; i < ref.outerSteps; i++) opt.step(closure);
    const loss = closure();
    console.log(
      `  Rosenbrock n=${String(n).padEnd(3)} final loss ${loss.toExponential(3)} (torch ${ref.finalLoss.toExponential(3)}, |Δ| = ${Math.abs(loss - ref.finalLoss).toExponential(1)}), ${opt.funcEvals} evaluations (torch ${ref.evaluations})`,
    );
    opt.dispose();
    w.dispose();
  }
  rv.dispose();
}
