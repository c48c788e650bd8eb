// What `npm run bench` measures: a plan of (workload, optimizer, tensor sizes, implementation)
// entries, and the loop that runs it with progress and returns one row per entry.
import { IMPLS } from './impls.js';
import { measure } from './measure.js';
import { OPTIMIZERS, bytesPerParam } from './optimizers.js';
import { makeProblem } from './problem.js';

export const SIZES = [4096, 65536, 1048576, 16777216];
const MAIN = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'];
const REST = ['adadelta', 'adamax', 'nadam', 'radam'];
const VECTOR_IMPLS = ['simd', 'js', 'bareSimd', 'bareJs', 'naive'];

/** The full plan (issue 3), or a shorter one with `quick` (fewer sizes, shorter samples). */
export function plan({ quick = false, sizes = quick ? [65536, 1048576] : SIZES, optimizers = [...MAIN, ...REST] } = {}) {
  const entries = [];
  const vector = (key, n) => {
    for (const impl of VECTOR_IMPLS) entries.push({ workload: 'one vector', key, sizes: [n], impl });
  };
  for (const key of optimizers.filter((k) => MAIN.includes(k))) for (const n of sizes) vector(key, n);
  const restSize = sizes.includes(1048576) ? 1048576 : sizes[0];
  for (const key of optimizers.filter((k) => REST.includes(k))) vector(key, restSize);
  return entries.filter((e) => IMPLS[e.impl] && IMPLS[e.impl].supports(e.key));
}

/** Runs `entries`, reporting progress through `log`; a failing implementation becomes a row with `error`. */
export async function runPlan(entries, { timeMs = 300, iterations = 5, log = () => {} } = {}) {
  const rows = [];
  let problem = null;
  for (const [i, e] of entries.entries()) {
    const n = e.sizes.reduce((a, b) => a + b, 0);
    const impl = IMPLS[e.impl];
    const row = { workload: e.workload, optimizer: e.key, label: OPTIMIZERS[e.key].label, n, tensors: e.sizes.length, impl: impl.label };
    const problemKey = `${e.workload}|${e.sizes.join(',')}`;
    if (problem?.key !== problemKey) problem = { key: problemKey, ...makeProblem(e.sizes) };
    const head = `[${String(i + 1).padStart(String(entries.length).length)}/${entries.length}] ${row.label} ${e.workload} n=${n} ${impl.label}`;
    let runner = null;
    try {
      runner = await impl.create(e.key, problem);
      const m = measure(head, runner.step, { timeMs, iterations });
      const bytes = e.bytesPerParam ?? bytesPerParam(e.key);
      Object.assign(row, m, { nsPerParam: m.medianNs / n, bytesPerParam: bytes, gbPerS: (bytes * n) / m.medianNs });
      log(`${head}: ${(m.medianNs / n).toPrecision(3)} ns/param`);
    } catch (err) {
      row.error = String(err?.message ?? err).split('\n')[0].slice(0, 120);
      log(`${head}: FAILED ${row.error}`);
    } finally {
      runner?.dispose();
    }
    rows.push(row);
  }
  return rows;
}
