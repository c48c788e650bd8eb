import { jsBackend } from '../backend/js.js';
import { Context } from '../context.js';
import { describe } from '../describe.js';
import { Ravine } from '../ravine.js';
import type { Problem } from '../surfaces/types.js';
import { NonFiniteSignal } from './evaluator.js';
import { MAX_HISTORY } from '../optim/lbfgsOptions.js';
import { optimizerRegistry } from '../optim/registry.js';
import { firstOrder } from './firstOrder.js';
import { lbfgs } from './lbfgs.js';
import { newton } from './newton.js';
import { newtonCG } from './newtonCG.js';
import { Run, type Settings } from './run.js';
import type { LineSearch, Method, MinimizeOptions, MinimizeResult } from './types.js';
import { Workspace } from '../linalg/workspace.js';

const SECOND_ORDER = ['newton', 'newtonCG', 'lbfgs'] as const;
const METHODS = [...SECOND_ORDER, ...Object.keys(optimizerRegistry)] as Method[];
const LINE_SEARCHES: LineSearch[] = ['strongWolfe', 'armijo', 'none'];
const OPTION_NAMES = ['method', 'maxIter', 'gradTol', 'lineSearch', 'history', 'fallback', 'optimizer', 'ravine', 'trajectory', 'onIteration'];

/**
 * Minimises `problem` from `x0` (default: the surface's `start`). Every vector lives in the ravine's
 * heap and every vector operation is one of its f64 kernels (SIMD or JS, bit-identical).
 * Bad arguments throw (TypeError / RangeError naming them); a non-finite value, gradient or Hessian
 * from the problem ends the run with status 'nonFinite' and a message saying where.
 */
export function minimize(problem: Problem, x0?: ArrayLike<number>, options: MinimizeOptions = {}): MinimizeResult {
  const start = checkProblem(problem, x0);
  const method = options?.method ?? 'lbfgs';
  const settings = checkOptions(options, method, start.length);
  if (method === 'newton' && typeof problem.hess !== 'function') throw new TypeError("minimize: method 'newton' needs problem.hess(x, out)");
  const rv = options.ravine ?? new Ravine(new Context(jsBackend()));
  const ws = new Workspace(rv._context, start.length, `minimize(${method})`);
  try {
    const run = new Run(ws, problem, settings, start);
    try {
      if (method === 'lbfgs') return lbfgs(run);
      if (method === 'newton') return newton(run);
      if (method === 'newtonCG') return newtonCG(run, typeof problem.hvp === 'function');
      return firstOrder(run, method, rv);
    } catch (error) {
      if (!(error instanceof NonFiniteSignal)) throw error;
      return run.result('nonFinite', `the problem returned a non-finite number: ${error.message}`);
    }
  } finally {
    ws.dispose();
    if (options.ravine === undefined) rv.dispose();
  }
}

function checkProblem(problem: Problem, x0: ArrayLike<number> | undefined): Float64Array {
  if (typeof problem !== 'object' || problem === null)
    throw new TypeError(`minimize: problem must be an object { f, grad, hess?, hvp? }, got ${describe(problem)}`);
  for (const name of ['f', 'grad'] as const) {
    if (typeof problem[name] !== 'function') throw new TypeError(`minimize: problem.${name} must be a function, got ${describe(problem[name])}`);
  }
  for (const name of ['hess', 'hvp'] as const) {
    if (problem[name] !== undefined && typeof problem[name] !== 'function')
      throw new TypeError(`minimize: problem.${name} must be a function when given, got ${describe(problem[name])}`);
  }
  const surface = problem as { n?: unknown; start?: ArrayLike<number> };
  const values = x0 ?? surface.start;
  if (values === undefined) throw new TypeError('minimize: x0 is required (the problem has no start point)');
  if (typeof values !== 'object' || values === null || typeof values.length !== 'number')
    throw new TypeError(`minimize: x0 must be an array of numbers, got ${describe(values)}`);
  if (values.length === 0) throw new RangeError('minimize: x0 must not be empty');
  if (typeof surface.n === 'number' && values.length !== surface.n) {
    throw new RangeError(`minimize: x0 has length ${values.length}, but the problem is ${surface.n}-dimensional`);
  }
  const start = Float64Array.from(values);
  const bad = start.findIndex((v, i) => typeof values[i] !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`minimize: x0[${bad}] must be a finite number, got ${describe(values[bad])}`);
  return start;
}

function checkOptions(options: MinimizeOptions, method: Method, n: number): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError(`minimize: options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) throw new TypeError(`minimize: unknown option '${key}' (options are ${OPTION_NAMES.join(', ')})`);
  }
  if (!METHODS.includes(method)) throw new RangeError(`minimize: method must be one of ${METHODS.join(', ')}, got ${describe(method)}`);
  const maxIter = options.maxIter ?? 1000;
  if (!Number.isInteger(maxIter) || maxIter < 0) throw new RangeError(`minimize: maxIter must be an integer >= 0, got ${describe(maxIter)}`);
  const gradTol = options.gradTol ?? 1e-8;
  if (typeof gradTol !== 'number' || !(gradTol >= 0) || !Number.isFinite(gradTol))
    throw new RangeError(`minimize: gradTol must be a finite number >= 0, got ${describe(gradTol)}`);
  const history = options.history ?? 10;
  // 2·history vectors of n float64 are reserved before the first iteration: bound it, so a typo cannot hang.
  if (!Number.isInteger(history) || history < 1 || history > MAX_HISTORY)
    throw new RangeError(`minimize: history must be an integer in [1, ${MAX_HISTORY}], got ${describe(history)}`);
  const lineSearch = options.lineSearch ?? (method === 'newton' ? 'armijo' : 'strongWolfe');
  if (!LINE_SEARCHES.includes(lineSearch)) throw new RangeError(`minimize: lineSearch must be one of ${LINE_SEARCHES.join(', ')}, got ${describe(lineSearch)}`);
  const fallback = options.fallback ?? 'shift';
  if (fallback !== 'shift' && fallback !== 'gradient') throw new RangeError(`minimize: fallback must be 'shift' or 'gradient', got ${describe(fallback)}`);
  const optimizer = options.optimizer ?? {};
  if (typeof optimizer !== 'object' || optimizer === null) throw new TypeError(`minimize: optimizer must be an object of options, got ${describe(optimizer)}`);
  if (options.onIteration !== undefined && typeof options.onIteration !== 'function')
    throw new TypeError(`minimize: onIteration must be a function, got ${describe(options.onIteration)}`);
  if (options.trajectory !== undefined && typeof options.trajectory !== 'boolean')
    throw new TypeError(`minimize: trajectory must be a boolean, got ${describe(options.trajectory)}`);
  if (options.ravine !== undefined && !(options.ravine instanceof Ravine))
    throw new TypeError(`minimize: ravine must be a Ravine (from createRavine), got ${describe(options.ravine)}`);
  if (method === 'newton' && n > 4096)
    throw new RangeError(`minimize: method 'newton' stores the dense ${n}×${n} Hessian twice; use 'newtonCG' or 'lbfgs' above n = 4096`);
  return { maxIter, gradTol, history, fallback, lineSearch, optimizer, onIteration: options.onIteration, trajectory: options.trajectory ? [] : undefined };
}
