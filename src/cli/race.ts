// `ravine race` (and `npm start`): GD, momentum, Nesterov, RMSProp, Adam, Newton and L-BFGS down the
// ravine, Rosenbrock's valley and a winding valley, then GD, momentum, Adam, Lion and Muon on a matrix
// least-squares problem; a table per surface, and contour, panel, loss and singular-value pictures (SVG
// and PNG) in an output folder. `--big` and `--scipy` run the reference comparisons.
import { realpathSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRavine, type Ravine } from '../index.js';
import {
  defaultHyperparameters,
  defaultRacerKeys,
  formatTable,
  matrixProblem,
  matrixRacers,
  plotRuns,
  racers,
  runLap,
  surfaceView,
  tableRows,
  track,
  trackKeys,
  type Hyperparameters,
  type Lap,
  type MatrixRacer,
  type Racer,
  type Track,
} from '../race/index.js';
import { loadPlot, type Plot } from '../plot/load.js';
import { parseFlags } from './args.js';
import { makeOutputFolder, writePictures } from './output.js';
import { lapDone, progress } from './progress.js';
import { drawMatrix, raceMatrix } from './raceMatrix.js';
import { big, compare } from './references.js';

/** The matrix race's default steps: enough for its fastest racers to reach 1e-6 and its SVDs to stay cheap. */
const MATRIX_STEPS = 200;
const surfaceKeys = [...trackKeys, 'matrix'];
/** Every racer's key, the 2-D race's first: lion and muon race on the matrix only. */
const racerKeys = [...new Set([...racers.map((r) => r.key), ...matrixRacers.map((r) => r.key)])];

const USAGE = `usage: ravine race [options]       (npm start runs it with the defaults)

Races optimizers down surfaces of pathological curvature: a table per surface, and pictures.

  --surface LIST        ${surfaceKeys.join(',')} (default: all; matrix: W 32×16 least squares)
  --optimizers LIST     ${racerKeys.join(',')} (default: all but newton-cg; on matrix: ${matrixRacers.map((r) => r.key).join(',')})
  --lr LR | NAME=LR,..  learning rate of every first-order racer, or of the ones named (default per surface)
  --momentum M | A:B    heavy-ball momentum, or annealed from A to B (default 0.5:0.9)
  --anneal-steps N      steps of that annealing (default 100)
  --nesterov-momentum M Nesterov's momentum (default 0.9)
  --alpha A             RMSProp's smoothing constant (default 0.99)
  --betas B1,B2         Adam's betas (default 0.9,0.999)
  --newton-fallback F   gradient (default) or shift: Newton's step where the Hessian is indefinite
  --start X,Y           start point (default: each surface's classic one)
  --steps N             steps per racer at most, 1 to 10000 (default 5000, ${MATRIX_STEPS} on matrix)
  --target T            "arrived" means f − f* ≤ T (default 1e-6)
  --out DIR             output folder (default out/race in the working directory)
  --backend B           auto (default), simd or js
  --kappa K, --angle A  the ravine's condition number (default 100) and rotation in radians (default 0)
  --big [N] [--coupling pairs|chained]   L-BFGS on an N-dimensional Rosenbrock, N even, 2 to 16,000,000
                        (default 1,000,000)
  --scipy [DIR]         compare with SciPy and torch.optim.LBFGS (default test/fixtures/reference)
  -h, --help            this text`;

/** A mistake in the command line: one line on stderr, exit code 2. */
class UsageError extends Error {}

/**
 * The steps a racer may take: every step of every racer (up to eight) is a point in the pictures, and
 * drawing them fails past about 120,000 points per picture (the window's Math.min(...points) in
 * src/race/view.ts: five racers × 26,000 steps did); 10,000 also keeps the slowest full race to seconds.
 */
const MAX_STEPS = 10_000;
/**
 * `--big`'s largest n: L-BFGS (m = 10) keeps 2m + 8 = 28 float64 vectors of n in a heap of at most 4 GiB
 * (wasm32), which holds n ≤ 19.1 million; 16 million leaves room for the rest of the heap (and runs).
 */
const MAX_BIG = 16_000_000;

// --big and --scipy take an optional value (`--big`, `--big N`, `--big=N`); parseArgs has no optional
// values, so peel them off first. A value after a space is taken unless it reads as another option
// (`--big -3` is a bad size, `--big --coupling chained` is no size).
function optionalValue(argv: string[], name: string): { present: boolean; value?: string; rest: string[] } {
  const flag = `--${name}`;
  const at = argv.flatMap((a, i) => (a === flag || a.startsWith(`${flag}=`) ? [i] : []));
  if (at.length === 0) return { present: false, rest: argv };
  if (at.length > 1) throw new UsageError(`${flag} is given ${at.length} times`);
  const i = at[0],
    next = argv[i + 1];
  const without = (count: number) => argv.filter((_, j) => j < i || j >= i + count);
  if (argv[i] !== flag) return { present: true, value: argv[i].slice(flag.length + 1), rest: without(1) };
  if (next !== undefined && (!next.startsWith('-') || /^-[\d.]/.test(next))) return { present: true, value: next, rest: without(2) };
  return { present: true, rest: without(1) };
}

function number(flag: string, text: string, ok: (v: number) => boolean = () => true, what = 'a number'): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || !ok(v)) throw new UsageError(`--${flag} must be ${what}, got '${text}'`);
  return v;
}

const positive = (v: number) => v > 0;
const unit = (v: number) => v >= 0 && v < 1;
const count = (v: number) => Number.isInteger(v) && v >= 0;

function list(flag: string, text: string, known: readonly string[]): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.find((n) => !known.includes(n));
  if (unknown !== undefined || names.length === 0) throw new UsageError(`--${flag}: unknown name '${unknown ?? text}' (one of ${known.join(', ')})`);
  return names;
}

function pair(flag: string, text: string, separator: string, ok?: (v: number) => boolean, what?: string): [number, number] {
  const parts = text.split(separator);
  if (parts.length !== 2) throw new UsageError(`--${flag} must be two numbers separated by '${separator}', got '${text}'`);
  return [number(flag, parts[0], ok, what), number(flag, parts[1], ok, what)];
}

function learningRates(text: string): Record<string, number> {
  const firstOrder = [...new Set([...racers.filter((r) => r.firstOrder).map((r) => r.key), ...matrixRacers.map((r) => r.key)])];
  if (!text.includes('=')) {
    const lr = number('lr', text, positive, 'a number > 0');
    return Object.fromEntries(firstOrder.map((k) => [k, lr]));
  }
  return Object.fromEntries(
    text.split(',').map((item) => {
      const [name, value = ''] = item.split('=');
      list('lr', name, firstOrder);
      return [name.trim(), number('lr', value, positive, 'a number > 0')];
    }),
  );
}

interface RaceSettings {
  tracks: Track[];
  racers: Racer[];
  /** The matrix race's racers: none when the matrix is not among the surfaces. */
  matrixRacers: MatrixRacer[];
  matrixSteps: number;
  hyper: Hyperparameters;
  start?: [number, number];
  steps: number;
  target: number;
  outDir: string;
  backend: 'auto' | 'simd' | 'js';
}

function settingsFrom(flags: Record<string, string | boolean | undefined>): RaceSettings {
  const get = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const opt = <T>(name: string, parse: (text: string) => T, fallback: T): T => {
    const text = get(name);
    return text === undefined ? fallback : parse(text);
  };
  const kappa = opt('kappa', (t) => number('kappa', t, positive, 'a number > 0'), 100);
  const angle = opt('angle', (t) => number('angle', t), 0);
  const d = defaultHyperparameters;
  const momentum = opt('momentum', (t) => (t.includes(':') ? pair('momentum', t, ':', unit, 'in [0, 1)') : [number('momentum', t, unit, 'in [0, 1)'), NaN]), [
    d.momentum.from,
    d.momentum.to,
  ]);
  const fallback = opt(
    'newton-fallback',
    (t) => {
      if (t !== 'gradient' && t !== 'shift') throw new UsageError(`--newton-fallback must be gradient or shift, got '${t}'`);
      return t;
    },
    d.newtonFallback,
  );
  const backend = opt(
    'backend',
    (t) => {
      if (t !== 'auto' && t !== 'simd' && t !== 'js') throw new UsageError(`--backend must be auto, simd or js, got '${t}'`);
      return t;
    },
    'auto',
  );
  const hyper: Hyperparameters = {
    lr: opt('lr', learningRates, {}),
    momentum: {
      from: momentum[0],
      to: Number.isNaN(momentum[1]) ? momentum[0] : momentum[1],
      steps: opt('anneal-steps', (t) => number('anneal-steps', t, count, 'an integer >= 0'), d.momentum.steps),
    },
    nesterovMomentum: opt('nesterov-momentum', (t) => number('nesterov-momentum', t, (v) => v > 0 && v < 1, 'in (0, 1)'), d.nesterovMomentum),
    alpha: opt('alpha', (t) => number('alpha', t, unit, 'in [0, 1)'), d.alpha),
    betas: opt('betas', (t) => pair('betas', t, ',', unit, 'in [0, 1)'), d.betas),
    newtonFallback: fallback,
  };
  const keys = opt('surface', (t) => list('surface', t, surfaceKeys), [...surfaceKeys]);
  const named = opt('optimizers', (t) => list('optimizers', t, racerKeys), undefined);
  const planar = keys.some((k) => k !== 'matrix') ? racers.filter((r) => (named ?? defaultRacerKeys).includes(r.key)) : [];
  const onMatrix = keys.includes('matrix') ? matrixRacers.filter((r) => named === undefined || named.includes(r.key)) : [];
  const idle = (named ?? []).filter((k) => !planar.some((r) => r.key === k) && !onMatrix.some((r) => r.key === k));
  if (idle.length > 0)
    throw new UsageError(`--optimizers: ${idle.join(', ')} race${idle.length === 1 ? 's' : ''} on none of the surfaces chosen (${keys.join(', ')})`);
  const steps = (fallback: number) =>
    opt(
      'steps',
      (t) =>
        number(
          'steps',
          t,
          (v) => Number.isInteger(v) && v >= 1 && v <= MAX_STEPS,
          `an integer from 1 to ${MAX_STEPS.toLocaleString('en')} (every step is drawn)`,
        ),
      fallback,
    );
  return {
    // A surface none of the named racers runs on is left out.
    tracks: planar.length > 0 ? keys.filter((k) => k !== 'matrix').map((k) => track(k, { kappa, angle })) : [],
    racers: planar,
    matrixRacers: onMatrix,
    matrixSteps: steps(MATRIX_STEPS),
    hyper,
    start: opt('start', (t) => pair('start', t, ','), undefined),
    steps: steps(5000),
    target: opt('target', (t) => number('target', t, positive, 'a number > 0'), 1e-6),
    outDir: resolve(get('out') ?? 'out/race'),
    backend,
  };
}

/** Creates the output folder and checks it can be written, before anything runs. */
function prepareOutput(dir: string): void {
  const problem = makeOutputFolder(dir);
  if (problem !== undefined) throw new UsageError(`--out: cannot write to the output folder ${dir}: ${problem}`);
}

function raceTrack(rv: Ravine, t: Track, s: RaceSettings, counter: { done: number; total: number }): Lap[] {
  return s.racers.map((racer) => {
    counter.done++;
    const label = `[${counter.done}/${counter.total}] ${racer.label} on ${t.key}`;
    const lap = runLap(t, racer, { rv, hyper: s.hyper, steps: s.steps, target: s.target, start: s.start, onProgress: progress(label, s.steps), every: 200 });
    lapDone(label, lap.steps, s.steps);
    return lap;
  });
}

async function draw(plot: Plot, t: Track, laps: Lap[], start: readonly [number, number], dir: string): Promise<string[]> {
  const view = surfaceView(t, laps, start);
  const runs = plotRuns(laps);
  const pictures: [string, string][] = [
    [`${t.key}`, plot.contourSvg(view, runs)],
    [`${t.key}-panels`, plot.panelsSvg(view, runs)],
    [`${t.key}-loss`, plot.lossSvg(`${t.title}: f − f* per step`, runs)],
  ];
  return writePictures(plot, dir, pictures);
}

async function race(s: RaceSettings): Promise<void> {
  // Loaded here, not at the top: --help, --big and --scipy draw nothing, and the libraries that draw are
  // optional (src/plot/load.ts). Before the race, so a missing one costs no wait and no empty folder.
  const plot = await loadPlot();
  prepareOutput(s.outDir);
  const rv = await createRavine({ backend: s.backend });
  try {
    const counter = { done: 0, total: s.tracks.length * s.racers.length + s.matrixRacers.length };
    const written: string[] = [];
    for (const t of s.tracks) {
      const start: [number, number] = s.start ?? [t.surface.start[0], t.surface.start[1]];
      const laps = raceTrack(rv, t, s, counter);
      console.log(`\n${t.title}, from (${start.join(', ')}), at most ${s.steps} steps\n`);
      console.log(formatTable(tableRows(laps, { steps: s.steps, target: s.target, backend: rv.backend })));
      for (const lap of laps.filter((l) => l.diverged)) {
        console.log(`${lap.racer.label} diverged on ${t.key} at step ${lap.steps} (${lap.note}): f became non-finite; the others ran on`);
      }
      written.push(...(await draw(plot, t, laps, start, s.outDir)));
    }
    if (s.matrixRacers.length > 0) {
      const problem = matrixProblem();
      const laps = await raceMatrix({ problem, racers: s.matrixRacers, lr: s.hyper.lr, steps: s.matrixSteps, target: s.target, backend: s.backend }, counter);
      written.push(...drawMatrix(plot, problem, laps, s.outDir));
    }
    const shown = relative(process.cwd(), s.outDir);
    console.log(`\nwrote ${written.length} files to ${shown === '' ? '.' : shown.startsWith('..') ? s.outDir : shown}/: ${written.join(', ')}`);
  } finally {
    rv.dispose();
  }
}

/** `ravine race` with its arguments (without the command name). */
export async function raceCommand(argv: string[]): Promise<void> {
  try {
    const bigFlag = optionalValue(argv, 'big');
    const scipyFlag = optionalValue(bigFlag.rest, 'scipy');
    const spec = { type: 'string' } as const;
    const flags = parseFlags(
      USAGE,
      Object.fromEntries(
        [
          'surface',
          'optimizers',
          'lr',
          'momentum',
          'anneal-steps',
          'nesterov-momentum',
          'alpha',
          'betas',
          'newton-fallback',
          'start',
          'steps',
          'target',
          'out',
          'backend',
          'kappa',
          'angle',
          'coupling',
        ].map((name) => [name, spec]),
      ),
      scipyFlag.rest,
    );
    if (scipyFlag.present) return await compare(scipyFlag.value ?? fileURLToPath(new URL('../../test/fixtures/reference/', import.meta.url)));
    if (bigFlag.present) {
      const n =
        bigFlag.value === undefined
          ? 1_000_000
          : number(
              'big',
              bigFlag.value,
              (v) => Number.isInteger(v) && v >= 2 && v <= MAX_BIG && v % 2 === 0,
              `an even integer from 2 to ${MAX_BIG.toLocaleString('en')}`,
            );
      const coupling = flags.coupling ?? 'pairs';
      if (coupling !== 'pairs' && coupling !== 'chained') throw new UsageError(`--coupling must be pairs or chained, got '${coupling}'`);
      return await big(n, coupling);
    }
    await race(settingsFrom(flags));
  } catch (e) {
    process.stderr.write(`ravine race: ${(e as Error).message.split('\n')[0]}\n`);
    process.exit(e instanceof UsageError || e instanceof RangeError ? 2 : 1);
  }
}

const entry = process.argv[1];
if (entry !== undefined && realpathSync(entry) === fileURLToPath(import.meta.url)) await raceCommand(process.argv.slice(2));
