// Results as rows (one per measurement), derived ratios, and the Markdown/console table.

/**
 * Adds, to every row, its ratio to ravine simd and to the bandwidth bound measured for the same
 * workload, optimizer and size in the same run (time / reference time: 2.0 = twice as slow).
 */
export function addRatios(rows) {
  const key = (r) => `${r.workload}|${r.optimizer}|${r.n}`;
  const simd = new Map(rows.filter((r) => r.impl === 'ravine simd' && r.medianNs).map((r) => [key(r), r.medianNs]));
  const bound = new Map(rows.filter((r) => r.impl === 'bandwidth bound' && r.medianNs).map((r) => [key(r), r.medianNs]));
  for (const r of rows) {
    if (!r.medianNs) continue;
    r.vsSimd = simd.has(key(r)) ? r.medianNs / simd.get(key(r)) : null;
    r.vsBound = bound.has(key(r)) ? r.medianNs / bound.get(key(r)) : null;
  }
  return rows;
}

const fixed = (x, digits) => (x == null ? '—' : x.toFixed(digits));
const sig = (x) => (x == null ? '—' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));

const COLUMNS = [
  ['Workload', (r) => r.workload],
  ['Optimizer', (r) => r.label],
  ['Params', (r) => r.n.toLocaleString('en-US')],
  ['Implementation', (r) => (r.note ? `${r.impl} †` : r.impl)],
  ['ns/param', (r) => (r.error ? `n/a: ${r.error}` : sig(r.nsPerParam))],
  ['± MAD', (r) => (r.error ? '' : `${fixed((100 * r.madNs) / r.medianNs, 1)}%`)],
  ['ns/step', (r) => (r.error ? '' : sig(r.medianNs))],
  ['GB/s', (r) => (r.error || r.bytesPerParam == null ? '' : fixed(r.gbPerS, 1))],
  ['× simd', (r) => (r.error ? '' : fixed(r.vsSimd, 2))],
  ['× bound', (r) => (r.error ? '' : fixed(r.vsBound, 2))],
  ['× previous', (r) => (r.error ? '' : fixed(r.vsPrevious, 2))],
];

export function markdownTable(rows) {
  const lines = [`| ${COLUMNS.map(([h]) => h).join(' | ')} |`, `|${COLUMNS.map(([_h], i) => (i < 4 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) lines.push(`| ${COLUMNS.map(([, cell]) => cell(r)).join(' | ')} |`);
  return [...lines, ...notes(rows)].join('\n');
}

/** † footnotes: implementations that compute a different update than torch's. */
function notes(rows) {
  const seen = new Map(rows.filter((r) => r.note).map((r) => [`${r.impl}|${r.label}`, `† ${r.impl}, ${r.label}: ${r.note}.`]));
  return seen.size ? ['', ...seen.values()] : [];
}

const SUMMARY_IMPLS = [
  ['ravine simd', 'simd'],
  ['ravine simd, 2 threads', 'simd ×2 threads'],
  ['ravine js', 'js'],
  ['naive JS loop', 'naive JS'],
  ['TF.js wasm', 'TF.js wasm'],
  ['TF.js cpu', 'TF.js cpu'],
  ['jax-js wasm (jit)', 'jax-js'],
  ['bandwidth bound', 'bound'],
];

/**
 * One line per workload, optimizer and size: ns/param of the main implementations side by side, and
 * how far ravine simd is from the bound and ahead of TF.js wasm (the README's table).
 */
export function summaryTable(rows) {
  const keys = [...new Map(rows.map((r) => [`${r.workload}|${r.optimizer}|${r.n}`, r])).values()];
  const head = ['Workload', 'Optimizer', 'Params', ...SUMMARY_IMPLS.map(([, short]) => short), 'simd × bound', 'TF.js wasm ÷ simd'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`];
  for (const k of keys) {
    const group = rows.filter((r) => r.workload === k.workload && r.optimizer === k.optimizer && r.n === k.n);
    const get = (impl) => group.find((r) => r.impl === impl);
    const cell = (impl) => {
      const r = get(impl);
      return !r ? '—' : r.error ? 'n/a' : `${sig(r.nsPerParam)}${r.note ? ' †' : ''}`;
    };
    const simd = get('ravine simd'),
      tf = get('TF.js wasm');
    const speedup = simd?.medianNs && tf?.medianNs ? `${(tf.medianNs / simd.medianNs).toFixed(1)}×` : '—';
    lines.push(
      `| ${[k.workload, k.label, k.n.toLocaleString('en-US'), ...SUMMARY_IMPLS.map(([impl]) => cell(impl)), simd?.vsBound ? `${simd.vsBound.toFixed(2)}` : '—', speedup].join(' | ')} |`,
    );
  }
  return [...lines, ...notes(rows)].join('\n');
}

/**
 * Issue 10's rows: the per-call step() of SGD and Adam with and without schedules, and the rows of
 * `workload` (Adam's training options at 1M); "× plain step" is the time over ravine simd's plain step
 * measured beside it (the × simd column).
 */
export function trainingTable(rows, workload) {
  const perCall = rows.filter((r) => r.workload.startsWith('per call') && ['ravine simd', 'ravine simd, scheduled'].includes(r.impl));
  const picked = [...perCall, ...rows.filter((r) => r.workload === workload)];
  const head = ['Workload', 'Optimizer', 'Params', 'Implementation', 'ns/param', '± MAD', 'ns/step', '× plain step'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 4 ? '---' : '---:')).join('|')}|`];
  for (const r of picked) {
    const cells = r.error
      ? [`n/a: ${r.error}`, '', '', '']
      : [sig(r.nsPerParam), `${fixed((100 * r.madNs) / r.medianNs, 1)}%`, sig(r.medianNs), fixed(r.vsSimd, 2)];
    lines.push(`| ${[r.workload, r.label, r.n.toLocaleString('en-US'), r.impl, ...cells].join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The same table, aligned for a terminal. */
export function consoleTable(rows) {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, cell]) => String(cell(r))))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}
