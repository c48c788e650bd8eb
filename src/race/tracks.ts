// The race's surfaces: the κ ravine, Rosenbrock's banana, and the winding valley where Newton's Hessian
// turns indefinite on the way; each with its classic start and the learning rates that converge on it.
import { surfaces, type Surface } from '../index.js';

export interface Track {
  /** The command-line name and the files' stem. */
  key: string;
  /** The surface in words (its formula), for titles. */
  title: string;
  surface: Surface;
  /**
   * Learning rates per first-order racer: the fastest of a grid (0.0002 … 0.3) that converges here, or
   * the best where none reaches f − f* ≤ 1e-6 in 5000 steps (GD and RMSProp on Rosenbrock and the valley).
   */
  lr: Readonly<Record<string, number>>;
}

export interface TrackOptions {
  /** The ravine's condition number (default 100) and rotation in radians (default 0). */
  kappa?: number;
  angle?: number;
}

const tracks: Record<string, (o: TrackOptions) => Track> = {
  ravine: ({ kappa = 100, angle = 0 }) => ({
    key: 'ravine',
    title: angle ? `ravine 0.5·(${kappa}·u1² + u2²) in axes u rotated ${angle} rad, κ = ${kappa}` : `ravine 0.5·(${kappa}·w1² + w2²), κ = ${kappa}`,
    surface: surfaces.ravine({ kappa, angle }),
    // GD: 2/(L + μ), the optimal constant step on a quadratic with curvatures κ and 1.
    lr: {
      gd: Number((2 / (kappa + 1)).toPrecision(3)),
      momentum: Number((1 / kappa).toPrecision(3)),
      nesterov: Number((1 / kappa).toPrecision(3)),
      rmsprop: 0.1,
      adam: 0.1,
    },
  }),
  rosenbrock: () => ({
    key: 'rosenbrock',
    title: 'Rosenbrock 100·(y − x²)² + (1 − x)²',
    surface: surfaces.rosenbrock(),
    lr: { gd: 0.002, momentum: 0.002, nesterov: 0.001, rmsprop: 0.001, adam: 0.1 },
  }),
  valley: () => ({
    key: 'valley',
    title: 'valley 50·(y − sin x)² + 0.05·x² (indefinite Hessian on the bends)',
    surface: surfaces.valley(),
    lr: { gd: 0.01, momentum: 0.01, nesterov: 0.005, rmsprop: 0.005, adam: 0.1 },
  }),
};

export const trackKeys: readonly string[] = Object.keys(tracks);

/** The track called `key` (one of `trackKeys`). */
export function track(key: string, options: TrackOptions = {}): Track {
  const make = tracks[key];
  if (make === undefined) throw new RangeError(`unknown surface '${key}' (surfaces are ${trackKeys.join(', ')})`);
  return make(options);
}
