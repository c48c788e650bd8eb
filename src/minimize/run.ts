import type { Problem } from '../surfaces/types.js';
import { Evaluator } from './evaluator.js';
import type { IterationInfo, MinimizeOptions, MinimizeResult, Status } from './types.js';
import type { Workspace } from '../linalg/workspace.js';

/** Resolved options: everything a method reads, checked. */
export interface Settings {
  maxIter: number;
  gradTol: number;
  history: number;
  fallback: 'shift' | 'gradient';
  lineSearch: NonNullable<MinimizeOptions['lineSearch']>;
  optimizer: Record<string, unknown>;
  onIteration?: (info: IterationInfo) => void;
  trajectory?: Float64Array[];
}

/**
 * The state every second-order method shares: the workspace, x / g / f, the evaluator, the iteration
 * count, and the bookkeeping of each iteration (callback, trajectory) and of the result.
 */
export class Run {
  readonly ws: Workspace;
  readonly ev: Evaluator;
  readonly settings: Settings;
  readonly x: number;
  readonly g: number;
  f = NaN;
  gradNorm = NaN;
  iterations = 0;
  fallbacks = 0;

  constructor(ws: Workspace, problem: Problem, settings: Settings, x0: ArrayLike<number>) {
    this.ws = ws;
    this.settings = settings;
    this.ev = new Evaluator(problem, ws);
    this.x = ws.alloc();
    this.g = ws.alloc();
    ws.h.set(x0, this.x >>> 3);
  }

  /** Evaluates f and ∇f at x0 and records it; true when x0 already converged. */
  start(): boolean {
    this.f = this.ev.valueAndGrad(this.x, this.g);
    this.gradNorm = this.ws.norm(this.g);
    this.record();
    this.ev.where = 'iteration 1';
    return this.gradNorm <= this.settings.gradTol;
  }

  /** After an iteration moved x (and set f, g): counts it, records it; true when converged. */
  iterated(): boolean {
    this.iterations++;
    this.ev.where = `iteration ${this.iterations + 1}`;
    this.gradNorm = this.ws.norm(this.g);
    this.record();
    return this.gradNorm <= this.settings.gradTol;
  }

  record(): void {
    const { onIteration, trajectory } = this.settings;
    if (trajectory) trajectory.push(Float64Array.from(this.ws.view(this.x)));
    onIteration?.({ iteration: this.iterations, x: this.ws.view(this.x), f: this.f, gradNorm: this.gradNorm });
  }

  result(status: Status, message: string): MinimizeResult {
    return {
      x: Float64Array.from(this.ws.view(this.x)),
      f: this.f,
      gradNorm: this.gradNorm,
      iterations: this.iterations,
      evaluations: { ...this.ev.counts },
      status,
      message,
      fallbacks: this.fallbacks,
      ...(this.settings.trajectory ? { trajectory: this.settings.trajectory } : {}),
    };
  }

  converged(): MinimizeResult {
    return this.result('converged', `‖∇f‖ = ${this.gradNorm} ≤ gradTol = ${this.settings.gradTol} after ${this.iterations} iterations`);
  }

  maxIterations(): MinimizeResult {
    return this.result('maxIterations', `maxIter = ${this.settings.maxIter} iterations reached with ‖∇f‖ = ${this.gradNorm}`);
  }
}
