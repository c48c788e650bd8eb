import { armijo, strongWolfe } from '../linalg/linesearch.js';
import type { Run } from './run.js';
import type { LineSearch } from './types.js';

/**
 * Moves a run's x along a descent direction d by the chosen line search, and brings f and ∇f along.
 * Owns the trial point and the three gradient buffers the strong-Wolfe search rotates through.
 */
export class LineStepper {
  readonly #run: Run;
  readonly #xt: number;
  readonly #slots: number[];
  /** Evaluations (of f) spent by the last search. */
  evaluations = 0;
  /** The step length t of the last accepted step x ← x + t·d. */
  lastT = 0;

  constructor(run: Run, kind: LineSearch) {
    this.#run = run;
    this.#xt = run.ws.alloc();
    // The gradient at a trial point goes to a slot, never straight into g: g stays the last good one.
    this.#slots = kind === 'strongWolfe' ? [run.ws.alloc(), run.ws.alloc(), run.ws.alloc()] : [run.ws.alloc()];
  }

  /** Returns false, leaving x, f and g as they were, when no step along d decreases f. */
  step(kind: LineSearch, d: number, gtd: number, t0: number): boolean {
    const run = this.#run,
      { ws, ev } = run,
      { k, n } = ws;
    const xt = this.#xt,
      x = run.x;
    ev.where = `line search of iteration ${run.iterations + 1}`;
    if (kind === 'none') {
      k.waxpy_f64(xt, x, d, n, 1);
      const f = ev.valueAndGrad(xt, this.#slots[0]);
      ws.copy(x, xt);
      ws.copy(run.g, this.#slots[0]);
      run.f = f;
      this.evaluations = 1;
      this.lastT = 1;
      return true;
    }
    if (kind === 'armijo') {
      const found = armijo((t) => (k.waxpy_f64(xt, x, d, n, t), ev.value(xt)), run.f, gtd, t0);
      this.evaluations = found.evaluations;
      if (!(found.t > 0)) return false;
      ev.grad(xt, this.#slots[0]); // the last trial is the accepted one
      ws.copy(x, xt);
      ws.copy(run.g, this.#slots[0]);
      run.f = found.f;
      this.lastT = found.t;
      return true;
    }
    const slots = this.#slots;
    const found = strongWolfe(
      (t, slot) => {
        k.waxpy_f64(xt, x, d, n, t);
        const f = ev.valueAndGrad(xt, slots[slot]);
        return [f, k.dot_f64(slots[slot], d, n)];
      },
      run.f,
      gtd,
      t0,
      maxAbs(ws.view(d)),
    );
    this.evaluations = found.evaluations;
    if (!(found.t > 0) || found.slot < 0 || !(found.f < run.f)) return false;
    k.axpy_f64(x, d, n, found.t); // x + t·d, the same bits as the trial point
    run.f = found.f;
    ws.copy(run.g, slots[found.slot]);
    this.lastT = found.t;
    return true;
  }
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}
