import type { Problem } from '../surfaces/types.js';
import { describe } from '../describe.js';
import type { Workspace } from '../linalg/workspace.js';

/** Thrown inside a run when the user's function gives a non-finite number; the run ends 'nonFinite'. */
export class NonFiniteSignal extends Error {}

export interface Evaluations {
  f: number;
  grad: number;
  hess: number;
  hvp: number;
}

const MAX_SHOWN = 6;

function show(x: Float64Array): string {
  const head = Array.from(x.subarray(0, MAX_SHOWN), (v) => String(v)).join(', ');
  return x.length > MAX_SHOWN ? `[${head}, … (${x.length} values)]` : `[${head}]`;
}

/**
 * Calls the user's problem on workspace vectors: counts every call, copies returned arrays into place
 * (checking their size), and stops the run on any non-finite value, saying where.
 */
export class Evaluator {
  readonly counts: Evaluations = { f: 0, grad: 0, hess: 0, hvp: 0 };
  /** Where we are, for messages: 'iteration 3', 'line search of iteration 3', ... */
  where = 'x0';
  readonly #problem: Problem;
  readonly #ws: Workspace;

  constructor(problem: Problem, ws: Workspace) {
    this.#problem = problem;
    this.#ws = ws;
  }

  value(x: number): number {
    const xs = this.#ws.view(x);
    this.counts.f++;
    const f = this.#problem.f(xs);
    if (typeof f !== 'number') throw new TypeError(`problem.f must return a number, got ${describe(f)}`);
    if (!Number.isFinite(f)) throw new NonFiniteSignal(`f(x) = ${f} at ${this.where}, x = ${show(xs)}`);
    return f;
  }

  grad(x: number, out: number): void {
    const xs = this.#ws.view(x),
      gs = this.#ws.view(out);
    this.counts.grad++;
    this.#take('grad', this.#problem.grad(xs, gs), gs);
    this.#checkFinite('gradient', gs, xs);
  }

  /** f and ∇f at x (the gradient into `out`), f first. */
  valueAndGrad(x: number, out: number): number {
    const f = this.value(x);
    this.grad(x, out);
    return f;
  }

  hess(x: number, out: number): void {
    const n = this.#ws.n;
    const xs = this.#ws.view(x),
      hs = this.#ws.view(out, n * n);
    this.counts.hess++;
    const returned = this.#problem.hess!(xs, hs);
    if (returned != null && typeof (returned as ArrayLike<unknown>)[0] === 'object') {
      const rows = returned as ArrayLike<ArrayLike<number>>;
      if (rows.length !== n) throw new RangeError(`problem.hess returned ${rows.length} rows, expected ${n} (an ${n}×${n} Hessian)`);
      for (let i = 0; i < n; i++) {
        if (rows[i]?.length !== n) throw new RangeError(`problem.hess returned row ${i} of length ${describe(rows[i]?.length)}, expected ${n}`);
        hs.set(rows[i], i * n);
      }
    } else {
      this.#take('hess', returned as ArrayLike<number> | undefined, hs, `an ${n}×${n} Hessian, row-major`);
    }
    this.#checkFinite('Hessian', hs, xs);
  }

  hvp(x: number, v: number, out: number): void {
    const xs = this.#ws.view(x),
      vs = this.#ws.view(v),
      os = this.#ws.view(out);
    this.counts.hvp++;
    this.#take('hvp', this.#problem.hvp!(xs, vs, os), os);
    this.#checkFinite('Hessian-vector product', os, xs);
  }

  // biome-ignore lint/suspicious/noConfusingVoidType: what a Problem's callback returns (src/surfaces/types.ts)
  #take(name: string, returned: ArrayLike<number> | undefined | void, out: Float64Array, what = `${out.length} values`): void {
    if (returned == null || returned === out) return;
    if (typeof returned !== 'object' || typeof returned.length !== 'number') {
      throw new TypeError(`problem.${name} must write into its out array or return an array, got ${describe(returned)}`);
    }
    if (returned.length !== out.length) throw new RangeError(`problem.${name} returned ${returned.length} values, expected ${out.length} (${what})`);
    out.set(returned);
  }

  #checkFinite(what: string, values: Float64Array, xs: Float64Array): void {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) throw new NonFiniteSignal(`${what}[${i}] = ${values[i]} at ${this.where}, x = ${show(xs)}`);
    }
  }
}
