// The race's matrix surface: ½‖A·W − B‖² with the curvatures it was built with, its gradient the true one,
// a lap the same bits on every run and on both backends, Muon's lap actually descending, and `ravine race
// --surface matrix` printing a table whose numbers parse and drawing its three pictures.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { matrixProblem, matrixRacers, racers, runMatrixLap } from '../src/race/index.js';

const ravineBin = fileURLToPath(new URL('../dist/cli/ravine.js', import.meta.url));
const race = (args: string[]) => spawnSync(process.execPath, [ravineBin, 'race', ...args], { encoding: 'utf8', timeout: 60_000 });
const racer = (key: string) => matrixRacers.find((r) => r.key === key)!;

describe('the matrix problem', () => {
  const p = matrixProblem();

  it('is W 32×16 from W₀ = 0 with f(W*) = 0: B = A·W* exactly enough that f at the solution is below 1e-25', () => {
    expect([p.rows, p.cols]).toEqual([32, 16]);
    expect(p.start.every((v) => v === 0)).toBe(true);
    expect(p.loss(p.start)).toBeGreaterThan(100);
    expect(p.loss(p.solution)).toBeLessThan(1e-25);
  });

  it('has curvatures spread geometrically from κ = 100 down to 1, the same for the same seed and different for another', () => {
    expect(p.curvatures[0]).toBeCloseTo(100, 12);
    expect(p.curvatures[31]).toBeCloseTo(1, 12);
    const ratios = Array.from(p.curvatures.subarray(1), (c, i) => p.curvatures[i] / c);
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0], 12);
    expect(matrixProblem().a).toEqual(p.a);
    expect(matrixProblem({ seed: 2 }).a).not.toEqual(p.a);
  });

  it('its gradient is the true gradient: central differences (h = 1e-5) agree to 1e-7 relative at a random W, in every entry', () => {
    const w = Float64Array.from({ length: 32 * 16 }, (_, i) => Math.sin(i * 7.1) * 0.5);
    const g = new Float64Array(w.length);
    const f = p.gradient(w, g);
    expect(f).toBe(p.loss(w));
    const h = 1e-5;
    const scale = Math.max(...g.map(Math.abs));
    for (let i = 0; i < w.length; i++) {
      const plus = w.slice(),
        minus = w.slice();
      plus[i] += h;
      minus[i] -= h;
      const numeric = (p.loss(plus) - p.loss(minus)) / (2 * h);
      expect(Math.abs(numeric - g[i]) / scale, `entry ${i}`).toBeLessThan(1e-7);
    }
  });

  it('its curvature along a unit direction D of W, ‖A·D‖² (f is quadratic), lies between the smallest and largest built in, 1 and 100', () => {
    // f(t·D) − f(0) − t·⟨∇f(0), D⟩ = ½t²·‖A·D‖²: with ‖D‖ = 1, ‖A·D‖² lies in [λmin, λmax].
    const d = Float64Array.from({ length: 32 * 16 }, (_, i) => Math.cos(i * 3.3));
    const norm = Math.hypot(...d);
    d.forEach((v, i) => (d[i] = v / norm));
    const zero = new Float64Array(d.length),
      g = new Float64Array(d.length);
    const f0 = p.gradient(zero, g);
    const slope = g.reduce((s, v, i) => s + v * d[i], 0);
    const curvature = 2 * (p.loss(d) - f0 - slope);
    expect(curvature).toBeGreaterThan(1);
    expect(curvature).toBeLessThan(100);
  });
});

describe('a matrix lap', () => {
  it('racers: GD, Momentum, Adam in the 2-D race’s colours, then Lion, Adafactor and Muon in colours of their own', () => {
    expect(matrixRacers.map((r) => r.label)).toEqual(['GD', 'Momentum', 'Adam', 'Lion', 'Adafactor', 'Muon']);
    for (const key of ['gd', 'momentum', 'adam']) expect(racer(key).color).toBe(racers.find((r) => r.key === key)!.color);
    const colours = new Set([...racers.map((r) => r.color), ...matrixRacers.map((r) => r.color)]);
    expect(colours.size).toBe(racers.length + 3);
  });

  it('Muon over 200 steps takes f from 189 below 1e-3 (a 10⁵-fold drop) and draws its error σ together: their spread stays under 100×, GD’s passes 10⁵×', async () => {
    const p = matrixProblem();
    const muon = await runMatrixLap(p, racer('muon'), { steps: 200, target: 1e-6, backend: 'js' });
    expect(muon.diverged).toBe(false);
    expect(muon.losses).toHaveLength(201);
    expect(muon.losses[0]).toBeCloseTo(189.26, 1);
    expect(muon.final).toBeLessThan(1e-3);
    const spread = (s: Float64Array) => s[0] / s[s.length - 1];
    expect(spread(muon.errorSingularValues.at(-1)!)).toBeLessThan(100);
    const gd = await runMatrixLap(p, racer('gd'), { steps: 200, target: 1e-6, backend: 'js' });
    expect(spread(gd.errorSingularValues.at(-1)!)).toBeGreaterThan(1e5);
  });

  it('is deterministic: the same racer twice, and on the simd and js backends, gives the same f at every step, bit for bit', async () => {
    const p = matrixProblem();
    for (const key of ['momentum', 'muon']) {
      const [a, b, c] = await Promise.all([
        runMatrixLap(p, racer(key), { steps: 60, target: 1e-6, backend: 'js' }),
        runMatrixLap(p, racer(key), { steps: 60, target: 1e-6, backend: 'js' }),
        runMatrixLap(p, racer(key), { steps: 60, target: 1e-6, backend: 'simd' }),
      ]);
      expect(b.losses, key).toEqual(a.losses);
      expect(c.losses, `${key}: simd against js`).toEqual(a.losses);
      expect(c.backend).toBe('simd');
    }
  });

  it('an lr of 1 makes GD diverge (twice past 2/κ): the lap says so and keeps only the finite losses', async () => {
    const lap = await runMatrixLap(matrixProblem(), racer('gd'), { steps: 200, target: 1e-6, backend: 'js', lr: 1 });
    expect(lap.diverged).toBe(true);
    expect(lap.steps).toBeLessThan(200);
    expect(lap.losses.every(Number.isFinite)).toBe(true);
    expect(lap.arrived).toBe(-1);
  });
});

/** The matrix table's rows under its header, keyed by optimizer. */
function table(stdout: string): Record<string, string[]> {
  const lines = stdout.split('\n');
  const header = lines.findIndex((l) => l.startsWith('optimizer') && l.includes('σ(W − W*)'));
  const rows: Record<string, string[]> = {};
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    const m = /^(\S+)\s+(\S+)\s+(not in \d+|\d+|–)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$/.exec(line);
    if (m) rows[m[1]] = m.slice(2);
  }
  return rows;
}

describe('ravine race --surface matrix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ravine-matrix-'));
  const run = race(['--surface', 'matrix', '--out', dir]);

  it('prints a row per racer whose numbers parse: Momentum reaches 1e-6 in 59 steps, GD does not in 200, Muon ends below 1e-3', () => {
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("matrix ½‖A·W − B‖², W 32×16, curvatures 1…100 along A's singular vectors, from W = 0, 200 steps");
    const rows = table(run.stdout);
    expect(Object.keys(rows)).toEqual(['GD', 'Momentum', 'Adam', 'Lion', 'Adafactor', 'Muon']);
    for (const [label, [lr, , final, spread, micros, backend]] of Object.entries(rows)) {
      expect(Number(lr), label).toBeGreaterThan(0);
      expect(Number(final), label).toBeGreaterThan(0);
      expect(spread, label).toMatch(/^\d\.\de[-+]\d+…\d\.\de[-+]\d+$/);
      expect(Number(micros), label).toBeGreaterThan(0);
      expect(['simd', 'js'], label).toContain(backend);
    }
    expect(rows.Momentum[1]).toBe('59');
    expect(rows.GD[1]).toBe('not in 200');
    expect(Number(rows.Muon[2])).toBeLessThan(1e-3);
  });

  it('shows progress per racer and writes the loss, σ(W) and σ(W − W*) pictures as SVG and PNG', () => {
    expect(run.stderr).toContain('[6/6] Muon on matrix 200/200');
    expect(run.stdout).toContain(`wrote 6 files to ${dir}/`);
    for (const stem of ['matrix-loss', 'matrix-spectrum', 'matrix-error']) {
      expect(readFileSync(join(dir, `${stem}.svg`), 'utf8')).toMatch(/^<svg/);
      expect([...readFileSync(join(dir, `${stem}.png`)).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    }
    const spectrum = readFileSync(join(dir, 'matrix-spectrum.svg'), 'utf8');
    // One panel per racer in its colour, one line per singular value of W (16).
    for (const r of matrixRacers) {
      const panel = new RegExp(`<g class="panel" data-label="${r.label}".*?</g></g>`).exec(spectrum)![0];
      expect(panel.match(/<path class="sigma"/g), r.label).toHaveLength(16);
      expect(panel, r.label).toContain(`stroke="${r.color}"`);
    }
  });

  it('--optimizers muon with only the ravine chosen: one line saying muon races on none of them, exit code 2', () => {
    const result = race(['--surface', 'ravine', '--optimizers', 'muon']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('ravine race: --optimizers: muon races on none of the surfaces chosen (ravine)\n');
  });

  it('--optimizers gd,muon races GD on the ravine and GD and Muon on the matrix, and --lr muon=0.02 reaches the matrix', () => {
    const result = race([
      '--surface',
      'ravine,matrix',
      '--optimizers',
      'gd,muon',
      '--lr',
      'muon=0.02',
      '--steps',
      '100',
      '--out',
      mkdtempSync(join(tmpdir(), 'ravine-matrix-')),
    ]);
    expect(result.status).toBe(0);
    expect(Object.keys(table(result.stdout))).toEqual(['GD', 'Muon']);
    expect(table(result.stdout).Muon[0]).toBe('0.02');
    expect(result.stderr).toContain('[3/3] Muon on matrix 100/100');
  });
});
