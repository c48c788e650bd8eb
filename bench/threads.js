// How ravine's threads scale, and where splitting a group starts to pay: `step()` of one group of n
// parameters on 1, 2, ... threads, at sizes from 4K to 16M, each group split whatever its size (the
// split threshold set to 0 here), measured side by side in interleaved rounds. The threshold in
// src/backend/threads.ts is the smallest size at which two threads beat one on this machine, with
// `--gap=1`: 1 ms of other work (a forward and backward pass) between steps, during which the workers go
// to sleep, so that each step pays for waking them, as in training. Without a gap, steps follow each
// other and the workers are still polling for the next job (a tight loop, or the next group of a step).
//
//   npm run build && node --expose-gc bench/threads.js [--threads=1,2] [--only=adam,sgd] [--sizes=4096,...] [--gap=ms]
import { parseArgs } from 'node:util';
import { createRavine } from '../dist/index.js';
import { repsPerSample, sample, summarize } from './lib/measure.js';
import { OPTIMIZERS } from './lib/optimizers.js';
import { makeProblem } from './lib/problem.js';

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2' },
    only: { type: 'string', default: 'adam,sgd' },
    sizes: { type: 'string', default: '4096,16384,32768,65536,262144,1048576,16777216' },
    gap: { type: 'string', default: '0' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('usage: npm run build && node --expose-gc bench/threads.js [--threads=1,2,4] [--only=adam,sgd] [--sizes=4096,65536,...] [--gap=1]');
  process.exit(0);
}
const counts = args.threads.split(',').map(Number);
const sizes = args.sizes.split(',').map(Number);
const keys = args.only.split(',');
const gapMs = Number(args.gap);
/** Busy work on this thread between steps (not timed: subtracted below). */
const busy = () => {
  const until = performance.now() + gapMs;
  while (performance.now() < until);
};

async function runner(threads, key, n) {
  const rv = await createRavine({ backend: 'simd', threads });
  if (rv.threads !== threads) throw new Error(`asked for ${threads} threads, got ${rv.threads}: ${rv.threadsReason}`);
  rv._context.backend.splitThreshold = 0; // split every group, to find where it pays
  const { params, grads } = makeProblem([n]);
  const t = rv.tensor('w', params[0]);
  t.grad.set(grads[0]);
  const opt = new OPTIMIZERS[key].Ravine([t], OPTIMIZERS[key].options);
  return { rv, step: gapMs > 0 ? () => (busy(), opt.step()) : () => opt.step() };
}

const rows = [];
const plan = keys.flatMap((key) => sizes.map((n) => ({ key, n })));
for (const [i, { key, n }] of plan.entries()) {
  console.error(`[${i + 1}/${plan.length}] ${OPTIMIZERS[key].label}, ${n.toLocaleString('en-US')} params: threads ${counts.join(', ')}`);
  const runs = [];
  for (const threads of counts) {
    const r = await runner(threads, key, n);
    runs.push({ threads, ...r, reps: await repsPerSample(r), samples: [] });
  }
  for (let round = 0; round < 5; round++) {
    for (const r of runs) r.samples.push(...(await sample(`${r.threads}`, r, r.reps, { timeMs: 60, iterations: 2, warmup: round === 0 })));
  }
  const gapNs = gapMs * 1e6;
  const base = summarize(runs[0].samples).medianNs - gapNs;
  const row = { optimizer: OPTIMIZERS[key].label, n, ns: {} };
  for (const r of runs) {
    row.ns[r.threads] = summarize(r.samples).medianNs - gapNs;
    r.rv.dispose();
  }
  console.error(
    `    ${runs.map((r) => `${r.threads}: ${(row.ns[r.threads] / n).toFixed(3)} ns/param (${(base / row.ns[r.threads]).toFixed(2)}×)`).join(', ')}`,
  );
  rows.push(row);
  globalThis.gc?.();
}

if (gapMs > 0) console.log(`${gapMs} ms of other work between steps (subtracted)\n`);
console.log(
  `| Optimizer | Params | ${counts.map((c) => `${c} thread${c > 1 ? 's' : ''} (ns/param)`).join(' | ')} | ${counts
    .slice(1)
    .map((c) => `speedup, ${c}`)
    .join(' | ')} |`,
);
console.log(
  `|---|---:|${counts.map(() => '---:').join('|')}|${counts
    .slice(1)
    .map(() => '---:')
    .join('|')}|`,
);
for (const r of rows) {
  const first = r.ns[counts[0]];
  console.log(
    `| ${r.optimizer} | ${r.n.toLocaleString('en-US')} | ${counts.map((c) => (r.ns[c] / r.n).toFixed(3)).join(' | ')} | ${counts
      .slice(1)
      .map((c) => `${(first / r.ns[c]).toFixed(2)}×`)
      .join(' | ')} |`,
  );
}
