// What the pictures are told about the matrix race: each lap's f per step as a loss Run (f* = 0), and its
// singular values over time (of W, or of the error W − W*) as a SpectrumRun.
import type { Run, SpectrumRun } from '../plot/index.js';
import type { MatrixLap } from './matrixRun.js';

const noteOf = (lap: MatrixLap) => (lap.diverged ? `${lap.note}; diverged at step ${lap.steps}` : lap.note);

export function matrixLossRuns(laps: readonly MatrixLap[]): Run[] {
  return laps.map((lap) => ({ label: lap.racer.label, color: lap.racer.color, points: [], losses: lap.losses, note: noteOf(lap) }));
}

/** σ(W) (`'weights'`) or σ(W − W*) (`'error'`) per lap, at the steps the lap recorded them. */
export function matrixSpectra(laps: readonly MatrixLap[], of: 'weights' | 'error'): SpectrumRun[] {
  return laps.map((lap) => ({
    label: lap.racer.label,
    color: lap.racer.color,
    note: noteOf(lap),
    steps: lap.spectrumSteps,
    values: of === 'weights' ? lap.singularValues : lap.errorSingularValues,
  }));
}
