// What the adopt path costs: Adam and SGD-momentum steps over tensors in linear memory vs over the
// user's own adopted Float32Arrays (copied in and out each step), side by side in one run.
// Run: npm run build && node bench/adopt-cost.js
import { Bench } from 'tinybench';
if (process.argv.length > 2) {
  const help = process.argv.includes('--help') || process.argv.includes('-h');
  if (!help) console.error(`unknown option ${process.argv.slice(2).join(' ')}\n`);
  console.log(
    'usage: npm run build && node bench/adopt-cost.js\n\nAdam and SGD-momentum steps on 1M parameters in linear memory vs on adopted arrays; prints a table.',
  );
  process.exit(help ? 0 : 2);
}
import { Adam, createRavine, SGD } from '../dist/index.js';

const n = 1 << 20;
const rv = await createRavine();
const rows = [];
for (const [name, make] of [
  ['Adam', (p) => new Adam(p, { lr: 1e-3 })],
  ['SGD momentum', (p) => new SGD(p, { lr: 1e-3, momentum: 0.9 })],
]) {
  const inside = rv.tensor(`inside-${name}`, n);
  const adopted = rv.adopt(`adopted-${name}`, new Float32Array(n).fill(0.5), new Float32Array(n).fill(1e-3));
  inside.grad.fill(1e-3);
  const a = make([inside]),
    b = make([adopted]);
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench.add(`${name} tensor`, () => a.step()).add(`${name} adopted`, () => b.step());
  process.stdout.write(`measuring ${name} at ${n.toLocaleString()} parameters on '${rv.backend}'...\n`);
  await bench.run();
  const [t, d] = bench.tasks.map((task) => task.result.latency.p50);
  rows.push(`| ${name} | ${((t * 1e6) / n).toFixed(3)} | ${((d * 1e6) / n).toFixed(3)} | ${(d / t).toFixed(2)}× |`);
}
console.log(`\n| optimizer | tensor ns/param | adopted ns/param | adopted / tensor |\n|---|---:|---:|---:|\n${rows.join('\n')}`);
