import { optimizerRegistry } from '../optim/registry.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Ravine } from '../ravine.js';
import type { Run } from './run.js';
import type { FirstOrderMethod, MinimizeResult } from './types.js';

let runs = 0;

/**
 * A core optimizer (float32 parameters, as in training) on a float64 problem: each iteration evaluates
 * f and ∇f at the float32 iterate (widened exactly), hands the gradient over rounded to float32, and
 * calls `step()` once. The run starts from x0 rounded to float32.
 */
export function firstOrder(run: Run, method: FirstOrderMethod, rv: Ravine): MinimizeResult {
  const { ws, settings, ev } = run;
  // Allocate first, then copy: on a heap whose views are not stable, growth would detach a view made before.
  // Muon steps matrices: the point is one row, whose orthogonalized update is its normalized direction.
  const tensor = rv.tensor(`ravine.minimize#${runs++}`, ws.n, method === 'muon' ? { shape: [1, ws.n] } : undefined);
  let opt: Optimizer<object>;
  try {
    tensor.data.set(ws.view(run.x));
    // The optimizer checks its options here: a refusal must give the tensor (and its name) back.
    opt = new optimizerRegistry[method].Class([tensor] as never, settings.optimizer as never);
  } catch (e) {
    tensor.dispose();
    throw e;
  }
  try {
    const widen = () => ws.h.set(tensor.data, run.x >>> 3);
    widen();
    if (run.start()) return run.converged();
    while (run.iterations < settings.maxIter) {
      tensor.grad.set(ws.view(run.g));
      opt.step();
      widen();
      ev.where = `iteration ${run.iterations + 1}`;
      run.f = ev.valueAndGrad(run.x, run.g);
      if (run.iterated()) return run.converged();
    }
    return run.maxIterations();
  } finally {
    opt.dispose();
    tensor.dispose();
  }
}
