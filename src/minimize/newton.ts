import type { Run } from './run.js';
import { LineStepper } from './step.js';
import type { MinimizeResult } from './types.js';

/** A pivot below this fraction of the largest |H_ii| counts as tiny curvature: H is not usable as is. */
const RELATIVE_MIN_PIVOT = 1e-10;
/** The smallest shift, relative to the Hessian's scale (Nocedal & Wright's β = 1e-3). */
const SHIFT_BETA = 1e-3;
const MAX_SHIFTS = 60;

/**
 * Newton's method: H·d = −g by Cholesky (f64x2 kernels for the factor and both triangular solves),
 * then a line search from t = 1. Where the factorisation fails (negative or tiny curvature) the
 * fallback fires: 'shift' factors H + λI, λ from max(β, β − min H_ii, last λ / 4), ×10 until it
 * factors (Nocedal & Wright, Alg. 3.3, with λ adapted from the previous shift); 'gradient' takes −g.
 */
export function newton(run: Run): MinimizeResult {
  const { ws, settings } = run,
    { k, n } = ws;
  const H = ws.alloc(n * n),
    L = ws.alloc(n * n),
    d = ws.alloc();
  const stepper = new LineStepper(run, settings.lineSearch);
  let lambda = 0;
  if (run.start()) return run.converged();
  while (run.iterations < settings.maxIter) {
    run.ev.hess(run.x, H);
    const h = ws.h,
      at = H >>> 3;
    let maxDiag = 0,
      minDiag = Infinity;
    for (let i = 0; i < n; i++) {
      const hii = h[at + i * n + i];
      maxDiag = Math.max(maxDiag, Math.abs(hii));
      minDiag = Math.min(minDiag, hii);
    }
    const scale = Math.max(1, maxDiag);
    let factored = factor(run, H, L, 0, RELATIVE_MIN_PIVOT * scale);
    if (!factored) {
      run.fallbacks++;
      if (settings.fallback === 'shift') {
        const beta = SHIFT_BETA * scale;
        lambda = Math.max(beta, beta - minDiag, lambda / 4);
        for (let tries = 0; tries < MAX_SHIFTS && !factored; tries++) {
          factored = factor(run, H, L, lambda, RELATIVE_MIN_PIVOT * (scale + lambda));
          if (!factored) lambda *= 10;
        }
      }
    } else {
      lambda = 0;
    }
    ws.copy(d, run.g);
    k.scale_f64(d, n, -1);
    if (factored) {
      k.solve_lower_f64(L, d, n);
      k.solve_lower_transpose_f64(L, d, n);
    }
    let gtd = k.dot_f64(run.g, d, n);
    if (!(gtd < 0)) {
      ws.copy(d, run.g);
      k.scale_f64(d, n, -1);
      gtd = -run.gradNorm * run.gradNorm;
    }
    if (!stepper.step(settings.lineSearch, d, gtd, 1)) {
      return run.result(
        'lineSearchFailed',
        `no step along the Newton direction decreased f at iteration ${run.iterations + 1} (f = ${run.f}, ‖∇f‖ = ${run.gradNorm})`,
      );
    }
    if (run.iterated()) return run.converged();
  }
  return run.maxIterations();
}

/** L ← Cholesky factor of H + shift·I; false when a pivot is not above minPivot. */
function factor(run: Run, H: number, L: number, shift: number, minPivot: number): boolean {
  const { ws } = run,
    n = ws.n;
  ws.copy(L, H, n * n);
  if (shift !== 0) {
    const h = ws.h,
      at = L >>> 3;
    for (let i = 0; i < n; i++) h[at + i * n + i] += shift;
  }
  return ws.k.cholesky_f64(L, n, minPivot) < 0;
}
