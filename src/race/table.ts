// The race's table in plain text: one row per lap, columns aligned, numbers a reader (or a test) can parse.
import type { Lap } from './run.js';

export interface TableContext {
  steps: number;
  target: number;
  backend: string;
}

const COLUMNS = ['optimizer', 'lr', 'steps to target', 'final f − f*', 'µs/step', 'fallbacks', 'backend', 'status'];

/** The table's rows, header first: every cell a string. */
export function tableRows(laps: readonly Lap[], c: TableContext): string[][] {
  const header = [...COLUMNS];
  header[2] = `steps to ${c.target < 1e-3 ? c.target.toExponential() : c.target}`;
  return [
    header,
    ...laps.map((lap) => [
      lap.racer.label,
      Number.isNaN(lap.lr) ? '–' : String(lap.lr),
      lap.arrived >= 0 ? String(lap.arrived) : lap.diverged ? '–' : `not in ${c.steps}`,
      lap.diverged ? 'diverged' : lap.gap.toExponential(2),
      lap.microsPerStep < 10 ? lap.microsPerStep.toFixed(2) : lap.microsPerStep.toFixed(0),
      lap.racer.key.startsWith('newton') ? String(lap.fallbacks) : '–',
      c.backend,
      lap.diverged ? `diverged at step ${lap.steps}` : lap.status,
    ]),
  ];
}

/** The rows as aligned text: names left, numbers right. */
export function formatTable(rows: readonly string[][]): string {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const leftAligned = new Set([0, 6, 7]);
  return rows
    .map((r) =>
      r
        .map((cell, j) => (leftAligned.has(j) ? cell.padEnd(widths[j]) : cell.padStart(widths[j])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
