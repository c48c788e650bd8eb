// `ravine race` (what `npm start` runs), as a user sees it: a table per surface whose numbers parse,
// the pictures in the folder it names, one-line errors with exit code 2, and a diverging racer named
// while the others finish. The engine underneath (src/race) is `minimize`, checked here on the surface
// where Newton's Hessian turns indefinite.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRavine } from '../src/index.js';
import { defaultHyperparameters, racers, runLap, track } from '../src/race/index.js';

const ravineBin = fileURLToPath(new URL('../dist/cli/ravine.js', import.meta.url));
const race = (args: string[]) => spawnSync(process.execPath, [ravineBin, 'race', ...args], { encoding: 'utf8', timeout: 60_000 });
const labels = ['GD', 'Momentum', 'Nesterov', 'RMSProp', 'Adam', 'Newton', 'L-BFGS'];

/** The table's rows under the header that names `steps to`, keyed by optimizer. */
function table(stdout: string): Record<string, string[]> {
  const lines = stdout.split('\n');
  const header = lines.findIndex((l) => l.startsWith('optimizer') && l.includes('steps to'));
  const rows: Record<string, string[]> = {};
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    const m = /^(\S+)\s+(\S+)\s+(not in \d+|\d+|–)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.+)$/.exec(line);
    if (m) rows[m[1]] = m.slice(2);
  }
  return rows;
}

describe('ravine race', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ravine-race-'));
  const run = race(['--surface', 'ravine', '--steps', '300', '--out', dir]);

  it('a 300-step race on the ravine prints a row per optimizer whose numbers parse, with GD slower than Newton', () => {
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('ravine 0.5·(100·w1² + w2²), κ = 100, from (1, 10), at most 300 steps');
    const rows = table(run.stdout);
    expect(Object.keys(rows)).toEqual(labels);
    for (const [label, [lr, steps, gap, micros, fallbacks, backend, status]] of Object.entries(rows)) {
      expect(lr === '–' || Number(lr) > 0, label).toBe(true);
      expect(/^(\d+|not in 300)$/.test(steps), label).toBe(true);
      expect(Number(gap), label).toBeGreaterThanOrEqual(0);
      expect(Number(micros), label).toBeGreaterThan(0);
      expect(label === 'Newton' ? Number(fallbacks) : fallbacks, label).toBe(label === 'Newton' ? 0 : '–');
      expect(['simd', 'js'], label).toContain(backend);
      expect(['converged', 'maxIterations', 'lineSearchFailed'], label).toContain(status.trim());
    }
    expect(rows.Newton[1]).toBe('1');
    const gdSteps = rows.GD[1] === 'not in 300' ? Infinity : Number(rows.GD[1]);
    expect(gdSteps).toBeGreaterThan(100);
    expect(rows.GD[0]).toBe('0.0198');
  });

  it('shows progress on stderr and names the folder it wrote the contour, panel and loss pictures to, as SVG and PNG', () => {
    expect(run.stderr).toContain('[5/7] Adam on ravine 300/300');
    expect(run.stdout).toContain(`wrote 6 files to ${dir}/`);
    for (const stem of ['ravine', 'ravine-panels', 'ravine-loss']) {
      expect(readFileSync(join(dir, `${stem}.svg`), 'utf8')).toMatch(/^<svg/);
      expect([...readFileSync(join(dir, `${stem}.png`)).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
  });

  it("the contour SVG it wrote has one trajectory per optimizer in that racer's own colour, axes with tick labels, and equal scales on x and y", () => {
    const svg = readFileSync(join(dir, 'ravine.svg'), 'utf8');
    const paths = [...svg.matchAll(/<path class="trajectory" data-label="([^"]+)" d="[^"]+" fill="none" stroke="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(paths).toEqual(labels.map((l) => [l, racers.find((r) => r.label === l)!.color]));
    const ticks = (axis: 'x' | 'y') => {
      const body = new RegExp(`<g class="axis ${axis}">(.*?)class="axis-label"`).exec(svg)![1];
      return [
        ...body.matchAll(
          /<g class="tick" data-value="([^"]+)" transform="translate\(([-\d.e]+),([-\d.e]+)\)">(?:<line[^>]*\/>)(?:<text[^>]*>([^<]*)<\/text>)?/g,
        ),
      ].map((m) => ({ value: Number(m[1]), pixel: Number(axis === 'x' ? m[2] : m[3]), label: m[4] ?? '' }));
    };
    const x = ticks('x'),
      y = ticks('y');
    expect(x.filter((t) => t.label !== '').length).toBeGreaterThanOrEqual(3);
    expect(y.filter((t) => t.label !== '').length).toBeGreaterThanOrEqual(3);
    const perUnitX = (x.at(-1)!.pixel - x[0].pixel) / (x.at(-1)!.value - x[0].value);
    const perUnitY = (y[0].pixel - y.at(-1)!.pixel) / (y.at(-1)!.value - y[0].value);
    expect(Math.abs(perUnitX - perUnitY) / perUnitX).toBeLessThan(0.005);
  });

  it('an lr of 10 makes GD diverge: the table and a line name it, and the others finish', () => {
    const result = race(['--surface', 'ravine', '--steps', '200', '--lr', 'gd=10', '--out', mkdtempSync(join(tmpdir(), 'ravine-race-'))]);
    expect(result.status).toBe(0);
    const rows = table(result.stdout);
    expect(rows.GD[2]).toBe('diverged');
    expect(rows.GD[6]).toMatch(/^diverged at step \d+$/);
    expect(result.stdout).toMatch(/^GD diverged on ravine at step \d+ \(lr 10\)/m);
    expect(Object.keys(rows)).toEqual(labels);
    expect(rows.Newton[6].trim()).toBe('converged');
    expect(rows.Nesterov[1]).toBe('98');
  });

  it.each([
    ['an unknown option', ['--no-such-flag'], /no-such-flag/],
    ['a bad number', ['--steps', 'many'], /^ravine race: --steps must be an integer from 1 to 10,000 \(every step is drawn\), got 'many'$/],
    ['a negative learning rate', ['--lr=-0.1'], /^ravine race: --lr must be a number > 0, got '-0.1'$/],
    ['an unknown surface', ['--surface', 'moon'], /^ravine race: --surface: unknown name 'moon'/],
    ['an unknown optimizer', ['--optimizers', 'gd,sgd'], /unknown name 'sgd'/],
    ['betas that are not two numbers', ['--betas', '0.9'], /--betas must be two numbers/],
  ])('%s: one line on stderr, exit code 2, nothing run', (_, args, message) => {
    const result = race(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(message);
  });

  it('an output folder that cannot be made (its parent is a file): one line naming --out, it and the file, exit code 2', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ravine-race-')), 'a-file');
    writeFileSync(file, '');
    const result = race(['--out', join(file, 'race')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`ravine race: --out: cannot write to the output folder ${join(file, 'race')}: ${file} is not a folder\n`);
    expect(existsSync(join(file, 'race'))).toBe(false);
  });

  it('--help lists surfaces, optimizers, hyperparameters, start, steps, output folder, backend, κ and angle', () => {
    const help = race(['--help']).stdout;
    for (const word of [
      'ravine,rosenbrock,valley',
      'gd,momentum,nesterov,rmsprop,adam,newton',
      '--lr',
      '--momentum',
      '--anneal-steps',
      '--betas',
      '--start',
      '--steps',
      '--out',
      '--backend',
      '--kappa',
      '--angle',
    ]) {
      expect(help).toContain(word);
    }
  });
});

describe('the race engine', () => {
  it('on the valley, Newton meets an indefinite Hessian and takes gradient steps there, and still reaches the minimum', async () => {
    const rv = await createRavine({ backend: 'js' });
    const newton = racers.find((r) => r.key === 'newton')!;
    const lap = runLap(track('valley'), newton, { rv, hyper: defaultHyperparameters, steps: 200, target: 1e-6 });
    expect(lap.fallbacks).toBeGreaterThan(0);
    expect(lap.status).toBe('converged');
    expect(lap.arrived).toBeGreaterThan(0);
    expect(lap.losses.length).toBe(lap.points.length);
    rv.dispose();
  });

  it('momentum is annealed 0.5 → 0.9: a constant 0.5 or 0.9 takes a different path on the ravine', async () => {
    const rv = await createRavine({ backend: 'js' });
    const momentum = racers.find((r) => r.key === 'momentum')!;
    const lapWith = (from: number, to: number) =>
      runLap(track('ravine'), momentum, { rv, hyper: { ...defaultHyperparameters, momentum: { from, to, steps: 100 } }, steps: 50, target: 1e-6 }).losses.at(
        -1,
      );
    const annealed = lapWith(0.5, 0.9);
    expect(annealed).not.toBe(lapWith(0.5, 0.5));
    expect(annealed).not.toBe(lapWith(0.9, 0.9));
    rv.dispose();
  });
});
