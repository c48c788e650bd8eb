import { describe } from '../describe.js';
import { surface2D, type Surface } from './types.js';

export interface RavineSurfaceOptions {
  /** Condition number κ: the curvature across the ravine over the curvature along it. Default 100. */
  kappa?: number;
  /** Rotation of the ravine's axes, in radians. Default 0. */
  angle?: number;
}

/**
 * The ravine f(w) = ½·(κ·u1² + u2²), u = Rᵀ·w (R the rotation by `angle`): a quadratic bowl κ times
 * steeper across than along, where gradient descent zig-zags. Minimum 0 at the origin; start R·(1, 10),
 * the references' (1, 10) when unrotated.
 */
export function ravine(options: RavineSurfaceOptions = {}): Surface {
  const kappa = options.kappa ?? 100;
  const angle = options.angle ?? 0;
  if (typeof kappa !== 'number' || !(kappa > 0) || !Number.isFinite(kappa)) {
    throw new RangeError(`ravine: kappa must be a finite number > 0, got ${describe(kappa)}`);
  }
  if (typeof angle !== 'number' || !Number.isFinite(angle)) throw new RangeError(`ravine: angle must be a finite number, got ${describe(angle)}`);
  const c = angle === 0 ? 1 : Math.cos(angle),
    s = angle === 0 ? 0 : Math.sin(angle);
  const hxx = kappa * c * c + s * s,
    hxy = (kappa - 1) * c * s,
    hyy = kappa * s * s + c * c;
  return surface2D({
    name: angle === 0 ? `ravine(κ=${kappa})` : `ravine(κ=${kappa}, θ=${angle})`,
    f(x, y) {
      const u1 = c * x + s * y,
        u2 = -s * x + c * y;
      return 0.5 * (kappa * u1 * u1 + u2 * u2);
    },
    grad: (x, y) => [hxx * x + hxy * y, hxy * x + hyy * y],
    hess: () => [hxx, hxy, hyy],
    minima: [[0, 0]],
    minValue: 0,
    start: [c * 1 - s * 10, s * 1 + c * 10],
  });
}
