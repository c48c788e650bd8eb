// The matrix surface of `ravine race`: every matrix racer on ½‖A·W − B‖²_F, a table, and three pictures
// (f per step, σ(W) over time, σ(W − W*) over time) as SVG and PNG.
import type { BackendName } from '../index.js';
import type { Plot } from '../plot/load.js';
import {
  formatTable,
  matrixLossRuns,
  matrixSpectra,
  matrixTableRows,
  runMatrixLap,
  type MatrixLap,
  type MatrixProblem,
  type MatrixRacer,
} from '../race/index.js';
import { writePictures } from './output.js';
import { lapDone, progress } from './progress.js';

export interface MatrixRaceSettings {
  problem: MatrixProblem;
  racers: readonly MatrixRacer[];
  /** Learning rates by racer key, over the racers' own. */
  lr: Readonly<Record<string, number>>;
  steps: number;
  target: number;
  backend: 'auto' | BackendName;
}

/** The problem in words, for the table's heading and the pictures' titles. */
export function matrixTitle(p: MatrixProblem): string {
  return `matrix ½‖A·W − B‖², W ${p.rows}×${p.cols}, curvatures 1…${p.kappa} along A's singular vectors`;
}

export async function raceMatrix(s: MatrixRaceSettings, counter: { done: number; total: number }): Promise<MatrixLap[]> {
  const laps: MatrixLap[] = [];
  for (const racer of s.racers) {
    counter.done++;
    const label = `[${counter.done}/${counter.total}] ${racer.label} on matrix`;
    const lap = await runMatrixLap(s.problem, racer, {
      steps: s.steps,
      target: s.target,
      backend: s.backend,
      lr: s.lr[racer.key],
      onProgress: progress(label, s.steps),
    });
    lapDone(label, lap.steps, s.steps);
    laps.push(lap);
  }
  const title = matrixTitle(s.problem);
  console.log(`\n${title}, from W = 0, ${s.steps} steps\n`);
  console.log(formatTable(matrixTableRows(laps, { steps: s.steps, target: s.target })));
  for (const lap of laps.filter((l) => l.diverged)) {
    console.log(`${lap.racer.label} diverged on matrix at step ${lap.steps} (${lap.note}): f became non-finite; the others ran on`);
  }
  return laps;
}

export function drawMatrix(plot: Plot, problem: MatrixProblem, laps: readonly MatrixLap[], dir: string): string[] {
  const title = matrixTitle(problem);
  const pictures: [string, string][] = [
    ['matrix-loss', plot.lossSvg(`${title}: f per step (f* = 0)`, matrixLossRuns(laps))],
    [
      'matrix-spectrum',
      plot.spectrumSvg(`${title}:\nthe singular values of W over the steps, from W = 0`, matrixSpectra(laps, 'weights'), {
        yLabel: 'σᵢ(W) (log)',
        reference: problem.solutionSingularValues,
        referenceLabel: 'σᵢ(W*), where they should end',
        steps: 'log',
        caption: "W starts at 0, where σ has no logarithm. A Muon step has every singular value equal: its σᵢ rise together, then part to meet W*'s.",
      }),
    ],
    [
      'matrix-error',
      plot.spectrumSvg(`${title}:\nthe singular values of the error W − W* over the steps`, matrixSpectra(laps, 'error'), {
        yLabel: 'σᵢ(W − W*) (log)',
        caption: 'Along a direction of curvature λ, GD shrinks the error by 1 − lr·λ a step: its σᵢ fan out by curvature (1 to 100 here).',
      }),
    ],
  ];
  return writePictures(plot, dir, pictures);
}
