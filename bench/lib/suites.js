// What `npm run bench` measures: a plan of (workload, optimizer, tensor sizes, implementation)
// entries, and the loop that runs it. Entries sharing a workload, optimizer and sizes form a group:
// its runners are all created, then measured in interleaved rounds (a b c, a b c, ...), so that slow
// drifts of this shared 2-core VM fall on every implementation alike; the pooled samples give the
// median and its spread.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { IMPLS, threadsImpl } from './impls.js';
import { repsPerSample, sample, summarize } from './measure.js';
import { resnet18, transformer } from './models.js';
import { OPTIMIZERS, bytesPerParam } from './optimizers.js';
import { makeProblem } from './problem.js';

export const SIZES = [4096, 65536, 1048576, 16777216];
// Every size for these (Lion, Adafactor and schedule-free AdamW beside Adam: what they move against what it
// moves); one size for the rest of the table, whatever it holds; Muon's step is its matrix products, which
// bench/muon.js measures against their own time.
const MAIN = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', 'lion', 'adafactor', 'scheduleFreeAdamW'];
const OWN_BENCH = ['muon'];
const REST = Object.keys(OPTIMIZERS).filter((k) => !MAIN.includes(k) && !OWN_BENCH.includes(k));
const VECTOR = ['bound', 'simd', 'js', 'bareSimd', 'bareJs', 'naive', 'tfCpu', 'tfWasm', 'jax'];
const MODEL = ['bound', 'simd', 'oneTensorSimd', 'perTensorSimd', 'js', 'bareSimd', 'naive', 'tfCpu', 'bridgeCpu', 'tfWasm', 'bridgeWasm', 'jax'];
const PER_CALL = ['harness', 'simd', 'scheduledSimd', 'js', 'bareSimd', 'bareJs', 'naive', 'tfCpu', 'tfWasm', 'jax'];
/** Issue 10: Adam's step with each training option, beside the plain step (a few seconds in all). */
export const TRAINING_WORKLOAD = 'one vector, training options';
const TRAINING = ['simd', 'clipFoldedSimd', 'clipInPlaceSimd', 'guardSimd', 'diagnosticsSimd', 'accumulateSimd'];

/**
 * The full plan (issue 3), or with `quick` two sizes and no 16M vector. `optimizers` narrows it;
 * `models: false` leaves out the model-shaped and per-call workloads. Issue 10's rows: a scheduled
 * step among the per-call ones, and Adam's training options at the size Adadelta...RAdam are measured
 * at (1M in the full and quick plans).
 */
export function plan({ quick = false, sizes = quick ? [65536, 1048576] : SIZES, optimizers = [...MAIN, ...REST], models = true, threads = [2] } = {}) {
  const entries = [];
  // Issue 14: a column per thread count, beside ravine simd (one thread).
  const threaded = threads
    .filter((t) => t > 1)
    .map((t) => {
      IMPLS[`threads${t}`] ??= threadsImpl(t); // threads2 is there already
      return `threads${t}`;
    });
  const withThreads = (impls) => impls.flatMap((k) => (k === 'simd' ? [k, ...threaded] : [k]));
  const VECTOR_COLUMNS = withThreads(VECTOR),
    MODEL_COLUMNS = withThreads(MODEL);
  const add = (workload, key, tensorSizes, impls, isolate = false) => {
    for (const impl of impls) entries.push({ workload, key, sizes: tensorSizes, impl, isolate });
  };
  for (const key of optimizers.filter((k) => MAIN.includes(k))) for (const n of sizes) add('one vector', key, [n], VECTOR_COLUMNS);
  const restSize = sizes.includes(1048576) ? 1048576 : sizes[0];
  for (const key of optimizers.filter((k) => REST.includes(k))) add('one vector', key, [restSize], VECTOR_COLUMNS);
  if (optimizers.includes('adam')) add(TRAINING_WORKLOAD, 'adam', [restSize], TRAINING);
  if (models) {
    for (const key of optimizers.filter((k) => k === 'adam' || k === 'sgd')) {
      add('ResNet-18 (62 tensors)', key, resnet18(), MODEL_COLUMNS);
      add('transformer (148 tensors)', key, transformer(), MODEL_COLUMNS);
      add('per call, 16 params', key, [16], PER_CALL, true);
    }
  }
  return entries.filter((e) => IMPLS[e.impl] && IMPLS[e.impl].supports(e.key));
}

/** Consecutive entries with the same workload, optimizer and sizes. */
function groups(entries) {
  const out = [];
  for (const e of entries) {
    const last = out[out.length - 1];
    if (last && last.workload === e.workload && last.key === e.key && last.sizes === e.sizes) last.impls.push(e.impl);
    else out.push({ workload: e.workload, key: e.key, sizes: e.sizes, impls: [e.impl], isolate: e.isolate });
  }
  return out;
}

/**
 * Runs `entries` in `rounds` interleaved rounds per group, reporting progress through `log`; an
 * implementation that fails (to load, or to step) becomes a row with `error` instead of numbers.
 */
export async function runPlan(entries, { timeMs = 300, iterations = 6, rounds = 3, log = () => {} } = {}) {
  const rows = [];
  const all = groups(entries);
  for (const [gi, g] of all.entries()) {
    const n = g.sizes.reduce((a, b) => a + b, 0);
    const head = `[${gi + 1}/${all.length}] ${OPTIMIZERS[g.key].label}, ${g.workload}, ${n.toLocaleString('en-US')} params`;
    log(`${head}: ${g.impls.map((k) => IMPLS[k].label).join(', ')}${g.isolate ? ' (one process each)' : ''}`);
    if (g.isolate) {
      for (const implKey of g.impls) rows.push(await runIsolated(g.key, implKey, log));
      continue;
    }
    const problem = makeProblem(g.sizes);
    const runs = [];
    for (const implKey of g.impls) {
      const impl = IMPLS[implKey];
      const row = { workload: g.workload, optimizer: g.key, label: OPTIMIZERS[g.key].label, n, tensors: g.sizes.length, impl: impl.label };
      if (impl.deviations?.[g.key]) row.note = impl.deviations[g.key];
      rows.push(row);
      try {
        const runner = await impl.create(g.key, problem);
        runs.push({ row, runner, samples: [] });
        await runner.activate?.();
        runs[runs.length - 1].reps = await repsPerSample(runner);
      } catch (err) {
        fail(row, err, log);
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (const run of runs) {
        if (run.row.error) continue;
        try {
          await run.runner.activate?.();
          const perRound = { timeMs: timeMs / rounds, iterations: Math.ceil(iterations / rounds), warmup: round === 0 };
          run.samples.push(...(await sample(run.row.impl, run.runner, run.reps, perRound)));
        } catch (err) {
          fail(run.row, err, log);
        }
      }
    }
    for (const { row, runner, samples } of runs) {
      runner.dispose();
      if (row.error) continue;
      const m = summarize(samples);
      const bytes = bytesPerParam(g.key);
      Object.assign(row, m, { nsPerParam: m.medianNs / n, bytesPerParam: bytes, gbPerS: (bytes * n) / m.medianNs });
      log(`    ${row.impl.padEnd(30)} ${(m.medianNs / n).toPrecision(3).padStart(8)} ns/param  ±${((100 * m.madNs) / m.medianNs).toFixed(1)}%`);
    }
    globalThis.gc?.();
  }
  return rows;
}

const PER_CALL_SCRIPT = new URL('../per-call.js', import.meta.url);

/**
 * One (optimizer, implementation) on a 16-parameter group, alone in a fresh Node process (see
 * bench/per-call.js): sharing a process, runners make each other's call sites polymorphic, which at
 * ~100 ns per step is most of what is measured.
 */
async function runIsolated(key, implKey, log) {
  const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(PER_CALL_SCRIPT), `--one=${key}:${implKey}`], { encoding: 'utf8' });
  const row = JSON.parse(stdout);
  log(
    row.error
      ? `    ${row.impl}: FAILED: ${row.error}`
      : `    ${row.impl.padEnd(30)} ${row.medianNs.toPrecision(3).padStart(8)} ns/step  ±${((100 * row.madNs) / row.medianNs).toFixed(1)}%`,
  );
  return row;
}

function fail(row, err, log) {
  row.error = String(err?.message ?? err)
    .split('\n')[0]
    .slice(0, 120);
  log(`    ${row.impl}: FAILED: ${row.error}`);
}
