// `node bench/per-call.js`: the per-call cost of `step()` on a 16-parameter group. Each
// (optimizer, implementation) runs alone in a fresh Node process, as in a user's program: in one
// process, runners share the harness's and ravine's call sites, which turn polymorphic and add tens
// of ns per call. `npm run bench` measures its per-call rows this way too (through `--one`). Writes out/bench/per-call.md, or with --save the
// tracked bench/results/per-call.md. "ravine simd, scheduled" is the same step with lr and momentum (Adam:
// β1) driven by schedules (bench/lib/training.js); its "× simd" is issue 10's ratio (target ≤ 1.2).
// Profile one: `node --cpu-prof bench/per-call.js --one=adam:simd`, then open the .cpuprofile.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addRatios, consoleTable, markdownTable } from './lib/report.js';
import { runPlan } from './lib/suites.js';

const IMPLS = ['harness', 'simd', 'scheduledSimd', 'bareSimd', 'js', 'bareJs', 'naive'];
const WORKLOAD = 'per call, 16 params';
const one = process.argv.find((a) => a.startsWith('--one='))?.slice('--one='.length);
const save = process.argv.includes('--save');
const unknown = process.argv.slice(2).filter((a) => !a.startsWith('--one=') && a !== '--save' && a !== '--help' && a !== '-h');
if (unknown.length) console.error(`unknown option ${unknown.join(' ')}\n`);
if (process.argv.includes('--help') || process.argv.includes('-h') || unknown.length) {
  console.log(`usage: node bench/per-call.js [--save] [--one=adam:simd]

Per-call cost of step() on 16 parameters, one fresh process per (optimizer, implementation).
  --save          write the tracked bench/results/per-call.md (default: out/bench/per-call.md)
  --one=KEY:IMPL  measure one row in this process and print it as JSON`);
  process.exit(unknown.length ? 2 : 0);
}

if (one) {
  const [key, impl] = one.split(':');
  const [row] = await runPlan([{ workload: WORKLOAD, key, sizes: [16], impl }], { timeMs: 1000, iterations: 5, rounds: 5 });
  process.stdout.write(JSON.stringify(row));
} else {
  const rows = [];
  for (const key of ['sgd', 'adam']) {
    for (const impl of IMPLS) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), `--one=${key}:${impl}`], { encoding: 'utf8' });
      rows.push(JSON.parse(out));
      console.error(`${rows.at(-1).label}, ${rows.at(-1).impl}: ${rows.at(-1).medianNs?.toFixed(1)} ns per step()`);
    }
  }
  addRatios(rows);
  const md = `Command: \`node bench/per-call.js\` (one process per row; Node ${process.version}, ${new Date().toISOString()}).\n\n${markdownTable(rows)}\n`;
  const file = new URL(save ? './results/per-call.md' : '../out/bench/per-call.md', import.meta.url);
  mkdirSync(new URL('.', file), { recursive: true });
  writeFileSync(file, md);
  console.error(`wrote ${file.pathname}`);
  console.log(consoleTable(rows));
}
