// `npm run bench`'s flags (bench/run.js), parsed and checked before anything is measured: a malformed
// one stops the run with one line naming the flag and the value (`parseBenchFlags` throws a FlagError).
import { parseArgs } from 'node:util';
import { OPTIMIZERS } from './optimizers.js';

/**
 * The largest --sizes: 4× the plan's largest vector (16,777,216), whose four float32 streams (Adam's
 * parameters, gradients and two moments) fill 1 GiB of a 4 GiB wasm heap, beside TF.js's and jax's copies.
 */
export const MAX_SIZE = 67_108_864;
/** createRavine's limit on threads (MAX_THREADS in src/backend/threads.ts). */
export const MAX_THREADS = 256;

export class FlagError extends Error {}

/** A comma-separated list of distinct integers in [lo, hi]. */
function integers(flag, text, lo, hi) {
  const parts = text.split(',');
  const what = `--${flag} must be distinct integers from ${lo} to ${hi.toLocaleString('en')}, separated by commas, got '${text}'`;
  const values = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  const bad = parts.find((_p, i) => !(Number.isInteger(values[i]) && values[i] >= lo && values[i] <= hi));
  if (bad !== undefined) throw new FlagError(parts.length > 1 ? `${what} ('${bad}')` : what);
  const repeated = values.find((v, i) => values.indexOf(v) !== i);
  if (repeated !== undefined) throw new FlagError(`${what} (${repeated} twice)`);
  return values;
}

/** A comma-separated list of names out of `known`. */
function names(flag, text, known) {
  const list = text.split(',').map((s) => s.trim());
  const bad = list.find((n) => !known.includes(n));
  if (bad !== undefined) throw new FlagError(`--${flag}: unknown name '${bad}'${list.length > 1 ? ` in '${text}'` : ''}; the names are ${known.join(', ')}`);
  return list;
}

/**
 * `argv` (without node and the script) as { quick, only, sizes, models, threads, report, save, help }:
 * `only`, `sizes` and `threads` are undefined when not given. Throws a FlagError on any malformed flag.
 */
export function parseBenchFlags(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean' },
        only: { type: 'string' },
        sizes: { type: 'string' },
        'no-models': { type: 'boolean' },
        threads: { type: 'string' },
        report: { type: 'boolean' },
        save: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new FlagError(e.message.split('\n')[0]);
  }
  return {
    quick: values.quick === true,
    only: values.only === undefined ? undefined : names('only', values.only, Object.keys(OPTIMIZERS)),
    sizes: values.sizes === undefined ? undefined : integers('sizes', values.sizes, 1, MAX_SIZE),
    models: values['no-models'] !== true,
    threads: values.threads === undefined ? undefined : integers('threads', values.threads, 1, MAX_THREADS),
    report: values.report === true,
    save: values.save === true,
    help: values.help === true,
  };
}
