// Timing with tinybench. A sample is `reps` back-to-back steps, `reps` chosen so a sample lasts at
// least ~0.2 ms: small steps (a 16-parameter group takes ~100 ns) would otherwise measure the timer.
import { Bench } from 'tinybench';

const SAMPLE_MS = 0.2;

/** Median time of one `step()` in ns, with its spread, over at least `iterations` samples and `timeMs`. */
export function measure(name, step, { timeMs = 300, iterations = 5 } = {}) {
  const reps = repsPerSample(step);
  const bench = new Bench({ time: timeMs, iterations, warmupTime: Math.min(50, timeMs), warmupIterations: 1, retainSamples: false });
  bench.add(name, () => {
    for (let r = 0; r < reps; r++) step();
  });
  const [task] = bench.runSync();
  const result = task.result;
  if (result.state !== 'completed') throw result.error ?? new Error(`bench: ${name} ended in state ${result.state}`);
  const { p50, mad, min, max, samplesCount } = result.latency;
  const perStep = (ms) => (ms * 1e6) / reps;
  return { medianNs: perStep(p50), madNs: perStep(mad), minNs: perStep(min), maxNs: perStep(max), samples: samplesCount, reps };
}

/** Steps per sample: time doubling batches (after one warm call) until a batch lasts 10 ms. */
function repsPerSample(step) {
  step();
  for (let k = 1; ; k *= 2) {
    const t0 = performance.now();
    for (let i = 0; i < k; i++) step();
    const elapsed = performance.now() - t0;
    if (elapsed >= 10 || k >= 1 << 20) return Math.max(1, Math.ceil(SAMPLE_MS / (elapsed / k)));
  }
}
