import type { Run } from './run.js';
import { LineStepper } from './step.js';
import type { MinimizeResult } from './types.js';

const EPS = 2 ** -52;

/**
 * Truncated (Hessian-free) Newton: conjugate gradients on H·d = −g from d = 0, using H·v products (the
 * problem's `hvp`, else a forward difference of gradients), stopped at ‖r‖ ≤ min(0.5, √‖g‖)·‖g‖ (a
 * superlinear forcing term, Nocedal & Wright §7.1) or at negative curvature as SciPy's Newton-CG does:
 * the CG iterate so far, or on the first CG iteration the steepest-descent step scaled by |pᵀHp|.
 * Each iteration meeting negative curvature counts as a fallback. Then a line search from t = 1.
 */
export function newtonCG(run: Run, hasHvp: boolean): MinimizeResult {
  const { ws, settings, ev } = run,
    { k, n } = ws;
  const d = ws.alloc(),
    r = ws.alloc(),
    p = ws.alloc(),
    Hp = ws.alloc();
  const xe = hasHvp ? 0 : ws.alloc();
  const stepper = new LineStepper(run, settings.lineSearch);
  const cgMaxIter = 20 * n;
  const hvp = hasHvp
    ? () => ev.hvp(run.x, p, Hp)
    : () => {
        // H·p ≈ (∇f(x + ε·p) − ∇f(x)) / ε, ε relative to x and p.
        const eps = (Math.sqrt(EPS) * (1 + ws.norm(run.x))) / ws.norm(p);
        k.waxpy_f64(xe, run.x, p, n, eps);
        ev.grad(xe, Hp);
        k.axpy_f64(Hp, run.g, n, -1);
        k.scale_f64(Hp, n, 1 / eps);
      };
  if (run.start()) return run.converged();
  while (run.iterations < settings.maxIter) {
    const gNorm = run.gradNorm;
    const termCond = Math.min(0.5, Math.sqrt(gNorm)) * gNorm;
    ws.h.fill(0, d >>> 3, (d >>> 3) + n);
    ws.copy(r, run.g);
    ws.copy(p, run.g);
    k.scale_f64(p, n, -1);
    let rr = gNorm * gNorm;
    for (let i = 0; i < cgMaxIter && Math.sqrt(rr) > termCond; i++) {
      hvp();
      const curvature = k.dot_f64(p, Hp, n);
      if (curvature >= 0 && curvature <= 3 * EPS) break;
      if (curvature < 0) {
        run.fallbacks++;
        if (i === 0) k.axpby_f64(d, run.g, n, -(rr / -curvature), 0); // steepest descent, SciPy's step length
        break;
      }
      const alpha = rr / curvature;
      k.axpy_f64(d, p, n, alpha);
      k.axpy_f64(r, Hp, n, alpha);
      const rrNext = k.dot_f64(r, r, n);
      k.axpby_f64(p, r, n, -1, rrNext / rr);
      rr = rrNext;
    }
    let gtd = k.dot_f64(run.g, d, n);
    if (!(gtd < 0)) {
      ws.copy(d, run.g);
      k.scale_f64(d, n, -1);
      gtd = -gNorm * gNorm;
    }
    if (!stepper.step(settings.lineSearch, d, gtd, 1)) {
      return run.result(
        'lineSearchFailed',
        `no step along the Newton-CG direction decreased f at iteration ${run.iterations + 1} (f = ${run.f}, ‖∇f‖ = ${run.gradNorm})`,
      );
    }
    if (run.iterated()) return run.converged();
  }
  return run.maxIterations();
}
