// The browser page (`npm run demo`): the race of `npm start`, in the user's browser, on the library's
// own build (dist/, the same modules ravine/browser bundles): pick a surface, click a start, toggle
// optimizers, tune them, watch the paths over the contours and f − f* beside them; and a benchmark of
// one Adam / SGD step over a large vector on each backend, and on the SIMD backend with the worker
// threads the page can have (cross-origin isolated: shared memory), whose result is checked against the
// JS backend's bit for bit. `?autotest` runs the race and a small benchmark, then posts
// `window.__ravineDemo` to /result/<id> (test/demo.test.ts).
import { contours } from 'd3-contour';
import { scaleLinear } from 'd3-scale';
import { Adam, createRavine, SGD, type BackendName, type Ravine, type Tensor } from '../dist/index.js';
import type { WorkerReport } from './stepWorker.js';
import { defaultHyperparameters, defaultRacerKeys, racers, runLap, surfaceView, track, type Hyperparameters, type Lap, type Track } from '../dist/race/index.js';

/** A benchmark column: a backend, and for SIMD how many threads ('auto': the cores the browser reports). */
type Column = 'simd' | 'js' | 'threads';
interface BenchRow { optimizer: string; backend: Column; n: number; nsPerParam: number }
interface DemoState {
  backend: BackendName | null;
  crossOriginIsolated: boolean;
  surface: string;
  start: [number, number];
  steps: number;
  raceDone: boolean;
  results: Record<string, { finalGap: number; steps: number; arrived: number; diverged: boolean }>;
  bench: { done: boolean; n: number; rows: BenchRow[] };
  /**
   * The threaded context: threads it got (and why not more), whether the group was split, and whether
   * its Adam steps equal the JS backend's bit for bit after the same number of steps (`steps`, counted).
   */
  threads: { threads: number; reason?: string; split: boolean; matchesJs: boolean | null; steps: { threads: number; js: number }; stepError?: string };
  /** The same check inside a Web Worker, where step() is synchronous (demo/stepWorker.ts). */
  worker: WorkerReport | null;
  error?: string;
}

const state: DemoState = {
  backend: null, crossOriginIsolated: globalThis.crossOriginIsolated === true, surface: 'ravine', start: [1, 10], steps: 400,
  raceDone: false, results: {}, bench: { done: false, n: 0, rows: [] }, threads: { threads: 0, split: false, matchesJs: null, steps: { threads: 0, js: 0 } }, worker: null,
};
(window as unknown as { __ravineDemo: DemoState }).__ravineDemo = state;

/** Okabe–Ito, colour-blind safe; one colour per racer, in the racers' order. */
// Each racer's own colour, the one the CLI's pictures give it (src/race/racers.ts).
const colour = (key: string) => racers.find((r) => r.key === key)!.color;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const input = (id: string) => $<HTMLInputElement>(id);
const num = (id: string) => Number(input(id).value);

// ---- controls ----
const enabled = new Set(defaultRacerKeys);
for (const key of defaultRacerKeys) {
  const racer = racers.find((r) => r.key === key)!;
  const label = document.createElement('label');
  label.innerHTML = `<input type="checkbox" checked data-key="${key}"><span class="swatch" style="background:${colour(key)}"></span>${racer.label}`;
  label.querySelector('input')!.addEventListener('change', (e) => {
    if ((e.target as HTMLInputElement).checked) enabled.add(key); else enabled.delete(key);
    race();
  });
  $('optimizers').append(label);
}
const sliders = ['lrScale', 'steps', 'momFrom', 'momTo', 'annealSteps', 'beta1', 'beta2'];
function showSliders(): void {
  for (const id of sliders) $(`${id}Out`).textContent = id === 'lrScale' ? (10 ** num(id)).toPrecision(2) : input(id).value;
}
for (const id of sliders) input(id).addEventListener('change', () => race());
for (const id of sliders) input(id).addEventListener('input', showSliders);
showSliders();

function hyperparameters(t: Track): Hyperparameters {
  const scale = 10 ** num('lrScale');
  return {
    ...defaultHyperparameters,
    lr: Object.fromEntries(Object.entries(t.lr).map(([k, lr]) => [k, Number((lr * scale).toPrecision(3))])),
    momentum: { from: num('momFrom'), to: num('momTo'), steps: num('annealSteps') },
    betas: [num('beta1'), num('beta2')],
  };
}

// ---- the ravine context (the backend the page runs on) ----
let rv: Ravine | null = null;
async function context(): Promise<Ravine> {
  if (rv) return rv;
  rv = await createRavine({ backend: input('forceJs').checked ? 'js' : 'auto' });
  state.backend = rv.backend;
  $('backend').textContent = `backend: ${rv.backend}${rv.fallbackReason ? ` (${rv.fallbackReason})` : ''}`;
  return rv;
}
input('forceJs').addEventListener('change', () => {
  rv?.dispose();
  rv = null;
  race();
});
$('isolated').textContent = state.crossOriginIsolated ? '· cross-origin isolated' : '· not cross-origin isolated';

// ---- the picture's window: equal scales on x and y ----
interface Frame { x: [number, number]; y: [number, number]; f: (x: number, y: number) => number; fStar: number; minimum: [number, number] }
let current: Track = track('ravine');
let frame = frameOf(current);

function frameOf(t: Track): Frame {
  const s: [number, number] = [t.surface.start[0], t.surface.start[1]];
  const v = surfaceView(t, [], s);
  const cx = (v.x[0] + v.x[1]) / 2, cy = (v.y[0] + v.y[1]) / 2;
  const half = 0.75 * Math.max(v.x[1] - v.x[0], v.y[1] - v.y[0]);
  return { x: [cx - half, cx + half], y: [cy - half, cy + half], f: v.f, fStar: v.fStar, minimum: [v.minimum[0], v.minimum[1]] };
}

const contourCanvas = $<HTMLCanvasElement>('contour');
const W = contourCanvas.width, H = contourCanvas.height, M = 36;
const px = (x: number) => M + ((x - frame.x[0]) / (frame.x[1] - frame.x[0])) * (W - 2 * M);
const py = (y: number) => H - M - ((y - frame.y[0]) / (frame.y[1] - frame.y[0])) * (H - 2 * M);

let background: ImageData | null = null;
function drawSurface(): void {
  const g = contourCanvas.getContext('2d')!;
  g.clearRect(0, 0, W, H);
  const nx = 120, ny = 120;
  const values = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const x = frame.x[0] + ((i + 0.5) / nx) * (frame.x[1] - frame.x[0]);
      const y = frame.y[1] - ((j + 0.5) / ny) * (frame.y[1] - frame.y[0]);
      values[j * nx + i] = Math.log10(Math.max(frame.f(x, y) - frame.fStar, 1e-12));
    }
  }
  const lo = Math.max(Math.min(...values), -4), hi = Math.max(...values);
  const levels = Array.from({ length: 16 }, (_, k) => lo + ((k + 0.5) / 16) * (hi - lo));
  const fill = scaleLinear<string>().domain([lo, hi]).range(['#f7fbff', '#6baed6']);
  const sx = (W - 2 * M) / nx, sy = (H - 2 * M) / ny;
  for (const band of contours().size([nx, ny]).thresholds(levels)(Array.from(values))) {
    g.beginPath();
    for (const polygon of band.coordinates) {
      for (const ring of polygon) {
        ring.forEach(([i, j], k) => (k ? g.lineTo(M + i * sx, M + j * sy) : g.moveTo(M + i * sx, M + j * sy)));
        g.closePath();
      }
    }
    g.fillStyle = fill(band.value);
    g.fill('evenodd');
    g.strokeStyle = 'rgba(40,70,120,0.45)';
    g.lineWidth = 0.7;
    g.stroke();
  }
  // Axes with ticks.
  g.strokeStyle = '#333';
  g.fillStyle = '#333';
  g.strokeRect(M, M, W - 2 * M, H - 2 * M);
  g.font = '11px system-ui';
  const xs = scaleLinear().domain(frame.x).ticks(6), ys = scaleLinear().domain(frame.y).ticks(6);
  g.textAlign = 'center';
  for (const t of xs) g.fillText(String(t), px(t), H - M + 14);
  g.textAlign = 'right';
  for (const t of ys) g.fillText(String(t), M - 4, py(t) + 4);
  // The minimum.
  g.fillStyle = '#000';
  g.fillText('★', px(frame.minimum[0]) + 5, py(frame.minimum[1]) + 4);
  background = g.getImageData(0, 0, W, H);
}

function drawPaths(laps: readonly Lap[], upTo: number): void {
  const g = contourCanvas.getContext('2d')!;
  if (background) g.putImageData(background, 0, 0);
  g.save();
  g.beginPath();
  g.rect(M, M, W - 2 * M, H - 2 * M);
  g.clip();
  for (const lap of laps) {
    g.beginPath();
    lap.points.slice(0, upTo + 1).forEach(([x, y], k) => (k ? g.lineTo(px(x), py(y)) : g.moveTo(px(x), py(y))));
    g.strokeStyle = colour(lap.racer.key);
    g.lineWidth = 1.5;
    g.stroke();
  }
  g.restore();
  g.beginPath();
  g.arc(px(state.start[0]), py(state.start[1]), 5, 0, 2 * Math.PI);
  g.fillStyle = '#fff';
  g.fill();
  g.strokeStyle = '#000';
  g.stroke();
}

function drawLosses(laps: readonly Lap[], upTo: number): void {
  const c = $<HTMLCanvasElement>('loss'), g = c.getContext('2d')!;
  const w = c.width, h = c.height, m = 44;
  g.clearRect(0, 0, w, h);
  const steps = Math.max(1, ...laps.map((l) => l.losses.length));
  const all = laps.flatMap((l) => l.losses).filter((v) => v > 0 && Number.isFinite(v));
  const yLo = Math.max(Math.floor(Math.log10(Math.min(1e-6, ...all))), -20), yHi = Math.ceil(Math.log10(Math.max(1, ...all)));
  const X = (k: number) => m + (Math.log10(k + 1) / Math.log10(steps + 1)) * (w - 2 * m);
  const Y = (v: number) => m + ((yHi - Math.log10(Math.max(v, 10 ** yLo))) / (yHi - yLo)) * (h - 2 * m);
  g.strokeStyle = '#333';
  g.strokeRect(m, m, w - 2 * m, h - 2 * m);
  g.fillStyle = '#333';
  g.font = '11px system-ui';
  g.textAlign = 'right';
  for (let e = yLo; e <= yHi; e += Math.max(1, Math.ceil((yHi - yLo) / 8))) g.fillText(`1e${e}`, m - 4, Y(10 ** e) + 4);
  g.textAlign = 'center';
  for (let k = 1; k <= steps * 10; k *= 10) g.fillText(String(k - 1 || 0), X(k - 1), h - m + 14);
  g.fillText('step (log scale, 0 first)', w / 2, h - 8);
  g.setLineDash([4, 4]);
  g.beginPath();
  g.moveTo(m, Y(1e-6));
  g.lineTo(w - m, Y(1e-6));
  g.strokeStyle = '#999';
  g.stroke();
  g.setLineDash([]);
  for (const lap of laps) {
    g.beginPath();
    lap.losses.slice(0, upTo + 1).forEach((v, k) => (k ? g.lineTo(X(k), Y(v)) : g.moveTo(X(k), Y(v))));
    g.strokeStyle = colour(lap.racer.key);
    g.lineWidth = 1.5;
    g.stroke();
  }
}

function showTable(laps: readonly Lap[]): void {
  const rows = laps.map((l) => `<tr><td><span class="swatch" style="background:${colour(l.racer.key)}"></span>${l.racer.label}</td><td>${Number.isNaN(l.lr) ? '–' : l.lr}</td><td>${l.arrived >= 0 ? l.arrived : `not in ${state.steps}`}</td><td>${l.gap.toExponential(2)}</td><td>${l.microsPerStep.toFixed(1)}</td><td>${l.racer.key === 'newton' ? l.fallbacks : '–'}</td></tr>`);
  $('table').innerHTML = `<tr><th>optimizer</th><th>lr</th><th>steps to f − f* ≤ 1e-6</th><th>final f − f*</th><th>µs/step</th><th>fallbacks</th></tr>${rows.join('')}`;
}

// ---- the race ----
let animation = 0;
async function race(): Promise<void> {
  state.raceDone = false;
  const r = await context();
  state.steps = num('steps');
  const hyper = hyperparameters(current);
  const laps = racers.filter((x) => enabled.has(x.key)).map((racer) => runLap(current, racer, { rv: r, hyper, steps: state.steps, target: 1e-6, start: state.start }));
  state.results = Object.fromEntries(laps.map((l) => [l.racer.key, { finalGap: l.gap, steps: l.steps, arrived: l.arrived, diverged: l.diverged }]));
  state.surface = current.key;
  state.raceDone = true;
  $('title').textContent = current.title;
  $('status').textContent = `${laps.length} optimizers, at most ${state.steps} steps, from (${state.start.map((v) => +v.toPrecision(3)).join(', ')})`;
  showTable(laps);
  // Animate: reveal the paths over ~2 s, in log time, so the 1-step Newton and the 400-step GD both show.
  cancelAnimationFrame(animation);
  const longest = Math.max(1, ...laps.map((l) => l.points.length));
  const began = performance.now();
  const tick = () => {
    const p = Math.min(1, (performance.now() - began) / 2000);
    const upTo = Math.round(longest ** p);
    drawPaths(laps, upTo);
    drawLosses(laps, upTo);
    if (p < 1) animation = requestAnimationFrame(tick);
  };
  tick();
}

function chooseSurface(key: string): void {
  current = track(key);
  frame = frameOf(current);
  state.start = [current.surface.start[0], current.surface.start[1]];
  drawSurface();
}
$<HTMLSelectElement>('surface').addEventListener('change', (e) => {
  chooseSurface((e.target as HTMLSelectElement).value);
  race();
});
contourCanvas.addEventListener('click', (e) => {
  const box = contourCanvas.getBoundingClientRect();
  const cx = ((e.clientX - box.left) * W) / box.width, cy = ((e.clientY - box.top) * H) / box.height;
  const x = frame.x[0] + ((cx - M) / (W - 2 * M)) * (frame.x[1] - frame.x[0]);
  const y = frame.y[0] + ((H - M - cy) / (H - 2 * M)) * (frame.y[1] - frame.y[0]);
  state.start = [x, y];
  race();
});
$('run').addEventListener('click', () => race());

// ---- the benchmark ----
const pause = () => new Promise((resolve) => setTimeout(resolve, 0));

const contextFor = (column: Column, n: number) =>
  createRavine({ backend: column === 'js' ? 'js' : 'simd', threads: column === 'threads' ? 'auto' : 1, reserveBytes: 5 * 4 * n + (1 << 20) });

/**
 * ns per parameter of one step: the median of `rounds` timings of `reps` steps each. Steps go through
 * stepAsync(): a page's main thread may not block, so with threads it waits for the workers that way.
 */
async function time(n: number, column: Column, optimizer: 'adam' | 'sgd', reps: number, rounds: number): Promise<number> {
  const ctx = await contextFor(column, n);
  try {
    const w = ctx.tensor('w', n);
    const grad = w.grad;
    for (let i = 0; i < n; i++) grad[i] = Math.sin(i) * 1e-3;
    const opt = optimizer === 'adam' ? new Adam([w], { lr: 1e-3 }) : new SGD([w], { lr: 1e-3, momentum: 0.9 });
    await opt.stepAsync();
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      for (let k = 0; k < reps; k++) await opt.stepAsync();
      times.push(((performance.now() - t0) * 1e6) / (reps * n));
      await pause();
    }
    return times.sort((a, b) => a - b)[rounds >> 1];
  } finally {
    ctx.dispose();
  }
}

/** The same Adam problem of `n` floats on a context. */
function adamOn(ctx: Ravine, n: number): { w: Tensor; opt: Adam } {
  const w = ctx.tensor('w', n);
  for (let i = 0; i < n; i++) (w.data[i] = Math.cos(i)), (w.grad[i] = Math.sin(3 * i));
  return { w, opt: new Adam([w], { lr: 1e-2, weightDecay: 1e-4 }) };
}
const bitsOf = (w: Tensor) => new Uint32Array(w.data.slice().buffer);

/**
 * Adam on the threaded context and on the JS backend: the same bits after the same number of steps?
 * The threaded run first tries a plain step(), which the page's main thread must refuse, changing
 * nothing, when the group is split, and which goes ahead when it is not (a group below the split
 * threshold runs on this thread). Then ten steps by stepAsync(). The JS run takes as many steps as the
 * threaded one took (opt.steps), so the check compares equal work at every size.
 */
async function checkThreads(n: number): Promise<void> {
  const threaded = await contextFor('threads', n);
  let bits: Uint32Array, steps: number;
  try {
    const { w, opt } = adamOn(threaded, n);
    // Whether the group was split across the threads (an internal of the context: the page is a test bench too).
    const plans = (threaded as unknown as { _context: { backend: { plans?: Map<number, number> } } })._context.backend.plans;
    state.threads = { threads: threaded.threads, reason: threaded.threadsReason, split: (plans?.size ?? 0) > 0, matchesJs: null, steps: { threads: 0, js: 0 } };
    try {
      opt.step();
    } catch (e) {
      state.threads.stepError = (e as Error).message;
    }
    for (let k = 0; k < 10; k++) await opt.stepAsync();
    steps = opt.steps;
    bits = bitsOf(w);
  } finally {
    threaded.dispose();
  }
  const js = await contextFor('js', n);
  try {
    const { w, opt } = adamOn(js, n);
    for (let k = 0; k < steps; k++) opt.step();
    state.threads.steps = { threads: steps, js: opt.steps };
    const jsBits = bitsOf(w);
    state.threads.matchesJs = bits.every((b, i) => b === jsBits[i]);
  } finally {
    js.dispose();
  }
  // And in a worker, where a plain step() waits for the threads.
  const worker = new Worker(new URL('./stepWorker.ts', import.meta.url), { type: 'module' });
  state.worker = await new Promise<WorkerReport>((resolve) => {
    worker.onmessage = (e: MessageEvent<WorkerReport>) => resolve(e.data);
    worker.onerror = (e) => resolve({ threads: 0, split: false, matchesJs: false, error: e.message });
    worker.postMessage({ n });
  });
  worker.terminate();
}

async function bench(n: number, reps = 5, rounds = 5): Promise<void> {
  state.bench = { done: false, n, rows: [] };
  $('benchTable').innerHTML = '';
  $('benchStatus').textContent = 'threads against the JS backend…';
  await checkThreads(n);
  const columns = ['simd', 'threads', 'js'] as const;
  for (const optimizer of ['adam', 'sgd'] as const) {
    for (const column of columns) {
      $('benchStatus').textContent = `${optimizer} on ${column}…`;
      await pause();
      state.bench.rows.push({ optimizer, backend: column, n, nsPerParam: await time(n, column, optimizer, reps, rounds) });
    }
  }
  const cell = (o: string, b: string) => state.bench.rows.find((r) => r.optimizer === o && r.backend === b)!.nsPerParam;
  const t = state.threads;
  $('benchTable').innerHTML = `<tr><th>optimizer</th><th>simd ns/param</th><th>simd, ${t.threads} threads</th><th>js ns/param</th><th>threads ÷ simd speedup</th><th>js ÷ simd</th></tr>` +
    ['adam', 'sgd'].map((o) => `<tr><td>${o === 'adam' ? 'Adam' : 'SGD (momentum 0.9)'}</td><td>${cell(o, 'simd').toFixed(3)}</td><td>${cell(o, 'threads').toFixed(3)}</td><td>${cell(o, 'js').toFixed(3)}</td>` +
      `<td>${(cell(o, 'simd') / cell(o, 'threads')).toFixed(2)}×</td><td>${(cell(o, 'js') / cell(o, 'simd')).toFixed(1)}×</td></tr>`).join('');
  const w = state.worker;
  const split = t.threads > 1 && !t.split ? ' (a group this small is not split: the calling thread steps it alone)' : '';
  $('benchStatus').textContent = `${n.toLocaleString()} floats, median of ${rounds} × ${reps} steps; ${t.threads} threads${t.reason ? ` (${t.reason})` : ''}${split}, ` +
    `Adam ${t.steps.threads === t.steps.js ? `${t.steps.js} steps on each` : `${t.steps.threads} steps against ${t.steps.js}`}: ` +
    `${t.matchesJs ? 'bit for bit the JS backend' : 'NOT the JS backend\'s bits'}; in a worker, step() on ${w?.threads} threads: ` +
    `${w?.matchesJs ? 'bit for bit the JS backend' : `NOT the JS backend's bits${w?.error ? ` (${w.error})` : ''}`}`;
  state.bench.done = true;
}
$('benchRun').addEventListener('click', () => bench(Number($<HTMLSelectElement>('benchSize').value)).catch(fail));

function fail(e: unknown): void {
  state.error = String((e as Error)?.stack ?? e);
  $('status').textContent = `error: ${state.error}`;
}

// ---- start ----
const query = new URLSearchParams(location.search);
chooseSurface('ravine');
race().then(async () => {
  if (!query.has('autotest')) return;
  await bench(Number(query.get('benchSize') ?? 65536), 3, 3);
}).catch(fail).finally(() => {
  if (query.has('autotest')) fetch(`/result/${query.get('id')}`, { method: 'POST', body: JSON.stringify(state) });
});
