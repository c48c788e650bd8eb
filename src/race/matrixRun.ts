// One racer on the matrix surface: a fresh context, W as a 2-D tensor at W₀, the racer's optimizer, and
// `steps` steps of (gradient, step), recording f per step and the singular values of W and of W − W*.
import { createRavine, type BackendName } from '../index.js';
import type { MatrixProblem } from './matrixProblem.js';
import type { MatrixRacer } from './matrixRacers.js';
import { singularValues } from './svd.js';

export interface MatrixLap {
  racer: MatrixRacer;
  lr: number;
  /** Its hyperparameters in words. */
  note: string;
  /** The first step with f ≤ target, or -1. */
  arrived: number;
  /** Steps taken: all of them, or up to the one where f stopped being finite. */
  steps: number;
  /** f at the end (f* = 0); NaN or Infinity when it diverged. */
  final: number;
  diverged: boolean;
  /** Wall time per step, in microseconds: the gradient and the optimizer's step, not the SVDs. */
  microsPerStep: number;
  backend: BackendName;
  /** f per step, step 0 (W₀) first, up to the last finite one. */
  losses: number[];
  /** The steps at which the spectra were taken, 0 first. */
  spectrumSteps: number[];
  /** σ(W), largest first, at each of spectrumSteps. */
  singularValues: Float64Array[];
  /** σ(W − W*), largest first, at each of spectrumSteps: how far each direction still is from the solution. */
  errorSingularValues: Float64Array[];
}

export interface MatrixLapSettings {
  steps: number;
  /** "Arrived": f ≤ target. */
  target: number;
  backend?: 'auto' | BackendName;
  /** Overrides the racer's own lr. */
  lr?: number;
  /** Called every `every` steps and at the end. */
  onProgress?: (step: number) => void;
  every?: number;
}

/** At most this many spectra per lap: one per step up to 400 steps, evenly spaced beyond (a picture draws no more). */
const maxSpectra = 400;

export async function runMatrixLap(problem: MatrixProblem, racer: MatrixRacer, s: MatrixLapSettings): Promise<MatrixLap> {
  const lr = s.lr ?? racer.lr;
  const rv = await createRavine({ backend: s.backend ?? 'auto' });
  try {
    const w = rv.tensor('W', problem.start, { shape: [problem.rows, problem.cols] });
    const optimizer = racer.create([w], lr, s.steps);
    const spectrumEvery = Math.ceil(s.steps / maxSpectra);
    const lap: MatrixLap = {
      racer,
      lr,
      note: racer.describe(lr, s.steps),
      arrived: -1,
      steps: 0,
      final: problem.loss(w.data),
      diverged: false,
      microsPerStep: 0,
      backend: rv.backend,
      losses: [problem.loss(w.data)],
      spectrumSteps: [],
      singularValues: [],
      errorSingularValues: [],
    };
    const record = (step: number) => {
      const error = Float64Array.from(w.data, (v, i) => v - problem.solution[i]);
      lap.spectrumSteps.push(step);
      lap.singularValues.push(singularValues(w.data, problem.rows, problem.cols));
      lap.errorSingularValues.push(singularValues(error, problem.rows, problem.cols));
    };
    record(0);
    let elapsed = 0;
    const every = s.every ?? 50;
    for (let step = 1; step <= s.steps; step++) {
      const started = performance.now();
      optimizer.zeroGrad();
      problem.gradient(w.data, w.grad);
      optimizer.step();
      elapsed += performance.now() - started;
      const f = problem.loss(w.data);
      lap.steps = step;
      lap.final = f;
      if (!Number.isFinite(f) || !w.data.every(Number.isFinite)) {
        lap.diverged = true;
        break;
      }
      lap.losses.push(f);
      if (lap.arrived < 0 && f <= s.target) lap.arrived = step;
      if (step % spectrumEvery === 0 || step === s.steps) record(step);
      if (step % every === 0) s.onProgress?.(step);
    }
    lap.microsPerStep = (elapsed * 1000) / Math.max(1, lap.steps);
    s.onProgress?.(s.steps);
    optimizer.dispose();
    return lap;
  } finally {
    rv.dispose();
  }
}
