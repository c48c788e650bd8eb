// One racer down one track: `minimize` with the racer's options, recording the path, f − f* per step,
// the first step at or below the target, the time per step and whether it diverged.
import { minimize, type MinimizeResult, type Ravine } from '../index.js';
import type { Hyperparameters, Racer } from './racers.js';
import type { Track } from './tracks.js';

export interface Lap {
  racer: Racer;
  /** The learning rate used (NaN for second-order racers). */
  lr: number;
  /** Its hyperparameters in words. */
  note: string;
  /** The first step with f − f* ≤ target, or -1. */
  arrived: number;
  steps: number;
  /** f − f* at the end (NaN or ±Infinity when it diverged). */
  gap: number;
  /** Wall time per step, in microseconds (the whole run, evaluations of f and ∇f included). */
  microsPerStep: number;
  fallbacks: number;
  status: MinimizeResult['status'];
  /** True when f, ∇f or the iterate stopped being finite. */
  diverged: boolean;
  /** The iterates, x0 first, up to the last finite one. */
  points: [number, number][];
  /** f − f* per step, step 0 first, up to the last finite one. */
  losses: number[];
}

export interface LapSettings {
  rv: Ravine;
  hyper: Hyperparameters;
  steps: number;
  /** "Arrived": f − f* ≤ target. */
  target: number;
  start?: readonly [number, number];
  /** Called every `every` steps and at the end. */
  onProgress?: (step: number) => void;
  every?: number;
}

export function runLap(track: Track, racer: Racer, s: LapSettings): Lap {
  const fStar = track.surface.minValue ?? 0;
  const lr = racer.firstOrder ? (s.hyper.lr[racer.key] ?? track.lr[racer.key]) : NaN;
  const points: [number, number][] = [],
    losses: number[] = [];
  let arrived = -1;
  const every = s.every ?? 100;
  const started = performance.now();
  const result = minimize(track.surface, s.start, {
    ...racer.options(s.hyper, lr),
    maxIter: s.steps,
    ravine: s.rv,
    onIteration({ iteration, x, f }) {
      if (Number.isFinite(f) && Number.isFinite(x[0]) && Number.isFinite(x[1])) {
        points.push([x[0], x[1]]);
        losses.push(f - fStar);
      }
      if (arrived < 0 && f - fStar <= s.target) arrived = iteration;
      if (iteration % every === 0) s.onProgress?.(iteration);
    },
  });
  const micros = ((performance.now() - started) * 1000) / Math.max(1, result.iterations);
  s.onProgress?.(result.iterations);
  const diverged = result.status === 'nonFinite' || !Number.isFinite(result.f);
  if (diverged) keepUntilBlownUp(points, losses);
  return {
    racer,
    lr,
    note: racer.describe(s.hyper, lr),
    arrived,
    steps: result.iterations,
    gap: result.f - fStar,
    microsPerStep: micros,
    fallbacks: result.fallbacks,
    status: result.status,
    diverged,
    points,
    losses,
  };
}

/** A diverging run climbs through 1e90 before NaN: keep its path until f − f* exceeds 100× its start. */
function keepUntilBlownUp(points: unknown[], losses: number[]): void {
  const limit = 100 * Math.max(losses[0] ?? 0, 1);
  const end = losses.findIndex((l) => l > limit);
  if (end < 0) return;
  points.length = end;
  losses.length = end;
}
