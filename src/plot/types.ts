// What the race hands the pictures: a surface to draw and the runs to overlay on it.

/** One optimizer's run: its iterates and its f − f* per step (step 0 first). */
export interface Run {
  label: string;
  points: readonly (readonly [number, number])[];
  /** f − f* per step, step 0 first. */
  losses: readonly number[];
  /** Shown after the label, e.g. 'diverged at step 12'. */
  note?: string;
  /** Overrides the palette colour (keep it the same in every picture). */
  color?: string;
}

/** A 2-D surface and the part of the plane to draw. */
export interface SurfaceView {
  /** Surface, κ, hyperparameters; '\n' starts a new line. */
  title: string;
  f: (x: number, y: number) => number;
  fStar: number;
  minimum: readonly [number, number];
  start: readonly [number, number];
  /** The domain to draw. */
  x: readonly [number, number];
  y: readonly [number, number];
}
