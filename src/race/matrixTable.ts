// The matrix race's table: one row per lap, in formatTable's layout (names and the backend left, numbers
// right). Beside f, the spread of the error over directions: σ(W − W*) from its largest to its smallest.
import type { MatrixLap } from './matrixRun.js';

export interface MatrixTableContext {
  steps: number;
  target: number;
}

/** The table's rows, header first: every cell a string. */
export function matrixTableRows(laps: readonly MatrixLap[], c: MatrixTableContext): string[][] {
  const target = c.target < 1e-3 ? c.target.toExponential() : String(c.target);
  return [
    ['optimizer', 'lr', `steps to ${target}`, 'final f', 'σ(W − W*) max…min', 'µs/step', 'backend'],
    ...laps.map((lap) => {
      const error = lap.errorSingularValues.at(-1)!;
      return [
        lap.racer.label,
        String(lap.lr),
        lap.arrived >= 0 ? String(lap.arrived) : lap.diverged ? '–' : `not in ${c.steps}`,
        lap.diverged ? 'diverged' : lap.final.toExponential(2),
        lap.diverged ? '–' : `${error[0].toExponential(1)}…${error[error.length - 1].toExponential(1)}`,
        lap.microsPerStep < 10 ? lap.microsPerStep.toFixed(2) : lap.microsPerStep.toFixed(0),
        lap.backend,
      ];
    }),
  ];
}
