// `npm run bench`: runs the plan, prints the tables, writes out/bench/latest.{json,md}; with --save,
// bench/results/latest.{json,md} (the tracked figures the README quotes). `--help` lists the flags.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { addRatios, consoleTable, markdownTable, summaryTable, trainingTable } from './lib/report.js';
import { plan, runPlan, TRAINING_WORKLOAD } from './lib/suites.js';
import { measureAllocation } from './lib/allocation.js';
import { FlagError, MAX_SIZE, MAX_THREADS, parseBenchFlags } from './lib/flags.js';
import { checkIssue10Targets, checkIssue13Targets, checkIssue14Targets, checkIssue8Targets, checkTargets, targetsMarkdown } from './lib/targets.js';

const USAGE = `usage: npm run bench -- [options]

  --quick            two sizes, short samples (a smoke run, not for quoting)
  --only=adam,sgd    these optimizers only
  --sizes=65536,...  these parameter counts only (integers from 1 to ${MAX_SIZE.toLocaleString('en')})
  --no-models        one-vector workloads only (no ResNet-18 / transformer tensor sets)
  --threads=1,2,4,8  a column of ravine simd for each thread count above 1 (default: 2; at most ${MAX_THREADS})
  --report           measure nothing: re-render the report and targets from the saved latest.json
  --save             write the tracked bench/results/latest.{json,md} (a full run the README quotes);
                     without it results go to out/bench/, which git ignores
  -h, --help         this text`;

let flags;
try {
  flags = parseBenchFlags(process.argv.slice(2));
} catch (e) {
  if (!(e instanceof FlagError)) throw e;
  console.error(`npm run bench: ${e.message} (--help lists the flags)`);
  process.exit(2);
}
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const RESULTS = new URL(flags.save ? './results/' : '../out/bench/', import.meta.url);
const JSON_FILE = new URL('./latest.json', RESULTS);
const MD_FILE = new URL('./latest.md', RESULTS);

async function measureAll() {
  const quick = flags.quick || process.env.BENCH_QUICK === '1';
  const options = { quick };
  if (flags.only) options.optimizers = flags.only;
  if (flags.sizes) options.sizes = flags.sizes;
  if (!flags.models) options.models = false;
  if (flags.threads) options.threads = flags.threads;
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
  if (options.models !== false) {
    console.error(`[+] creating 800 tensors of 64K floats, simd and js interleaved`);
    rows.push(...(await measureAllocation({ repetitions: quick ? 3 : 7, log: (line) => console.error(line) })));
  }
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  return { machine, command, started: new Date(started).toISOString(), seconds: (Date.now() - started) / 1000, rows };
}

const run = flags.report ? JSON.parse(readFileSync(new URL('./results/latest.json', import.meta.url), 'utf8')) : await measureAll();
const rows = addRatios(run.rows);
// The previous release's figures: the tracked results as they were before this run (or, re-rendering, as saved with it).
const previousFile = new URL('./results/latest.json', import.meta.url);
const previous = flags.report ? run.previous : existsSync(previousFile) ? JSON.parse(readFileSync(previousFile, 'utf8')) : null;
const previousRows = previous?.rows ?? [];
const rowKey = (r) => `${r.workload}|${r.optimizer}|${r.n}|${r.impl}`;
const before = new Map(previousRows.filter((r) => r.medianNs).map((r) => [rowKey(r), r.medianNs]));
for (const r of rows) r.vsPrevious = r.medianNs && before.has(rowKey(r)) ? r.medianNs / before.get(rowKey(r)) : null;
const compared = rows.filter((r) => r.vsPrevious != null && r.impl === 'ravine simd');
const previousLine = compared.length
  ? `Against the previous release (${previous.started ?? 'saved run'}): ravine simd's time is ${Math.min(...compared.map((r) => r.vsPrevious)).toFixed(2)}–${Math.max(...compared.map((r) => r.vsPrevious)).toFixed(2)}× the previous one over ${compared.length} rows (median ${[...compared.map((r) => r.vsPrevious)].sort((a, b) => a - b)[compared.length >> 1].toFixed(2)}×); the × previous column gives every row.`
  : 'No previous release figures to compare with.';
const targets = checkTargets(rows);
const targets8 = checkIssue8Targets(rows);
const targets10 = checkIssue10Targets(rows);
const targets13 = checkIssue13Targets(rows);
const targets14 = checkIssue14Targets(rows);
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
  targetsMarkdown(targets8, 8),
  '',
  targetsMarkdown(targets10, 10),
  '',
  targetsMarkdown(targets13, 13),
  '',
  targetsMarkdown(targets14, 14),
  '',
  previousLine,
  '',
  'ns per parameter per step (median):',
  '',
  summaryTable(rows.filter((r) => r.workload !== TRAINING_WORKLOAD)),
  '',
  'Schedules and training options (issue 10), ns per step() call; × plain step: time over the plain step measured beside it:',
  '',
  trainingTable(rows, TRAINING_WORKLOAD),
  '',
  'Every measurement:',
  '',
  markdownTable(rows),
  '',
].join('\n');
mkdirSync(RESULTS, { recursive: true });
writeFileSync(
  JSON_FILE,
  `${JSON.stringify({ ...run, targets, targets8, targets10, targets13, targets14, rows, previous: previous ? { started: previous.started, command: previous.command, rows: previousRows.map(({ workload, optimizer, n, impl, medianNs }) => ({ workload, optimizer, n, impl, medianNs })) } : null }, null, 1)}\n`,
);
writeFileSync(MD_FILE, md);
console.log(consoleTable(rows));
console.log(
  `\n${targetsMarkdown(targets)}\n\n${targetsMarkdown(targets8, 8)}\n\n${targetsMarkdown(targets10, 10)}\n\n${targetsMarkdown(targets13, 13)}\n\n${targetsMarkdown(targets14, 14)}\n\n${trainingTable(rows, TRAINING_WORKLOAD)}\n\n${previousLine}`,
);
const where = (url) => url.pathname.slice(new URL('..', import.meta.url).pathname.length);
console.error(
  `\n${flags.report ? 're-rendered; ' : `${run.seconds.toFixed(0)} s; `}wrote ${where(JSON_FILE)} and ${where(MD_FILE)}${flags.save ? '' : ' (--save writes the tracked bench/results/)'}`,
);
