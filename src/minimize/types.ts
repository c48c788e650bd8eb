import type { FirstOrderMethod } from '../optim/registry.js';
import type { Ravine } from '../ravine.js';
import type { Evaluations } from './evaluator.js';

export type SecondOrderMethod = 'newton' | 'newtonCG' | 'lbfgs';
export type { FirstOrderMethod };
export type Method = SecondOrderMethod | FirstOrderMethod;
export type LineSearch = 'strongWolfe' | 'armijo' | 'none';
export type Status = 'converged' | 'maxIterations' | 'lineSearchFailed' | 'nonFinite';

export interface IterationInfo {
  iteration: number;
  /** The iterate: a view into ravine's heap, valid during the call only. */
  x: Float64Array;
  f: number;
  gradNorm: number;
}

export interface MinimizeOptions {
  /** Default 'lbfgs'. The first-order names run ravine's torch.optim optimizers (float32 parameters). */
  method?: Method;
  /** Default 1000. */
  maxIter?: number;
  /** Stop when ‖∇f‖₂ ≤ gradTol. Default 1e-8. */
  gradTol?: number;
  /** Default: 'strongWolfe' for L-BFGS and Newton-CG, 'armijo' for Newton. 'none' takes full steps. */
  lineSearch?: LineSearch;
  /** L-BFGS history m. Default 10. */
  history?: number;
  /**
   * Newton where the Hessian is not (numerically) positive definite: 'shift' (default) factors H + λI
   * with λ increased ×10 from a start adapted to the last shift (Nocedal & Wright Alg. 3.3);
   * 'gradient' takes the steepest-descent direction.
   */
  fallback?: 'shift' | 'gradient';
  /** Options of the first-order optimizer (torch's names in camelCase): e.g. `{ lr: 0.05 }`. */
  optimizer?: Record<string, unknown>;
  /**
   * The ravine whose heap and kernels (SIMD or JS) the run uses. Default: a private JS-backend context
   * made synchronously for the call (bit-identical to SIMD; pass `await createRavine()` for speed).
   */
  ravine?: Ravine;
  /** Record x after every iteration (x0 first) in `result.trajectory`. */
  trajectory?: boolean;
  onIteration?: (info: IterationInfo) => void;
}

export interface MinimizeResult {
  x: Float64Array;
  f: number;
  gradNorm: number;
  iterations: number;
  evaluations: Evaluations;
  status: Status;
  message: string;
  /** Newton: iterations whose Hessian was not positive definite and took the fallback. */
  fallbacks: number;
  trajectory?: Float64Array[];
}
