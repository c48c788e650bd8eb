import type { Context } from '../context.js';
import { describe } from '../describe.js';

// A step's closure recomputes the gradients before the step reads them. An async one (a Promise back)
// has not written them yet when it returns: a synchronous step() must refuse it rather than step on the
// old gradients; stepAsync() awaits it instead.

/** A closure must be a function; step() refuses an async function before calling it (it could not await it). */
export function checkClosure(where: string, closure: unknown, sync: boolean, way = AWAIT_IT): void {
  if (typeof closure !== 'function') throw new TypeError(`${where}: closure must be a function, got ${describe(closure)}`);
  if (sync && closure.constructor?.name === 'AsyncFunction') throw asyncClosure(where, way);
}

/** A synchronous closure's loss (for `where`); an async one is refused, its gradients not yet written. */
export function callClosure<L>(where: string, closure: () => L): L {
  checkClosure(where, closure, true);
  const loss = closure();
  if (isThenable(loss)) throw refusedPromise(where, loss);
  return loss;
}

/** The way out for the first-order optimizers; LBFGS, which calls its closure many times a step, names its own. */
const AWAIT_IT = 'use `await opt.stepAsync(closure)`, which awaits it before stepping';

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The error for a closure that returned `promise`, which is refused: its rejection, if it comes, is
 * caught here (nobody awaits it, and an unhandled rejection ends a Node process).
 */
export function refusedPromise(where: string, promise: unknown, way = AWAIT_IT): TypeError {
  try {
    (promise as PromiseLike<unknown>).then(undefined, () => undefined);
  } catch {
    // a thenable whose then() throws: nothing to catch
  }
  return asyncClosure(where, way);
}

export function asyncClosure(where: string, way = AWAIT_IT): TypeError {
  return new TypeError(`${where}: the closure is async (it returns a Promise), so the gradients it writes are not there yet; ${way}. Nothing was stepped`);
}

/**
 * An optimizer's stepAsync(): the closure (checked by `where`) awaited, then `step()` taken on the
 * gradients it wrote. `live(when)` throws if the optimizer or its context was disposed meanwhile and
 * returns the context: where it has worker threads and this thread may not block (a browser's main
 * thread), the step polls for their end instead of sleeping.
 */
export async function stepAsync<L>(
  where: string,
  closure: (() => L | PromiseLike<L>) | undefined,
  live: (when: string) => Context,
  step: () => void,
): Promise<L | undefined> {
  if (closure !== undefined) checkClosure(where, closure, false);
  const loss = closure === undefined ? undefined : await closure();
  // The closure may have disposed this optimizer or its context while it ran: nothing may be written then.
  const pool = live(closure === undefined ? '' : 'during the closure of this step (nothing was stepped)').backend.pool;
  if (pool && !pool.canBlock) await pool.runAsync(step);
  else step();
  return loss;
}
