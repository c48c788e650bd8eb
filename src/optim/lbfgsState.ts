import { describe } from '../describe.js';
import type { Tensor } from '../tensor.js';
import type { ScheduleJSON } from '../schedules/schedule.js';
import { checkOptions, DEFAULTS, MAX_HISTORY, mergeOptions, type LBFGSOptions } from './lbfgsOptions.js';
import { readFloat64 } from './savedBuffers.js';
import { isEncodedFloat64, stateToJson } from './stateJson.js';

// LBFGS's checkpoint: the state dict's types, the dict stateDict() returns, and the checks
// loadStateDict() runs on a saved one before it changes anything.

/** One tensor's slice of each float64 vector L-BFGS carries between steps. */
export interface LBFGSTensorState {
  /** the last direction (torch's d) */
  readonly d: Float64Array;
  /** the gradient the last iteration started from (prev_flat_grad) */
  readonly prevFlatGrad: Float64Array;
  /** y = Δg of each history pair, oldest first (old_dirs) */
  readonly oldDirs: readonly Float64Array[];
  /** s = t·d of each history pair, oldest first (old_stps) */
  readonly oldStps: readonly Float64Array[];
}

/** The scalars of the whole run (torch's func_evals, n_iter, t, H_diag, prev_loss, ro). */
export interface LBFGSRunState {
  readonly funcEvals: number;
  readonly nIter: number;
  /** the last step length, which scales s = t·d of the next pair */
  readonly t: number;
  readonly hDiag: number;
  readonly prevLoss: number;
  /** 1 / y·s of each history pair, oldest first */
  readonly ro: readonly number[];
}

/**
 * LBFGS's `stateDict()`. torch keeps all of LBFGS's state under its first parameter, because its state
 * is a dict keyed by parameter with nowhere else to put what belongs to the whole run. Here `state`
 * holds, for every tensor alike, that tensor's slices of the vectors, and `lbfgs` holds the run's
 * scalars once: nothing depends on which tensor comes first, and no scalar is repeated in copies that
 * could disagree. Before the first step, `state` is empty and `lbfgs` null (torch's empty state).
 */
export interface LBFGSStateDict {
  readonly format: 'ravine/optimizer';
  readonly version: 1;
  readonly optimizer: 'LBFGS';
  readonly paramGroups: readonly Record<string, unknown>[];
  readonly state: Readonly<Record<string, LBFGSTensorState>>;
  readonly lbfgs: LBFGSRunState | null;
}

/** The dict `LBFGS.stateDict()` returns, with a `toJSON` that keeps every bit (see there). */
export function makeStateDict(
  group: LBFGSOptions,
  names: string[],
  state: Record<string, LBFGSTensorState>,
  lbfgs: LBFGSRunState | null,
  schedules?: Record<string, ScheduleJSON>,
): LBFGSStateDict {
  const options = Object.fromEntries(Object.keys(DEFAULTS).map((key) => [key, group[key as keyof LBFGSOptions]]));
  const dict: LBFGSStateDict = {
    format: 'ravine/optimizer',
    version: 1,
    optimizer: 'LBFGS',
    paramGroups: [{ ...options, params: names, ...(schedules ? { schedules } : {}) }],
    state,
    lbfgs,
  };
  // Not enumerable: a spread or structuredClone of the dict keeps its Float64Arrays and drops this.
  const json = lbfgs && { ...lbfgs, t: jsonDouble(lbfgs.t), hDiag: jsonDouble(lbfgs.hDiag), prevLoss: jsonDouble(lbfgs.prevLoss) };
  Object.defineProperty(dict, 'toJSON', { value: () => stateToJson({ ...dict, lbfgs: json }), enumerable: false });
  return dict;
}

/** A double as JSON can carry it: itself, or (NaN, ±Infinity, −0) one float64 that stateToJson encodes. */
function jsonDouble(value: number): number | Float64Array {
  return Number.isFinite(value) && !Object.is(value, -0) ? value : Float64Array.of(value);
}

const RUN_KEYS = ['funcEvals', 'nIter', 't', 'hDiag', 'prevLoss', 'ro'] as const;
const TENSOR_KEYS = ['d', 'prevFlatGrad', 'oldDirs', 'oldStps'] as const;

/** A saved state dict, checked against these tensors; the options merged over `defaults` and checked. */
export function readStateDict(
  where: string,
  dict: unknown,
  tensors: readonly Tensor[],
  defaults: LBFGSOptions,
  /** The options as the range checks should see them, given the saved schedules (a scheduled residue below 0 as 0), or null for as they are. */
  asChecked: (options: LBFGSOptions, schedules: unknown) => LBFGSOptions | null = () => null,
) {
  const saved = dict as Partial<Record<keyof LBFGSStateDict, unknown>>;
  if (typeof dict !== 'object' || dict === null || saved.format !== 'ravine/optimizer' || saved.version !== 1) {
    throw new TypeError(`${where}: not a ravine optimizer state dict (format 'ravine/optimizer', version 1)`);
  }
  if (saved.optimizer !== 'LBFGS') throw new TypeError(`${where}: state dict is for ${describe(saved.optimizer)}, not LBFGS`);
  if (!Array.isArray(saved.paramGroups) || saved.paramGroups.length !== 1) {
    throw new RangeError(`${where}: state dict has ${describe((saved.paramGroups as unknown[] | undefined)?.length)} param groups, LBFGS has 1`);
  }
  const group: unknown = saved.paramGroups[0];
  if (typeof group !== 'object' || group === null || Array.isArray(group)) throw new TypeError(`${where}: param group 0 is ${describe(group)}`);
  const { params, schedules, ...savedOptions } = group as Record<string, unknown>;
  const names = tensors.map((t) => t.name);
  if (!Array.isArray(params) || params.length !== names.length || params.some((name, i) => name !== names[i])) {
    throw new RangeError(`${where}: param group 0 holds ${describe(params)}, this optimizer's holds ${describe(names)}`);
  }
  const options = mergeOptions(defaults, savedOptions, `${where} param group 0`);
  checkOptions(`${where} param group 0`, asChecked(options, schedules) ?? options);
  const state = saved.state as Record<string, unknown>;
  if (typeof state !== 'object' || state === null || Array.isArray(state))
    throw new TypeError(`${where}: state must be an object keyed by tensor name, got ${describe(state)}`);
  for (const name of Object.keys(state)) {
    if (!names.includes(name)) throw new RangeError(`${where}: state for tensor ${describe(name)}, which this optimizer does not hold`);
  }
  if (saved.lbfgs === null) {
    if (Object.keys(state).length > 0)
      throw new TypeError(`${where}: lbfgs is null (never stepped), so state must be empty, but it holds ${describe(Object.keys(state))}`);
    return { options, run: null, vectors: [], schedules };
  }
  const run = readRun(where, saved.lbfgs);
  const vectors = tensors.map((t) => readTensorState(where, t, Object.hasOwn(state, t.name) ? state[t.name] : undefined, run.ro.length));
  return { options, run, vectors, schedules };
}

/** The run's scalars: counts non-negative integers, t/hDiag/prevLoss doubles, ρ as the algorithm makes it. */
function readRun(where: string, value: unknown): LBFGSRunState {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: lbfgs must be { ${RUN_KEYS.join(', ')} } (null before the first step), got ${describe(value)}`);
  }
  const run = value as Record<string, unknown>;
  for (const key of Object.keys(run)) {
    if (!(RUN_KEYS as readonly string[]).includes(key)) throw new TypeError(`${where}: unknown key lbfgs.${describe(key)} (expected ${RUN_KEYS.join(', ')})`);
  }
  const count = (key: 'funcEvals' | 'nIter') => {
    const v = run[key];
    if (typeof v !== 'number') throw new TypeError(`${where}: lbfgs.${key} must be a number, got ${describe(v)}`);
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${where}: lbfgs.${key} must be a non-negative integer, got ${describe(v)}`);
    return v;
  };
  const ro = run.ro;
  if (!Array.isArray(ro)) throw new TypeError(`${where}: lbfgs.ro must be an array of numbers (1 / y·s of each history pair), got ${describe(ro)}`);
  // Longer than historySize only if historySize was lowered after the last step (the next pair kept
  // trims it), never beyond what the constructor would reserve.
  if (ro.length > MAX_HISTORY) throw new RangeError(`${where}: lbfgs.ro holds ${ro.length} pairs, more than ${MAX_HISTORY}`);
  ro.forEach((v, i) => {
    if (typeof v !== 'number') throw new TypeError(`${where}: lbfgs.ro[${i}] must be a number, got ${describe(v)}`);
    // 1 / y·s for a pair kept only when y·s > 1e-10.
    if (!(v >= 0 && v <= 1e10)) throw new RangeError(`${where}: lbfgs.ro[${i}] must be in [0, 1e10] (1 / y·s, kept when y·s > 1e-10), got ${describe(v)}`);
  });
  const double = (key: 't' | 'hDiag' | 'prevLoss') => readDouble(`${where}: lbfgs.${key}`, run[key]);
  return { funcEvals: count('funcEvals'), nIter: count('nIter'), t: double('t'), hDiag: double('hDiag'), prevLoss: double('prevLoss'), ro };
}

/** One tensor's slices: d and prevFlatGrad, and one vector per history pair in oldDirs and oldStps. */
function readTensorState(where: string, t: Tensor, value: unknown, pairs: number): LBFGSTensorState {
  const what = `${where}: state '${t.name}'`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${what} must be { ${TENSOR_KEYS.join(', ')} } (lbfgs is set: every tensor has its slices), got ${describe(value)}`);
  }
  const entry = value as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (!(TENSOR_KEYS as readonly string[]).includes(key))
      throw new TypeError(`${where}: unknown state key '${t.name}'.${describe(key)} (expected ${TENSOR_KEYS.join(', ')})`);
  }
  const history = (key: 'oldDirs' | 'oldStps') => {
    const vectors = entry[key];
    if (!Array.isArray(vectors)) throw new TypeError(`${what}.${key} must be an array of vectors, one per history pair, got ${describe(vectors)}`);
    if (vectors.length !== pairs) throw new RangeError(`${what}.${key} holds ${vectors.length} vectors, but lbfgs.ro has ${pairs} pairs`);
    return vectors.map((v, j) => readFloat64(`${what}.${key}[${j}]`, v, t.size));
  };
  return {
    d: readFloat64(`${what}.d`, entry.d, t.size),
    prevFlatGrad: readFloat64(`${what}.prevFlatGrad`, entry.prevFlatGrad, t.size),
    oldDirs: history('oldDirs'),
    oldStps: history('oldStps'),
  };
}

/** A saved double: a number, or (as JSON writes NaN, ±Infinity and −0) a { float64 } of one. */
function readDouble(what: string, value: unknown): number {
  if (typeof value === 'number') return value;
  if (isEncodedFloat64(value)) return readFloat64(what, value, 1)[0];
  throw new TypeError(`${what} must be a number (or JSON's { float64 } of one double), got ${describe(value)}`);
}
