// `npm run bench:previous -- --against=<commit>`: this build's step() against another commit's, side by
// side. The tracked tables' "× previous" compares with figures saved on another day, and this shared VM
// drifts by tens of percent between days; a release-to-release ratio needs both builds timed now. So the
// other commit is checked out into out/previous/<commit>/ (a git worktree, sharing node_modules) and
// built, and every row is timed in fresh processes, alternating the two builds round by round (each
// process alone, so neither build's call sites are warmed or made polymorphic by the other). A row's
// figure is the median over rounds of each process's median ns per parameter per step; its ratio is
// this build's over the other's (below 1: faster now). Writes out/bench/previous.md (--save:
// bench/results/previous.md).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { repsPerSample, sample, summarize } from './lib/measure.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Every first-order optimizer with the bench table's options; centered RMSprop separately (its own kernel variant).
// A list of its own, not the optimizer table's bench rows: the build it compares with may predate the table.
const OPTIONS = {
  sgd: ['SGD', { lr: 1e-2, momentum: 0.9 }],
  adam: ['Adam', { lr: 1e-3 }],
  adamw: ['AdamW', { lr: 1e-3, weightDecay: 1e-2 }],
  rmsprop: ['RMSprop', { lr: 1e-2 }],
  rmspropCentered: ['RMSprop', { lr: 1e-2, centered: true }],
  adagrad: ['Adagrad', { lr: 1e-2 }],
  adadelta: ['Adadelta', { lr: 1 }],
  adamax: ['Adamax', { lr: 2e-3 }],
  nadam: ['NAdam', { lr: 2e-3 }],
  radam: ['RAdam', { lr: 1e-3 }],
  rprop: ['Rprop', { lr: 1e-2 }],
  asgd: ['ASGD', { lr: 1e-2 }],
};

const USAGE = `usage: npm run bench:previous -- --against=<commit> [--rounds=3] [--quick | --rows=nadam:1048576,...] [--save]

  --against=<commit>  the build to compare with (a commit, tag or branch): checked out and built in out/previous/
  --rounds=N          processes per row and build, alternating (default 3; 1 to 20)
  --quick             64K and 1M only, Adam and SGD only (a smoke run, not for quoting)
  --rows=KEY:N,...    these rows only (keys: ${Object.keys(OPTIONS).join(', ')})
  --save              write the tracked bench/results/previous.md (default: out/bench/previous.md)`;

/** Child: one row of one build, printed as JSON. */
async function child(dist, key, n) {
  const ravine = await import(pathToFileURL(join(dist, 'index.js')).href);
  const rv = await ravine.createRavine({ backend: 'simd' });
  const t = rv.tensor(
    'w',
    Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.5),
  );
  t.grad.set(Float32Array.from({ length: n }, (_, i) => Math.cos(i * 1.3) * 0.1));
  const [name, options] = OPTIONS[key];
  const opt = new ravine[name]([t], options);
  const runner = { step: () => opt.step() };
  const reps = await repsPerSample(runner);
  const { medianNs } = summarize(await sample(`${key} ${n}`, runner, reps, { timeMs: n >= 1 << 24 ? 1500 : 600, iterations: 5 }));
  process.stdout.write(JSON.stringify({ nsPerParam: medianNs / n }));
}

/** The other commit, checked out and built once in out/previous/<sha>/ (its dist/ is what the children load). */
function buildOf(commit) {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${commit}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
  const dir = join(root, 'out', 'previous', sha.slice(0, 12));
  if (!existsSync(join(dir, 'dist', 'index.js'))) {
    console.error(`checking out ${commit} (${sha.slice(0, 12)}) into ${dir} and building it`);
    mkdirSync(dirname(dir), { recursive: true });
    if (!existsSync(dir)) execFileSync('git', ['worktree', 'add', '--detach', dir, sha], { cwd: root, stdio: 'inherit' });
    if (!existsSync(join(dir, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: 'inherit' });
  }
  return { sha, dist: join(dir, 'dist') };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

async function main() {
  const args = process.argv.slice(2);
  const childArg = args.find((a) => a.startsWith('--child='));
  if (childArg) {
    const [dist, key, n] = childArg.slice('--child='.length).split('|');
    return child(dist, key, Number(n));
  }
  const known = (a) =>
    a === '--quick' || a === '--save' || a === '--help' || a === '-h' || a.startsWith('--against=') || a.startsWith('--rounds=') || a.startsWith('--rows=');
  const unknown = args.filter((a) => !known(a));
  const against = args.find((a) => a.startsWith('--against='))?.slice('--against='.length);
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 3);
  if (args.includes('--help') || args.includes('-h') || unknown.length || !against || !Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    if (unknown.length) console.error(`unknown option ${unknown.join(' ')}`);
    else if (!args.includes('--help') && !args.includes('-h'))
      console.error(against ? `--rounds must be an integer from 1 to 20, got ${rounds}` : '--against=<commit> is required');
    console.log(USAGE);
    process.exit(args.includes('--help') || args.includes('-h') ? 0 : 2);
  }
  const quick = args.includes('--quick');
  const only = args
    .find((a) => a.startsWith('--rows='))
    ?.slice('--rows='.length)
    .split(',')
    .map((r) => r.split(':'));
  const badRow = only?.find(([key, n]) => !Object.hasOwn(OPTIONS, key) || !/^[1-9]\d*$/.test(n ?? '') || Number(n) > 1 << 26);
  if (badRow) {
    console.error(`--rows: ${badRow.join(':')} is not KEY:N with KEY one of ${Object.keys(OPTIONS).join(', ')} and N an integer from 1 to ${1 << 26}`);
    process.exit(2);
  }
  const big = quick ? [65536, 1048576] : [65536, 1048576, 16777216];
  const rows = only
    ? only.map(([key, n]) => [key, Number(n)])
    : quick
      ? ['sgd', 'adam'].flatMap((key) => big.map((n) => [key, n]))
      : [
          ...['sgd', 'adam', 'adamw', 'rmsprop', 'rmspropCentered', 'adagrad'].flatMap((key) => big.map((n) => [key, n])),
          ...['adadelta', 'adamax', 'nadam', 'radam', 'rprop', 'asgd'].map((key) => [key, 1048576]),
        ];
  const previous = buildOf(against);
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim() !== '';
  const builds = [
    ['previous', previous.dist],
    ['now', join(root, 'dist')],
  ];
  const results = [];
  for (const [k, [key, n]] of rows.entries()) {
    const times = { previous: [], now: [] };
    for (let r = 0; r < rounds; r++) {
      // Alternate which build goes first, so a drift within a row falls on both alike.
      for (const [label, dist] of r % 2 ? [...builds].reverse() : builds) {
        const out = execFileSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), `--child=${dist}|${key}|${n}`], { encoding: 'utf8' });
        times[label].push(JSON.parse(out).nsPerParam);
      }
    }
    const row = { key, n, previous: median(times.previous), now: median(times.now) };
    row.ratio = row.now / row.previous;
    results.push(row);
    console.error(
      `[${k + 1}/${rows.length}] ${OPTIONS[key][0]}${key === 'rmspropCentered' ? ' centered' : ''} ${n.toLocaleString('en')}: ${row.previous.toFixed(3)} -> ${row.now.toFixed(3)} ns/param, x${row.ratio.toFixed(3)}`,
    );
  }
  const ratios = results.map((r) => r.ratio);
  const table = [
    '| Optimizer | Params | previous (ns/param) | now (ns/param) | × previous |',
    '|---|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${OPTIONS[r.key][0]}${r.key === 'rmspropCentered' ? ' (centered)' : ''} | ${r.n.toLocaleString('en')} | ${r.previous.toFixed(3)} | ${r.now.toFixed(3)} | ${r.ratio.toFixed(3)} |`,
    ),
  ].join('\n');
  const md = `Command: \`npm run bench:previous -- ${args.filter((a) => a !== '--save').join(' ')}\` (${new Date().toISOString()}, Node ${process.version}).
ravine simd, one tensor, \`opt.step()\`: now (${head.slice(0, 12)}${dirty ? ', with uncommitted changes' : ''}) against ${against} (${previous.sha.slice(0, 12)}), each row the median of ${rounds} fresh processes per build, alternating.
× previous from ${Math.min(...ratios).toFixed(3)} to ${Math.max(...ratios).toFixed(3)} (median ${median(ratios).toFixed(3)}); ${ratios.filter((x) => x > 1.03).length} of ${ratios.length} rows more than 3% slower.

${table}
`;
  const file = join(root, ...(args.includes('--save') ? ['bench', 'results', 'previous.md'] : ['out', 'bench', 'previous.md']));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, md);
  console.log(md);
  console.error(`wrote ${file}`);
}

await main();
