// What the plots are told about a track and its laps: the surface as f(x, y), its minimum and start, a
// window that holds the paths worth seeing, and one Run per lap.
import type { Run, SurfaceView } from '../plot/index.js';
import type { Lap } from './run.js';
import type { Track } from './tracks.js';

/**
 * The window: the start, the minimum, and every point of a lap that did not diverge and stays below the
 * start's level (a path that climbs out would shrink the picture to nothing), padded by 10 %.
 */
export function surfaceView(track: Track, laps: readonly Lap[], start: readonly [number, number]): SurfaceView {
  const { surface } = track,
    fStar = surface.minValue ?? 0;
  const minimum: [number, number] = surface.minimum ? [surface.minimum[0], surface.minimum[1]] : [start[0], start[1]];
  const f = (x: number, y: number) => surface.f(Float64Array.of(x, y));
  const ceiling = f(start[0], start[1]) - fStar;
  const seen = [start, minimum, ...laps.filter((l) => !l.diverged).flatMap((l) => l.points.filter((_, i) => l.losses[i] <= ceiling))];
  const span = (k: 0 | 1): [number, number] => {
    const lo = Math.min(...seen.map((p) => p[k])),
      hi = Math.max(...seen.map((p) => p[k]));
    const pad = 0.1 * Math.max(hi - lo, 1e-3);
    return [lo - pad, hi + pad];
  };
  return { title: track.title, f, fStar, minimum, start: [start[0], start[1]], x: span(0), y: span(1) };
}

/** One Run per lap: its label, path and f − f* per step, its hyperparameters as the note. */
export function plotRuns(laps: readonly Lap[]): Run[] {
  return laps.map((lap) => ({
    label: lap.racer.label,
    color: lap.racer.color,
    points: lap.points,
    losses: lap.losses,
    note: lap.diverged ? `${lap.note}; diverged at step ${lap.steps}` : lap.note,
  }));
}
