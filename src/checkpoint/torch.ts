import { describe } from '../describe.js';
import { implementationDefaults, implementationOption } from '../optim/implementation.js';
import { Optimizer } from '../optim/optimizer.js';
import { entryNamed, optimizerRegistry, type OptimizerEntry } from '../optim/registry.js';
import type { StateDict } from '../optim/stateDict.js';
import { readSafetensors, writeSafetensors, type SafetensorsTensor } from './safetensors.js';

// An optimizer's state as torch 2.13 keeps it, in a safetensors file: each tensor's state under
// `state.<tensor name>.<torch state key>` (exp_avg, step, mu_product: float32, as torch holds them; step
// a 0-dim tensor), and in the header's metadata `optimizer` (torch's class name) and `param_groups` (JSON:
// each group's options under torch's names, implementation options at torch's defaults, `params` the
// tensor names). That is torch's `optimizer.state_dict()` keyed by name rather than by position, which
// `torch.distributed.checkpoint.state_dict.set_optimizer_state_dict` takes as it is; docs/numerics.md has
// the few lines of Python for `load_state_dict`. Only what torch keeps travels: schedules and training
// options stay with the optimizer they are set on, on either side.

const PREFIX = 'state.';
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * What torch's lr schedulers write into each group for their own use (torch/optim/lr_scheduler.py,
 * swa_utils.py): every LRScheduler's `initial_lr`, OneCycleLR's `max_lr` and `min_lr`, OneCycleLR's and
 * CyclicLR's `max_momentum` and `base_momentum` (cycle_momentum), SWALR's `swa_lr`. They are the
 * schedulers' records, not options of the step, and ravine's schedules keep their own: read and dropped.
 */
const SCHEDULER_KEYS = new Set(['initial_lr', 'max_lr', 'min_lr', 'max_momentum', 'base_momentum', 'swa_lr']);

/** A row of an optimizer torch.optim has (Lion's is optax's: torch has no state of it to exchange). */
type TorchEntry = OptimizerEntry & { readonly torch: NonNullable<OptimizerEntry['torch']> };

function entryFor(where: string, name: unknown): TorchEntry {
  const found = typeof name === 'string' ? entryNamed(name) : undefined;
  if (found !== undefined && found.torch === null)
    throw new TypeError(
      `${where}: torch.optim has no ${found.name} (ravine's follows optax), so there is no torch state to exchange: save it with stateDict()`,
    );
  if (found === undefined) {
    throw new TypeError(
      `${where}: ${describe(name)} is not an optimizer ravine exchanges with torch (${(Object.values(optimizerRegistry) as OptimizerEntry[])
        .filter((e) => e.torch !== null)
        .map((e) => e.name)
        .join(', ')})`,
    );
  }
  return found as TorchEntry;
}

function checkOptimizer(where: string, optimizer: unknown): Optimizer<object> {
  if (!(optimizer instanceof Optimizer))
    throw new TypeError(`${where}: expected one of ravine's first-order optimizers (Adam, SGD, …), got ${describe(optimizer)}`);
  return optimizer;
}

/**
 * The optimizer's state as torch 2.13 keeps it, in a safetensors file (the layout above). A tensor never
 * stepped has no state, as in torch (Adagrad's, created up front, excepted). Refused in the middle of a
 * gradient accumulation: torch's state has no place for the accumulated gradients.
 */
export function exportSafetensors(optimizer: Optimizer<object>): Uint8Array {
  const where = 'exportSafetensors';
  const dict = checkOptimizer(where, optimizer).stateDict();
  const entry = entryFor(where, dict.optimizer);
  if ((dict.training?.pendingMicroBatches ?? 0) > 0) {
    throw new RangeError(
      `${where}: ${dict.training!.pendingMicroBatches} micro-batches are accumulated towards the next update, and torch's optimizer state has no place for them: step until pendingMicroBatches is 0, then export`,
    );
  }
  const tensors: Record<string, SafetensorsTensor> = Object.create(null);
  const groups = optimizer.paramGroups.map((group, i) => {
    const { params: _, schedules: __, ...options } = dict.paramGroups[i];
    for (const t of group.params) writeState(tensors, entry, t, dict.state[t.name], options);
    return {
      ...Object.fromEntries(Object.entries(options).map(([key, value]) => [snake(key), value])),
      ...implementationDefaults(entry.name),
      params: group.params.map((t) => t.name),
    };
  });
  return writeSafetensors(tensors, { format: 'pt', optimizer: entry.name, param_groups: JSON.stringify(groups) });
}

/** One tensor's torch state, under `state.<name>.<key>`. */
function writeState(
  out: Record<string, SafetensorsTensor>,
  entry: TorchEntry,
  { name, size, shape }: { readonly name: string; readonly size: number; readonly shape: readonly number[] },
  state: Readonly<Record<string, number | Float32Array | null>>,
  options: Record<string, unknown>,
): void {
  const buffers = Object.keys(entry.stateKeys).filter((key) => state[key] !== undefined);
  const neverStepped = state.step === 0 && buffers.every((key) => state[key] === null);
  if (neverStepped && !entry.torch.eagerState) return; // torch's state for it is {}
  const scalar = (value: number): SafetensorsTensor => ({ dtype: 'F32', shape: [], data: Float32Array.of(value) });
  if (entry.torch.keepsStep) out[`${PREFIX}${name}.step`] = scalar(state.step as number);
  for (const key of Object.keys(entry.scalarKeys)) out[`${PREFIX}${name}.${snake(key)}`] = scalar(state[key] as number);
  for (const key of buffers) {
    const value = state[key];
    // Not yet written: absent in torch (SGD's momentum_buffer before its first step is None), except
    // Adagrad's sum, which torch fills with initial_accumulator_value up front.
    if (value === null && !entry.torch.eagerState) continue;
    const data = value ?? new Float32Array(size).fill(options.initialAccumulatorValue as number);
    // torch's state tensors have their parameter's shape (Adafactor's factors their own: the row's table says).
    out[`${PREFIX}${name}.${snake(key)}`] = { dtype: 'F32', shape: [...(entry.stateShape?.(key, shape) ?? shape)], data: data as Float32Array };
  }
}

/**
 * Loads a safetensors file of torch optimizer state (the layout above: what exportSafetensors writes,
 * and what the Python in docs/numerics.md writes from torch) into `optimizer`: its options, step counts
 * and state buffers. Everything is checked before anything changes, by `loadStateDict`; the training
 * options and schedules in effect stay, and the buffers of training options start afresh.
 */
export function importSafetensors(optimizer: Optimizer<object>, bytes: Uint8Array): void {
  const where = 'importSafetensors';
  checkOptimizer(where, optimizer);
  const file = readSafetensors(bytes);
  optimizer.loadStateDict(toStateDict(where, file.tensors, file.metadata, optimizer));
}

function toStateDict(
  where: string,
  tensors: Readonly<Record<string, SafetensorsTensor>>,
  metadata: Readonly<Record<string, string>>,
  optimizer: Optimizer<object>,
): StateDict {
  // Which optimizer this is, by its class (a state dict would copy every buffer only to read the name).
  const mine = (Object.values(optimizerRegistry) as OptimizerEntry[]).find((e) => optimizer instanceof e.Class)?.name;
  if (mine === undefined) throw new TypeError(`${where}: ${optimizer.constructor.name} is not an optimizer ravine exchanges with torch`);
  if (metadata.optimizer === undefined)
    throw new TypeError(`${where}: the file's metadata names no optimizer (an "optimizer" entry, torch's class name): is it optimizer state?`);
  entryFor(where, mine); // refuses an optimizer torch does not have, before reading the file
  const entry = entryFor(where, metadata.optimizer);
  if (entry.name !== mine) throw new TypeError(`${where}: the file holds ${entry.name} state, and this optimizer is ${mine}`);
  const paramGroups = readGroups(where, metadata.param_groups, entry, optimizer);
  const torchKeys = new Map(
    [...(entry.torch.keepsStep ? ['step'] : []), ...Object.keys(entry.scalarKeys), ...Object.keys(entry.stateKeys)].map((key) => [snake(key), key]),
  );
  const state: Record<string, Record<string, number | Float32Array>> = Object.create(null);
  const shapes = new Map(optimizer.paramGroups.flatMap((g) => g.params.map((t) => [t.name, t.shape] as const)));
  for (const name of paramGroups.flatMap((g) => g.params as string[])) state[name] = Object.create(null);
  for (const [fullKey, tensor] of Object.entries(tensors)) {
    const dot = fullKey.lastIndexOf('.');
    if (!fullKey.startsWith(PREFIX) || dot <= PREFIX.length) {
      throw new TypeError(`${where}: tensor ${describe(fullKey)} is not optimizer state (keys are state.<tensor name>.<torch state key>)`);
    }
    const name = fullKey.slice(PREFIX.length, dot),
      key = torchKeys.get(fullKey.slice(dot + 1));
    if (key === undefined) {
      throw new TypeError(
        `${where}: tensor ${describe(fullKey)}: ${describe(fullKey.slice(dot + 1))} is not a state key of torch's ${entry.name} (${[...torchKeys.keys()].join(', ')})`,
      );
    }
    if (!Object.hasOwn(state, name))
      throw new RangeError(`${where}: tensor ${describe(fullKey)} is state of ${describe(name)}, which no param group of the file holds`);
    const what = `${where}: tensor ${describe(fullKey)}`;
    const param = shapes.get(name);
    // A buffer has its parameter's shape in torch, or the row's (Adafactor's factors), or is flat (as ravine
    // wrote before tensors had shapes).
    const shape = param && Object.hasOwn(entry.stateKeys, key) ? (entry.stateShape ? entry.stateShape(key, param) : param) : undefined;
    if (shape === null) throw new RangeError(`${what}: torch keeps no ${snake(key)} for tensor '${name}' of shape [${param!.join(', ')}]`);
    if (shape !== undefined && !sameShape(tensor.shape, shape) && !sameShape(tensor.shape, [shape.reduce((n, d) => n * d, 1)]))
      throw new RangeError(
        `${what} has shape [${tensor.shape.join(', ')}], and tensor '${name}' has shape [${param!.join(', ')}]${shape === param ? '' : ` (torch keeps ${snake(key)} as [${shape.join(', ')}])`}`,
      );
    state[name][key] = readValue(what, tensor, key, Object.hasOwn(entry.scalarKeys, key));
  }
  for (const [name, s] of Object.entries(state)) {
    if (s.step !== undefined) continue;
    const kept = Object.keys(s);
    // torch writes step with the rest of a stepped tensor's state; SGD keeps none (ravine's count restarts at 0).
    if (entry.torch.keepsStep && kept.length > 0) throw new TypeError(`${where}: state of ${describe(name)} has ${kept.map(snake).join(', ')} but no step`);
    s.step = 0;
  }
  paramGroups.forEach((group, i) => {
    const [first, ...rest] = group.params as string[];
    const behind = rest.find((name) => state[name].step !== state[first].step);
    if (behind !== undefined) {
      throw new RangeError(
        `${where}: param group ${i}: ${describe(first)} has step ${state[first].step} and ${describe(behind)} step ${state[behind].step}: torch does not step a parameter whose grad is None, and ravine steps a group's tensors together`,
      );
    }
  });
  return { format: 'ravine/optimizer', version: 1, optimizer: entry.name, paramGroups, state };
}

/** The metadata's param groups: torch's option names to ravine's, implementation options checked and dropped. */
function readGroups(where: string, text: string | undefined, entry: TorchEntry, optimizer: Optimizer<object>): Record<string, unknown>[] {
  if (text === undefined) throw new TypeError(`${where}: the file's metadata has no param_groups (a JSON list of torch's param groups)`);
  let groups: unknown;
  try {
    groups = JSON.parse(text);
  } catch (e) {
    throw new TypeError(`${where}: the metadata's param_groups is not JSON (${e instanceof Error ? e.message : describe(e)})`);
  }
  if (!Array.isArray(groups)) throw new TypeError(`${where}: param_groups must be a list of param groups, got ${describe(groups)}`);
  return groups.map((group: unknown, i) => {
    const at = `${where}: param group ${i}`;
    if (typeof group !== 'object' || group === null || Array.isArray(group)) throw new TypeError(`${at} must be an object, got ${describe(group)}`);
    const { params, ...options } = group as Record<string, unknown>;
    if (!Array.isArray(params) || !params.every((p) => typeof p === 'string')) {
      throw new TypeError(`${at}: params must be the tensors' names (state keyed by name), got ${describe(params)}`);
    }
    // Options this optimizer takes, by torch's name: a group's keys now, which are its defaults' (the group
    // may not exist here: loadStateDict names the count). Only torch's names: a camelCase twin beside one would
    // silently win or lose.
    const takes = new Map(
      Object.keys(optimizer.paramGroups[0] ?? {})
        .filter((key) => key !== 'params')
        .map((key) => [snake(key), key]),
    );
    const out: Record<string, unknown> = { params };
    for (const [key, value] of Object.entries(options)) {
      if (SCHEDULER_KEYS.has(key) || implementationOption(at, entry.name, key, value)) continue;
      const option = takes.get(key);
      if (option === undefined)
        throw new TypeError(`${at}: torch option ${describe(key)} is not one ravine's ${entry.name} takes (${[...takes.keys()].join(', ')})`);
      out[option] = value;
    }
    return out;
  });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

/** One state tensor's value: step a count (any dtype torch has kept it in), the rest float32 as ravine keeps them; a scalar key one number. */
function readValue(what: string, tensor: SafetensorsTensor, key: string, scalar: boolean): number | Float32Array {
  const one = tensor.data.length === 1 ? Number(tensor.data[0]) : undefined;
  if (key === 'step') {
    if (one === undefined || !Number.isInteger(one))
      throw new RangeError(
        `${what}: a step count is one integer, got ${tensor.dtype} of shape [${tensor.shape.join(', ')}]${one === undefined ? '' : ` holding ${one}`}`,
      );
    return one;
  }
  if (tensor.dtype !== 'F32')
    throw new TypeError(`${what} is ${tensor.dtype}; ravine keeps optimizer state in float32 (F32): convert it in torch first (.float())`);
  if (!scalar) return tensor.data as Float32Array;
  if (one === undefined) throw new RangeError(`${what}: torch keeps ${snake(key)} as one number (a 0-dim tensor), got shape [${tensor.shape.join(', ')}]`);
  return one;
}
