// `npm run bench`: runs the plan, prints the tables, writes bench/results/latest.{json,md}.
// Flags: --quick (two sizes, short samples), --only=adam,sgd (optimizers), --sizes=65536,1048576,
// --no-models (one-vector workloads only), --report (no measuring: re-render latest.md and the
// targets from latest.json, after a change to the report code).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { addRatios, consoleTable, markdownTable, summaryTable } from './lib/report.js';
import { plan, runPlan } from './lib/suites.js';
import { checkTargets, targetsMarkdown } from './lib/targets.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? true]));
const JSON_FILE = new URL('./results/latest.json', import.meta.url);
const MD_FILE = new URL('./results/latest.md', import.meta.url);

async function measureAll() {
  const quick = args.has('quick') || process.env.BENCH_QUICK === '1';
  const options = { quick };
  if (args.has('only')) options.optimizers = String(args.get('only')).split(',');
  if (args.has('sizes')) options.sizes = String(args.get('sizes')).split(',').map(Number);
  if (args.has('no-models')) options.models = false;
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
  const entries = plan(options);
  const started = Date.now();
  console.error(`ravine bench: ${entries.length} measurements on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}${quick ? ', --quick' : ''}`);
  const rows = await runPlan(entries, { timeMs: quick ? 120 : 300, iterations: quick ? 2 : 3, rounds: quick ? 2 : 5, log: (line) => console.error(line) });
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  return { machine, command, started: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, rows };
}

const run = args.has('report') ? JSON.parse(readFileSync(JSON_FILE, 'utf8')) : await measureAll();
const rows = addRatios(run.rows);
const targets = checkTargets(rows);
const { machine } = run;
const md = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}.`,
  `Command: \`${run.command}\` (${run.seconds.toFixed(0)} s, ${run.started}).`,
  'ns/param: median time of one step divided by the parameter count; ± MAD: median absolute deviation of the samples;',
  'GB/s: bytes the update must move (f32 streams read + written) per second; × simd, × bound: time relative to ravine simd and to the bandwidth bound measured in the same run.',
  'Per-call rows (16 parameters) are measured one process each (bench/per-call.js).',
  '',
  targetsMarkdown(targets),
  '',
  'ns per parameter per step (median):',
  '',
  summaryTable(rows),
  '',
  'Every measurement:',
  '',
  markdownTable(rows),
  '',
].join('\n');
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(JSON_FILE, `${JSON.stringify({ ...run, targets, rows }, null, 1)}\n`);
writeFileSync(MD_FILE, md);
console.log(consoleTable(rows));
console.log(`\n${targetsMarkdown(targets)}`);
console.error(`\n${args.has('report') ? 're-rendered from' : `${run.seconds.toFixed(0)} s; wrote`} bench/results/latest.json and bench/results/latest.md`);
