// Line searches along a descent direction d from x: φ(t) = f(x + t·d), φ'(t) = ∇f(x + t·d)·d.

/**
 * The function along the line. `evaluate` computes f(x + t·d), writes the gradient into gradient buffer
 * `slot` (0, 1 or 2) and returns [f, φ'(t)]. Slot −1 names the gradient at x itself. A search never
 * writes a slot it may still return, so the caller finds the accepted point's gradient in `slot`.
 */
export type LineFunction = (t: number, slot: number) => readonly [number, number];

export interface LineSearchResult {
  t: number;
  f: number;
  slot: number;
  evaluations: number;
}

/** Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to the bounds: torch's _cubic_interpolate. */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

export interface StrongWolfeOptions {
  c1?: number;
  c2?: number;
  tolChange?: number;
  maxEvaluations?: number;
}

const otherSlot = (a: number, b = -1): number => (a !== 0 && b !== 0 ? 0 : a !== 1 && b !== 1 ? 1 : 2);

/**
 * A point satisfying the strong Wolfe conditions f(t) ≤ f(0) + c1·t·φ'(0) and |φ'(t)| ≤ c2·|φ'(0)|:
 * bracketing with cubic extrapolation, then zoom with cubic interpolation (Nocedal & Wright, Alg. 3.5/3.6),
 * step for step as torch.optim.lbfgs._strong_wolfe (c1 = 1e-4, c2 = 0.9, 25 evaluations), so ravine's
 * L-BFGS reproduces torch's. `dNorm` is max|dᵢ|, for the bracket-size tolerance.
 */
export function strongWolfe(phi: LineFunction, f: number, gtd: number, t: number, dNorm: number, options: StrongWolfeOptions = {}): LineSearchResult {
  const c1 = options.c1 ?? 1e-4,
    c2 = options.c2 ?? 0.9,
    tolChange = options.tolChange ?? 1e-9;
  const maxLs = options.maxEvaluations ?? 25;
  let slotNew = 0;
  let [fNew, gtdNew] = phi(t, slotNew);
  let evaluations = 1;
  let tPrev = 0,
    fPrev = f,
    gtdPrev = gtd,
    slotPrev = -1;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [],
    bracketF: number[] = [],
    bracketGtd: number[] = [],
    bracketSlot: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketSlot, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [slotPrev, slotNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bracketF, bracketSlot, bracketGtd] = [[t], [fNew], [slotNew], [gtdNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketSlot, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [slotPrev, slotNew],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev),
      maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    [tPrev, fPrev, slotPrev, gtdPrev] = [tmp, fNew, slotNew, gtdNew];
    slotNew = otherSlot(slotPrev);
    [fNew, gtdNew] = phi(t, slotNew);
    evaluations++;
    lsIter++;
  }
  if (lsIter === maxLs)
    [bracket, bracketF, bracketSlot, bracketGtd] = [
      [0, t],
      [f, fNew],
      [-1, slotNew],
      [gtd, gtdNew],
    ];

  let insufficientProgress = false;
  let [low, high] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < tolChange) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    // Too close to an end of the bracket (twice, or outside it): move 10% of its length inside.
    const hi = Math.max(bracket[0], bracket[1]),
      lo = Math.min(bracket[0], bracket[1]);
    const eps = 0.1 * (hi - lo);
    if (Math.min(hi - t, t - lo) < eps) {
      if (insufficientProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    slotNew = otherSlot(bracketSlot[0], bracketSlot[1]);
    [fNew, gtdNew] = phi(t, slotNew);
    evaluations++;
    lsIter++;
    if (fNew > f + c1 * t * gtd || fNew >= bracketF[low]) {
      [bracket[high], bracketF[high], bracketSlot[high], bracketGtd[high]] = [t, fNew, slotNew, gtdNew];
      [low, high] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        [bracket[high], bracketF[high], bracketSlot[high], bracketGtd[high]] = [bracket[low], bracketF[low], bracketSlot[low], bracketGtd[low]];
      }
      [bracket[low], bracketF[low], bracketSlot[low], bracketGtd[low]] = [t, fNew, slotNew, gtdNew];
    }
  }
  return { t: bracket[low], f: bracketF[low], slot: bracketSlot[low], evaluations };
}

/** Evaluates f only (the gradient is taken once, at the accepted point). */
export type ValueFunction = (t: number) => number;

export interface ArmijoOptions {
  c1?: number;
  maxEvaluations?: number;
}

/**
 * Backtracking to sufficient decrease f(t) ≤ f(0) + c1·t·φ'(0) (Armijo; Nocedal & Wright Alg. 3.1),
 * each trial the minimiser of the quadratic through f(0), φ'(0), f(t), kept within [0.1·t, 0.5·t].
 * Returns t = 0 when no step in `maxEvaluations` trials decreases f enough.
 */
export function armijo(value: ValueFunction, f: number, gtd: number, t: number, options: ArmijoOptions = {}): { t: number; f: number; evaluations: number } {
  const c1 = options.c1 ?? 1e-4,
    maxEvaluations = options.maxEvaluations ?? 50;
  for (let evaluations = 1; evaluations <= maxEvaluations; evaluations++) {
    const fNew = value(t);
    if (fNew <= f + c1 * t * gtd) return { t, f: fNew, evaluations };
    const quadratic = (-gtd * t * t) / (2 * (fNew - f - gtd * t));
    t = Math.min(Math.max(quadratic, 0.1 * t), 0.5 * t);
  }
  return { t: 0, f, evaluations: maxEvaluations };
}
