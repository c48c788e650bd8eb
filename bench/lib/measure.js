// Timing with tinybench. A sample is `reps` back-to-back steps, `reps` chosen once per runner so a
// sample lasts at least ~0.2 ms: small steps (a 16-parameter group takes ~100 ns) would otherwise
// measure the timer. Runners with `async: true` (jax-js) return a promise from `step()`.
import { Bench } from 'tinybench';

const SAMPLE_MS = 0.2;

/**
 * Steps per sample, from the fastest of three timings of doubling batches (each batch grown until it
 * lasts 10 ms): one slow first call (a GC pause, a tier-up) must not set a sample to one 100-ns step,
 * which would fill tinybench with millions of samples.
 */
export async function repsPerSample(runner) {
  await runner.step();
  let fastest = Infinity;
  for (let pass = 0; pass < 3; pass++) fastest = Math.min(fastest, await timePerStep(runner));
  return Math.max(1, Math.ceil(SAMPLE_MS / fastest));
}

async function timePerStep({ step, async }) {
  for (let k = 1; ; k *= 2) {
    const t0 = performance.now();
    if (async) for (let i = 0; i < k; i++) await step();
    else for (let i = 0; i < k; i++) step();
    const elapsed = performance.now() - t0;
    if (elapsed >= 10 || k >= 1 << 24) return elapsed / k;
  }
}

/**
 * Per-step times in ns, one per sample, over at least `iterations` samples and `timeMs` ms; per
 * optimizer call for a runner whose step() makes `calls` of them.
 */
export async function sample(name, runner, reps, { timeMs = 300, iterations = 5, warmup = true } = {}) {
  const { step, calls = 1 } = runner;
  const bench = new Bench({ time: timeMs, iterations, warmup, warmupTime: Math.min(50, timeMs), warmupIterations: 1, retainSamples: true });
  if (runner.async) {
    bench.add(name, async () => {
      for (let r = 0; r < reps; r++) await step();
    });
    await bench.run();
  } else {
    bench.add(name, () => {
      for (let r = 0; r < reps; r++) step();
    });
    bench.runSync();
  }
  const { result } = bench.tasks[0];
  if (result.state !== 'completed') throw result.error ?? new Error(`${name} ended in state ${result.state}`);
  return Array.from(result.latency.samples, (ms) => (ms * 1e6) / (reps * calls));
}

/** Median and median absolute deviation (and extremes) of per-step times. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = (xs) => (xs.length % 2 ? xs[(xs.length - 1) / 2] : (xs[xs.length / 2 - 1] + xs[xs.length / 2]) / 2);
  const medianNs = median(sorted);
  const madNs = median(sorted.map((x) => Math.abs(x - medianNs)).sort((a, b) => a - b));
  return { medianNs, madNs, minNs: sorted[0], maxNs: sorted[sorted.length - 1], samples: sorted.length };
}
