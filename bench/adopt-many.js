// What adopting costs where a model is many small tensors (bench/adopt-cost.js measures one 1M tensor):
// Adam and SGD-momentum steps over N tensors in linear memory vs over N adopted Float32Arrays, one
// group each. Each (optimizer, shape) runs in a fresh process, as in per-call.js (shapes sharing a
// process share call sites, which turn polymorphic); inside it, tensor and adopted samples alternate
// over several rounds, so a neighbour on this shared machine slows both alike.
// Run: npm run build && node --expose-gc bench/adopt-many.js
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repsPerSample, sample, summarize } from './lib/measure.js';

const SHAPES = [
  [1, 16],
  [100, 16],
  [1000, 64],
  [100, 10_000],
  [1, 1 << 20],
];
const OPTIMIZERS = ['Adam', 'SGD momentum'];
const one = process.argv.find((a) => a.startsWith('--one='))?.slice('--one='.length);
const unknown = process.argv.slice(2).filter((a) => !a.startsWith('--one=') && a !== '--help' && a !== '-h');
if (unknown.length) console.error(`unknown option ${unknown.join(' ')}\n`);
if (process.argv.includes('--help') || process.argv.includes('-h') || unknown.length) {
  console.log(`usage: npm run build && node --expose-gc bench/adopt-many.js

Adam and SGD-momentum steps over ${SHAPES.map(([c, s]) => `${c}×${s}`).join(', ')} (tensors × floats) in linear
memory vs adopted, one fresh process per row; prints a table.
  --one=INDEX:OPTIMIZER  measure one row (shape index, 'Adam' or 'SGD momentum') here and print it as JSON`);
  process.exit(unknown.length ? 2 : 0);
}

if (one) {
  const [index, optimizer] = one.split(':');
  process.stdout.write(JSON.stringify(await measure(SHAPES[Number(index)], optimizer)));
} else {
  const rows = [];
  for (let i = 0; i < SHAPES.length; i++) {
    for (const optimizer of OPTIMIZERS) {
      const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), `--one=${i}:${optimizer}`], { encoding: 'utf8' });
      rows.push(JSON.parse(out));
      console.error(`${optimizer}, ${SHAPES[i][0]} × ${SHAPES[i][1]}: ${(rows.at(-1).adopted / rows.at(-1).tensor).toFixed(2)}×`);
    }
  }
  const fmt = (ns) => (ns >= 100 ? ns.toFixed(0) : ns.toPrecision(3));
  console.log(`\nCommand: npm run build && node --expose-gc bench/adopt-many.js (Node ${process.version}, backend '${rows[0].backend}')\n`);
  console.log(
    '| optimizer | tensors × floats | params | tensor ns/step | adopted ns/step | extra ns per tensor | tensor ns/param | adopted ns/param | adopted / tensor |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const params = r.count * r.size;
    console.log(
      `| ${r.optimizer} | ${r.count.toLocaleString('en-US')} × ${r.size.toLocaleString('en-US')} | ${params.toLocaleString('en-US')} | ${fmt(r.tensor)} | ${fmt(r.adopted)} | ` +
        `${fmt((r.adopted - r.tensor) / r.count)} | ${(r.tensor / params).toFixed(3)} | ${(r.adopted / params).toFixed(3)} | ${(r.adopted / r.tensor).toFixed(2)}× |`,
    );
  }
}

async function measure([count, size], optimizer) {
  const { Adam, createRavine, SGD } = await import('../dist/index.js');
  const make = optimizer === 'Adam' ? (p) => new Adam(p, { lr: 1e-3 }) : (p) => new SGD(p, { lr: 1e-3, momentum: 0.9 });
  const rv = await createRavine();
  const inside = Array.from({ length: count }, (_, k) => rv.tensor(`inside${k}`, size));
  for (const t of inside) t.data.fill(0.5), t.grad.fill(1e-3);
  const adopted = Array.from({ length: count }, (_, k) => rv.adopt(`adopted${k}`, new Float32Array(size).fill(0.5), new Float32Array(size).fill(1e-3)));
  const runners = {
    tensor: {
      step: (
        (o) => () =>
          o.step()
      )(make(inside)),
    },
    adopted: {
      step: (
        (o) => () =>
          o.step()
      )(make(adopted)),
    },
  };
  const reps = Object.fromEntries(await Promise.all(Object.entries(runners).map(async ([k, r]) => [k, await repsPerSample(r)])));
  const samples = { tensor: [], adopted: [] };
  for (let round = 0; round < 5; round++) {
    for (const k of ['tensor', 'adopted']) samples[k].push(...(await sample(k, runners[k], reps[k], { timeMs: 200 })));
  }
  return { optimizer, count, size, backend: rv.backend, tensor: summarize(samples.tensor).medianNs, adopted: summarize(samples.adopted).medianNs };
}
