// What parameter averaging costs beside the step it follows: AveragedParams.update() (SWA and EMA) and
// swap() at 1M parameters, against an Adam step and the memory-bandwidth bound of one update pass
// (reads p and the average, writes the average), side by side in one run.
// Run: npm run build && node bench/averaging.js
import { Bench } from 'tinybench';
if (process.argv.length > 2) {
  const help = process.argv.includes('--help') || process.argv.includes('-h');
  if (!help) console.error(`unknown option ${process.argv.slice(2).join(' ')}\n`);
  console.log(
    'usage: npm run build && node bench/averaging.js\n\nAveragedParams.update() (SWA, EMA) and swap() on 1M parameters beside an Adam step and the bandwidth bound, on both backends; prints a table.',
  );
  process.exit(help ? 0 : 2);
}
import { Adam, AveragedParams, createRavine } from '../dist/index.js';
import { streamBound } from './lib/bandwidth.js';

const n = 1 << 20;
const rows = [];
for (const backend of ['simd', 'js']) {
  const rv = await createRavine({ backend });
  const [a, b, c] = ['a', 'b', 'c'].map((name) =>
    rv.tensor(
      name,
      Float32Array.from({ length: n }, (_, i) => Math.sin(i)),
    ),
  );
  a.grad.fill(1e-3);
  const adam = new Adam([a]);
  const swa = new AveragedParams([b], { mode: 'swa' });
  const ema = new AveragedParams([c], { mode: 'ema', decay: 0.999 });
  swa.update();
  ema.update();
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench
    .add('Adam step', () => adam.step())
    .add('SWA update', () => swa.update())
    .add('EMA update', () => ema.update())
    .add('swap() and back', () => (swa.swap(), swa.swap()));
  // The update's memory traffic: reads p and the average, writes the average.
  const bound = backend === 'simd' ? await streamBound('simd', 2, 1, { sizes: [n], params: [b.data.slice()], grads: [b.data.slice()] }) : null;
  if (bound) bench.add('bandwidth bound (2 reads, 1 write)', () => bound.step());
  process.stdout.write(`measuring on '${backend}' at ${n.toLocaleString('en-US')} parameters...\n`);
  bench.runSync();
  const [step, ...rest] = bench.tasks.map((task) => (task.result.latency.p50 * 1e6) / n);
  rows.push(`| ${backend} | Adam step | ${step.toFixed(3)} | 1.00 |`);
  bench.tasks.slice(1).forEach((task, k) => rows.push(`| ${backend} | ${task.name} | ${rest[k].toFixed(3)} | ${(rest[k] / step).toFixed(2)} |`));
  bound?.dispose();
  rv.dispose();
}
console.log(
  `\nCommand: npm run build && node bench/averaging.js (Node ${process.version})\n\n| backend | what | ns/param | × Adam step |\n|---|---|---:|---:|\n${rows.join('\n')}`,
);
