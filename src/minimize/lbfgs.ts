import type { Run } from './run.js';
import { twoLoop } from '../linalg/twoLoop.js';
import { LineStepper } from './step.js';
import type { MinimizeResult } from './types.js';

/**
 * Limited-memory BFGS (Nocedal 1980; Liu & Nocedal 1989): d = −H·g by the two-loop recursion over the
 * last m pairs s = x₊ − x, y = g₊ − g (pairs with y·s ≤ 1e-10 skipped, as torch does), initial scaling
 * γ = s·y / y·y, then a strong-Wolfe line search from t = 1 (the first step: t = min(1, 1/‖g‖₂)).
 * Memory: 2m + 7 vectors of n float64 (history, x, g, d, trial point, three line-search gradients).
 */
export function lbfgs(run: Run): MinimizeResult {
  const { ws, settings } = run,
    { k, n } = ws,
    m = settings.history;
  const kind = settings.lineSearch;
  const d = ws.alloc();
  const S = Array.from({ length: m }, () => ws.alloc()),
    Y = Array.from({ length: m }, () => ws.alloc());
  const rho = new Float64Array(m),
    alpha = new Float64Array(m),
    r = new Float64Array(m);
  const s: number[] = [],
    y: number[] = [];
  const stepper = new LineStepper(run, kind);
  let count = 0,
    newest = -1,
    gamma = 1;
  const gOld = ws.alloc();
  if (run.start()) return run.converged();
  while (run.iterations < settings.maxIter) {
    // d = −H·g by the two-loop recursion over the ring's pairs, oldest first.
    ws.copy(d, run.g);
    k.scale_f64(d, n, -1);
    for (let j = 0; j < count; j++) {
      const i = (newest - count + 1 + j + m) % m;
      s[j] = S[i];
      y[j] = Y[i];
      r[j] = rho[i];
    }
    s.length = y.length = count;
    twoLoop(k, n, d, s, y, r, gamma, alpha);
    let gtd = k.dot_f64(run.g, d, n);
    if (!(gtd < 0)) {
      // Not a descent direction (rounding in a stale history): forget it, go downhill.
      count = 0;
      gamma = 1;
      ws.copy(d, run.g);
      k.scale_f64(d, n, -1);
      gtd = -run.gradNorm * run.gradNorm;
    }
    const t0 = count === 0 ? Math.min(1, 1 / run.gradNorm) : 1;
    const fOld = run.f;
    ws.copy(gOld, run.g);
    if (!stepper.step(kind, d, gtd, t0)) {
      if (count === 0)
        return run.result('lineSearchFailed', `no step along −∇f decreased f at iteration ${run.iterations + 1} (f = ${fOld}, ‖∇f‖ = ${run.gradNorm})`);
      count = 0; // retry once from steepest descent
      gamma = 1;
      continue;
    }
    // The new pair: s = t·d, y = g₊ − g.
    const slot = (newest + 1) % m;
    ws.copy(Y[slot], run.g);
    k.axpy_f64(Y[slot], gOld, n, -1);
    ws.copy(S[slot], d);
    k.scale_f64(S[slot], n, stepper.lastT);
    const ys = k.dot_f64(Y[slot], S[slot], n);
    if (ys > 1e-10) {
      rho[slot] = 1 / ys;
      gamma = ys / k.dot_f64(Y[slot], Y[slot], n);
      newest = slot;
      count = Math.min(count + 1, m);
    }
    if (run.iterated()) return run.converged();
  }
  return run.maxIterations();
}
