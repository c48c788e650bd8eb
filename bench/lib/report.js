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
  ['Implementation', (r) => r.impl],
  ['ns/param', (r) => (r.error ? `n/a: ${r.error}` : sig(r.nsPerParam))],
  ['± MAD', (r) => (r.error ? '' : `${fixed((100 * r.madNs) / r.medianNs, 1)}%`)],
  ['ns/step', (r) => (r.error ? '' : sig(r.medianNs))],
  ['GB/s', (r) => (r.error || r.bytesPerParam == null ? '' : fixed(r.gbPerS, 1))],
  ['× simd', (r) => (r.error ? '' : fixed(r.vsSimd, 2))],
  ['× bound', (r) => (r.error ? '' : fixed(r.vsBound, 2))],
];

export function markdownTable(rows) {
  const lines = [`| ${COLUMNS.map(([h]) => h).join(' | ')} |`, `|${COLUMNS.map(([h], i) => (i < 4 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) lines.push(`| ${COLUMNS.map(([, cell]) => cell(r)).join(' | ')} |`);
  return lines.join('\n');
}

/** The same table, aligned for a terminal. */
export function consoleTable(rows) {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, cell]) => String(cell(r))))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  return cells.map((row) => row.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}
