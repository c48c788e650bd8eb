// npm run race: Newton, Newton-CG, L-BFGS and Adam race down the ravine (or another surface), with
// progress, a table of iterations, and an SVG of the trajectories over the surface.
// npm run race -- --big [n] [--coupling chained]: L-BFGS on an n-dimensional (default 1,000,000)
// extended (or chained) Rosenbrock, with its memory and time per iteration.
// npm run race -- --scipy [dir]: the comparison with SciPy and torch.optim.LBFGS (scipy.json and
// closure.json in dir, default the copies vendored in test/fixtures/reference).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { createRavine, LBFGS, minimize, surfaces, type MinimizeOptions, type MinimizeResult, type Ravine, type Surface } from '../index.js';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseFlags } from './args.js';
import { svgChart } from './plot.js';

interface Racer {
  label: string;
  options: MinimizeOptions;
}

const TARGET = 1e-8; // "arrived": f − f* ≤ TARGET

const racers: Racer[] = [
  { label: 'Newton', options: { method: 'newton' } },
  { label: 'Newton-CG', options: { method: 'newtonCG' } },
  { label: 'L-BFGS', options: { method: 'lbfgs' } },
  { label: 'Adam (lr 0.05)', options: { method: 'adam', optimizer: { lr: 0.05 } } },
];

const USAGE = `usage: npm run race -- [options]

Races Newton, Newton-CG, L-BFGS and Adam down a surface and draws them.

  --surface NAME     ravine (default), rosenbrock, beale, himmelblau, booth, valley
  --kappa K          the ravine's condition number (default 100)
  --angle A          the ravine's rotation in radians (default 0)
  --max-iter N       iterations per method at most (default 5000)
  --out DIR          where the SVGs go (default out/, which git ignores)
  --svg NAME         the trajectories' file name in DIR (default race.svg; the loss chart is NAME-loss.svg)
  --big [N]          L-BFGS on an N-dimensional extended Rosenbrock (default 1,000,000), with memory and time per iteration
  --coupling KIND    with --big: pairs (default) or chained
  --scipy [DIR]      compare with SciPy and torch.optim.LBFGS; DIR holds scipy.json and closure.json
                     (default: the copies in test/fixtures/reference)
  -h, --help         this text`;

// --big and --scipy take an optional value; parseArgs has no optional values, so peel them off first.
function optionalValue(argv: string[], name: string): { present: boolean; value: string; rest: string[] } {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return { present: false, value: '', rest: argv };
  const next = argv[i + 1];
  const takes = next !== undefined && !next.startsWith('-');
  return { present: true, value: takes ? next : '', rest: [...argv.slice(0, i), ...argv.slice(i + (takes ? 2 : 1))] };
}

const bigFlag = optionalValue(process.argv.slice(2), 'big');
const scipyFlag = optionalValue(bigFlag.rest, 'scipy');
const flags = parseFlags(USAGE, {
  surface: { type: 'string' }, kappa: { type: 'string' }, angle: { type: 'string' }, 'max-iter': { type: 'string' },
  out: { type: 'string' }, svg: { type: 'string' }, coupling: { type: 'string' },
}, scipyFlag.rest);

function argument(name: string): string | undefined {
  const value = flags[name];
  return typeof value === 'string' ? value : undefined;
}

function surfaceFromArguments(): Surface {
  const name = argument('surface') ?? 'ravine';
  const kappa = Number(argument('kappa') ?? 100), angle = Number(argument('angle') ?? 0);
  if (name === 'ravine') return surfaces.ravine({ kappa, angle });
  if (name in surfaces && name !== 'saddle') return (surfaces[name as keyof typeof surfaces] as () => Surface)();
  throw new RangeError(`--surface must be one of ${Object.keys(surfaces).filter((s) => s !== 'saddle').join(', ')}, got ${name}`);
}

function race(rv: Ravine, surface: Surface, maxIter: number) {
  const fStar = surface.minValue ?? 0;
  return racers.map(({ label, options }) => {
    const losses: number[] = [];
    let arrived = -1;
    const result: MinimizeResult = minimize(surface, undefined, {
      ...options, maxIter, ravine: rv, trajectory: true,
      onIteration({ iteration, f }) {
        losses.push(f);
        if (arrived < 0 && f - fStar <= TARGET) arrived = iteration;
        if (iteration > 0 && iteration % 1000 === 0) process.stderr.write(`  ${label}: iteration ${iteration}, f = ${f.toExponential(3)}${process.stderr.isTTY ? '\r' : '\n'}`);
      },
    });
    if (process.stderr.isTTY) process.stderr.write(' '.repeat(60) + '\r');
    const e = result.evaluations;
    console.log(
      `${label.padEnd(16)} ${String(arrived < 0 ? `> ${result.iterations}` : arrived).padStart(8)} ${String(result.iterations).padStart(10)}  ` +
      `${result.status.padEnd(14)} ${result.f.toExponential(2).padStart(10)}   f ${e.f}, ∇f ${e.grad}, H ${e.hess}, Hv ${e.hvp}` +
      (result.fallbacks ? `, fallbacks ${result.fallbacks}` : ''),
    );
    return { label, result, losses, arrived };
  });
}

/** The surface as a log-scaled heat map, the trajectories over it, and a legend. */
function trajectorySvg(surface: Surface, runs: ReturnType<typeof race>, title: string): string {
  const W = 800, H = 600, pad = 40, cells = 60;
  const points = runs.flatMap((r) => r.result.trajectory!.map((x) => [x[0], x[1]]));
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  const spread = (lo: number, hi: number) => [lo - 0.1 * (hi - lo || 1), hi + 0.1 * (hi - lo || 1)];
  const [x0, x1] = spread(Math.min(...xs), Math.max(...xs)), [y0, y1] = spread(Math.min(...ys), Math.max(...ys));
  const sx = (x: number) => pad + ((W - 2 * pad) * (x - x0)) / (x1 - x0), sy = (y: number) => H - pad - ((H - 2 * pad) * (y - y0)) / (y1 - y0);
  const fStar = surface.minValue ?? 0, at = new Float64Array(2);
  const field: number[] = [];
  for (let j = 0; j < cells; j++) {
    for (let i = 0; i < cells; i++) {
      at[0] = x0 + ((i + 0.5) * (x1 - x0)) / cells;
      at[1] = y0 + ((j + 0.5) * (y1 - y0)) / cells;
      field.push(Math.log10(surface.f(at) - fStar + 1e-12));
    }
  }
  const lo = Math.min(...field), hi = Math.max(...field);
  const cw = (W - 2 * pad) / cells, ch = (H - 2 * pad) / cells;
  const rects = field.map((v, k) => {
    const shade = Math.round(255 - 160 * ((v - lo) / (hi - lo || 1)));
    return `<rect x="${(pad + (k % cells) * cw).toFixed(1)}" y="${(H - pad - (Math.floor(k / cells) + 1) * ch).toFixed(1)}" width="${(cw + 0.6).toFixed(1)}" height="${(ch + 0.6).toFixed(1)}" fill="rgb(${shade},${shade},255)"/>`;
  });
  const colors = ['#d9480f', '#2b8a3e', '#862e9c', '#0b6e99'];
  const paths = runs.map((r, k) => {
    const pts = r.result.trajectory!.map((x) => `${sx(x[0]).toFixed(1)},${sy(x[1]).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${colors[k]}" stroke-width="2" stroke-opacity="0.85" points="${pts}"/>` +
      `<text x="${W - pad - 230}" y="${pad + 20 + 18 * k}" fill="${colors[k]}" font-size="14">${r.label}: ${r.arrived < 0 ? `> ${r.result.iterations}` : r.arrived} iterations</text>`;
  });
  const minimum = surface.minimum ? `<circle cx="${sx(surface.minimum[0])}" cy="${sy(surface.minimum[1])}" r="5" fill="black"/>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/>${rects.join('')}${paths.join('')}${minimum}` +
    `<text x="${pad}" y="26" font-size="16">${title}</text></svg>\n`;
}

async function big(n: number): Promise<void> {
  const rv = await createRavine();
  const coupling = argument('coupling') === 'chained' ? 'chained' : 'pairs';
  const surface = surfaces.rosenbrock(n, { coupling });
  const m = 10;
  console.log(`L-BFGS (m = ${m}) on the ${n.toLocaleString('en')}-dimensional ${coupling === 'pairs' ? 'extended' : 'chained'} Rosenbrock function, ${rv.backend} backend`);
  // Time the user's side (f and ∇f in plain JS) apart from L-BFGS's own (kernels, line search).
  let userMs = 0;
  const timed = <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A): R => {
    const t = performance.now();
    const r = fn(...args);
    userMs += performance.now() - t;
    return r;
  };
  const problem = { n, start: surface.start, f: timed(surface.f), grad: timed(surface.grad) };
  const started = performance.now();
  const result = minimize(problem, undefined, {
    method: 'lbfgs', history: m, gradTol: 1e-6, ravine: rv, maxIter: 10 * n,
    onIteration({ iteration, f, gradNorm }) {
      if (iteration % (coupling === 'pairs' ? 5 : 1000) === 0) console.log(`  iteration ${String(iteration).padStart(3)}  f = ${f.toExponential(3)}  ‖∇f‖ = ${gradNorm.toExponential(3)}`);
    },
  });
  const ms = performance.now() - started;
  let worst = 0;
  for (const v of result.x) worst = Math.max(worst, Math.abs(v - 1));
  console.log(`${result.status} in ${result.iterations} iterations (${result.evaluations.f} evaluations of f and ∇f), max |x − 1| = ${worst.toExponential(2)}`);
  console.log(`time: ${(ms / result.iterations).toFixed(1)} ms per iteration (${(ms / 1000).toFixed(2)} s in all): ` +
    `${((ms - userMs) / result.iterations).toFixed(1)} ms in L-BFGS (two-loop recursion, line search, ${rv.backend} kernels), ` +
    `${(userMs / result.iterations).toFixed(1)} ms evaluating f and ∇f (plain JS)`);
  console.log(`memory: ${(rv.highWaterBytes / 2 ** 20).toFixed(1)} MiB of heap at most = (2m + 8)·n float64 = ${(((2 * m + 8) * 8 * n) / 2 ** 20).toFixed(1)} MiB: ` +
    `${m} history pairs, x, g, previous g, d, trial x and three line-search gradients`);
  rv.dispose();
}

interface ScipyCase { function: string; n: number; x0: number[]; method: string; nit: number; x: number[]; iterates?: number[][] }
interface TorchCase { x0: number[]; options: { lr: number; history_size: number; max_iter: number; line_search_fn: string | null }; outerSteps: number; finalLoss: number; evaluations: number }

const worst = (x: ArrayLike<number>, y: ArrayLike<number>) => Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i])));

async function compare(dir: string): Promise<void> {
  const base = pathToFileURL(`${resolve(dir)}/`);
  const scipy = JSON.parse(readFileSync(new URL('scipy.json', base), 'utf8')) as { scipy: string; cases: ScipyCase[] };
  const rv = await createRavine();
  console.error(`reading scipy.json and closure.json in ${relative(process.cwd(), fileURLToPath(base)) || '.'}`);
  console.log(`ravine vs scipy.optimize ${scipy.scipy} (${rv.backend} backend, gradTol 1e-8)\n`);
  console.log(`${'case'.padEnd(28)} ${'SciPy nit'.padStart(9)} ${'ours'.padStart(5)} ${'ratio'.padStart(6)}  ${'|x − x*| SciPy'.padStart(14)} ${'|x − x*| ours'.padStart(14)}`);
  const methods: Record<string, 'newtonCG' | 'lbfgs'> = { 'Newton-CG': 'newtonCG', 'L-BFGS-B': 'lbfgs' };
  for (const c of scipy.cases.filter((c) => c.method in methods)) {
    const surface = c.function === 'ravine' ? surfaces.ravine() : surfaces.rosenbrock(c.n);
    const result = minimize(surface, c.x0, { method: methods[c.method], ravine: rv });
    console.log(`${`${c.function} n=${c.n} ${c.method}`.padEnd(28)} ${String(c.nit).padStart(9)} ${String(result.iterations).padStart(5)} ${(result.iterations / c.nit).toFixed(2).padStart(6)}  ` +
      `${worst(c.x, surface.minimum!).toExponential(1).padStart(14)} ${worst(result.x, surface.minimum!).toExponential(1).padStart(14)}`);
  }
  const exact = scipy.cases.find((c) => c.method === 'exact-newton')!;
  const newton = minimize(surfaces.rosenbrock(2), exact.iterates![0], { method: 'newton', lineSearch: 'none', trajectory: true, gradTol: 0, maxIter: exact.iterates!.length - 1, ravine: rv });
  const deviation = Math.max(...exact.iterates!.map((x, i) => worst(newton.trajectory![Math.min(i, newton.trajectory!.length - 1)], x)));
  console.log(`\nexact Newton, no line search, Rosenbrock from (−1.2, 1): ${newton.iterations} iterations to (1, 1) exactly; max deviation from SciPy's iterates ${deviation.toExponential(1)}`);

  const torch = JSON.parse(readFileSync(new URL('closure.json', base), 'utf8')) as { torch: string; lbfgs: TorchCase[] };
  console.log(`\nLBFGS optimizer (float32 tensors) vs torch.optim.LBFGS ${torch.torch} (float64), 5 step(closure) calls:`);
  for (const ref of torch.lbfgs.filter((r) => r.options.line_search_fn === 'strong_wolfe')) {
    const n = ref.x0.length, surface = surfaces.rosenbrock(n);
    const w = rv.tensor(`race-lbfgs-${n}`, ref.x0);
    const opt = new LBFGS([w], { lr: ref.options.lr, historySize: ref.options.history_size, maxIter: ref.options.max_iter, lineSearchFn: 'strongWolfe' });
    const x = new Float64Array(n), g = new Float64Array(n);
    const closure = () => (x.set(w.data), surface.grad(x, g), w.grad.set(g), surface.f(x));
    for (let i = 0; i < ref.outerSteps; i++) opt.step(closure);
    const loss = closure();
    console.log(`  Rosenbrock n=${String(n).padEnd(3)} final loss ${loss.toExponential(3)} (torch ${ref.finalLoss.toExponential(3)}, |Δ| = ${Math.abs(loss - ref.finalLoss).toExponential(1)}), ${opt.funcEvals} evaluations (torch ${ref.evaluations})`);
    opt.dispose();
    w.dispose();
  }
  rv.dispose();
}

async function main(): Promise<void> {
  if (scipyFlag.present) return compare(scipyFlag.value || fileURLToPath(new URL('../../test/fixtures/reference/', import.meta.url)));
  if (bigFlag.present) return big(bigFlag.value === '' ? 1_000_000 : Number(bigFlag.value));
  const surface = surfaceFromArguments();
  const maxIter = Number(argument('max-iter') ?? 5000);
  const outDir = resolve(argument('out') ?? fileURLToPath(new URL('../../out/', import.meta.url)));
  mkdirSync(outDir, { recursive: true });
  const svgPath = resolve(outDir, argument('svg') || 'race.svg');
  const rv = await createRavine();
  console.log(`Racing to f − f* ≤ ${TARGET} on ${surface.name} from (${Array.from(surface.start).join(', ')}), ${rv.backend} backend, gradTol 1e-8, at most ${maxIter} iterations\n`);
  console.log(`${'method'.padEnd(16)} ${'to f*+1e-8'.padStart(8)} ${'iterations'.padStart(10)}  ${'status'.padEnd(14)} ${'final f'.padStart(10)}   evaluations`);
  const runs = race(rv, surface, maxIter);
  writeFileSync(svgPath, trajectorySvg(surface, runs, `${surface.name}: trajectories to f − f* ≤ ${TARGET}`));
  const lossPath = svgPath.replace(/\.svg$/, '') + '-loss.svg';
  const fStar = surface.minValue ?? 0;
  writeFileSync(lossPath, svgChart(Object.fromEntries(runs.map((r) => [r.label, r.losses.map((f) => Math.max(f - fStar, 1e-30))])), `${surface.name}: f − f* per iteration`));
  const shown = (path: string) => (path.startsWith(`${process.cwd()}/`) ? relative(process.cwd(), path) : path);
  console.log(`\nwrote ${shown(svgPath)} (trajectories over the surface) and ${shown(lossPath)} (f − f* per iteration)`);
  rv.dispose();
}

await main();
