import { describe } from '../describe.js';
import type { ScheduleJSON } from '../schedules/schedule.js';
import type { Tensor } from '../tensor.js';
import { buildSaved, type Driven, type ScheduleDriver } from './drivers.js';
import type { GroupMemory } from './groupMemory.js';
import type { OptimizerSpec, StateBuffer } from './optimizerSpec.js';
import { rowNamed, type OptimizerRow } from './table.js';
import type { ParamGroup } from './paramGroups.js';
import { readFloat32 } from './savedBuffers.js';
import { NO_TRAINING, readTraining, type Training, type TrainingOptions } from './training.js';

// A first-order optimizer's checkpoint: the dict's type, each tensor's entry as stateDict() writes it,
// and the checks loadStateDict() runs on a saved dict before it changes anything (readCheckpoint), with
// what it then writes back into a group's memory (restoreState).

export interface StateDict {
  readonly format: 'ravine/optimizer';
  /** 2 since schedules are saved (a group's `schedules`); version 1 dicts still load. */
  readonly version: 1 | 2;
  readonly optimizer: string;
  /** Each group's options (the numbers in effect), `params` (tensor names) and `schedules` by option name. */
  readonly paramGroups: readonly Record<string, unknown>[];
  /** Per tensor: `step`, per-group scalars, and each state buffer's floats (null: allocated, not yet written). */
  readonly state: Readonly<Record<string, Readonly<Record<string, number | Float32Array | null>>>>;
  /** The shape of each tensor made with one of more (or fewer) than one dimension, by name: loading checks them. */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /** The training options, micro-batches accumulated towards the next update, steps the guard skipped (version 2). */
  readonly training?: { readonly options: TrainingOptions; readonly calls: number; readonly pendingMicroBatches: number; readonly skippedSteps: number };
}

/** torch (1.13 and 2.x) keeps `step` in a float32 tensor: counting stops at 2^24, where step + 1 rounds back to step. */
export const STEP_LIMIT = 2 ** 24;

/** `record[key]` if it is the record's own (a tensor named '__proto__' or 'toString' reads its entry, not Object.prototype's). */
function own(record: object, key: string): unknown {
  return Object.hasOwn(record, key) ? (record as Record<string, unknown>)[key] : undefined;
}

/** Tensor k's entry in `state`: the group's step and scalars, then a copy of each of its buffers (null: not yet written). */
export function savedEntry(m: GroupMemory, k: number): Record<string, number | Float32Array | null> {
  const entry: Record<string, number | Float32Array | null> = { step: m.step, ...m.scalars };
  for (const name of m.state.keys()) if (m.stateShape(name, k) !== null) entry[name] = m.fresh.has(name) ? null : m.readState(name, k);
  return entry;
}

/** The training options and counters a checkpoint carries, checked. */
export interface SavedTraining {
  options: Training;
  calls: number;
  pending: number;
  skipped: number;
}

/** A saved schedule, built and checked, with the data it was built from; not attached yet. */
export type SavedSchedule = Driven & { data: ScheduleJSON };

/** One tensor's saved state, checked: its step and per-group scalars, and each buffer's floats (null: not yet written). */
export interface Entry {
  scalars: Record<string, number>;
  buffers: Record<string, Float32Array | null>;
}

/** One group's part of a checkpoint, checked: what loadStateDict writes. */
export interface GroupPlan<O> {
  options: O;
  entries: Entry[];
  buffers: StateBuffer[];
  schedules: SavedSchedule[];
}

/** What checking a checkpoint needs from the optimizer it is loaded into. */
export interface LoadTarget<O> {
  readonly spec: OptimizerSpec<O>;
  readonly groups: readonly ParamGroup<O>[];
  /** The training options in effect and the calls so far: a version-1 dict keeps them. */
  readonly training: Training;
  readonly calls: number;
  /** Saved options over the optimizer's defaults, fully checked (a scheduled residue below 0 as its schedule's step would take it). */
  options(saved: Partial<O>, where: string, schedules: readonly SavedSchedule[]): O;
  /** The option a saved schedule's name means in group i: [group, key, index] (throws as setSchedule does). */
  slot(i: number, name: string): [number, string, number];
  /** The schedule driving that option now, if any: its user functions rebuild a saved one. */
  driver(i: number, name: string): ScheduleDriver | undefined;
  /** The buffers options `o` need under training options `training`. */
  buffersFor(o: O, training: Training): StateBuffer[];
}

/** Checks a whole state dict against `target`; throws before anything changes. */
export function readCheckpoint<O>(where: string, dict: StateDict, target: LoadTarget<O>): { training: SavedTraining; plans: GroupPlan<O>[] } {
  const { spec, groups } = target;
  if (typeof dict !== 'object' || dict === null || dict.format !== 'ravine/optimizer') {
    throw new TypeError(`${where}: not a ravine optimizer state dict (format 'ravine/optimizer')`);
  }
  if (dict.version !== 1 && dict.version !== 2)
    throw new TypeError(`${where}: state dict version ${describe(dict.version)} is not one this ravine reads (1, 2)`);
  if (dict.optimizer !== spec.name) throw new TypeError(`${where}: state dict is for ${describe(dict.optimizer)}, not ${spec.name}`);
  if (!Array.isArray(dict.paramGroups) || dict.paramGroups.length !== groups.length) {
    throw new RangeError(`${where}: state dict has ${describe(dict.paramGroups?.length)} param groups, this optimizer has ${groups.length}`);
  }
  if (typeof dict.state !== 'object' || dict.state === null)
    throw new TypeError(`${where}: state must be an object keyed by tensor name, got ${describe(dict.state)}`);
  const training = readSavedTraining(where, dict, target.training, target.calls);
  checkShapes(where, dict.shapes, groups);
  const mine = new Set(groups.flatMap((g) => g.params.map((t) => t.name)));
  for (const name of Object.keys(dict.state)) {
    if (!mine.has(name)) throw new RangeError(`${where}: state for tensor ${describe(name)}, which this optimizer does not hold`);
  }
  const plans = groups.map((group, i) => {
    const saved = dict.paramGroups[i];
    if (typeof saved !== 'object' || saved === null) throw new TypeError(`${where}: param group ${i} is ${describe(saved)}`);
    const names = group.params.map((t) => t.name);
    if (!Array.isArray(saved.params) || saved.params.join('\u0000') !== names.join('\u0000')) {
      throw new RangeError(`${where}: param group ${i} holds ${describe(saved.params)}, this optimizer's holds ${describe(names)}`);
    }
    const { params: _, schedules: savedSchedules, ...savedOptions } = saved;
    const schedules = readSchedules(
      `${where} param group ${i}`,
      savedSchedules,
      dict.version,
      (name) => target.slot(i, name),
      (name) => target.driver(i, name),
    );
    const options = target.options(savedOptions as Partial<O>, `${where} param group ${i}`, schedules);
    // A version-1 dict predates training options: the ones in effect stay, their buffers start afresh.
    const needed = dict.version === 1 ? spec.stateBuffers(options) : target.buffersFor(options, training.options);
    // Optional buffers these options do not use, carried by the checkpoint: loaded all the same.
    const carried = (spec.optionalBuffers ?? [])
      .filter(
        (name) =>
          !needed.some((b) => b.name === name) &&
          group.params.some((t) => (own(dict.state, t.name) as Record<string, unknown> | undefined)?.[name] !== undefined),
      )
      .map((name) => ({ name, fill: 0 }));
    const buffers = [...needed, ...carried];
    const row = rowNamed(spec.name);
    // A buffer the optimizer shapes (Adafactor's) may be absent for some tensors: a vector has no row factor.
    const kept = (t: Tensor) => buffers.filter((b) => spec.stateShape?.(b.name, t.shape) !== null);
    const entries = group.params.map((t) => checkEntry(where, t, own(dict.state, t.name), kept(t), spec.scalars ?? {}, spec.optionalBuffers ?? [], row, spec));
    const first = entries[0];
    for (const key of ['step', ...Object.keys(spec.scalars ?? {})]) {
      if (entries.some((e) => e.scalars[key] !== first.scalars[key])) {
        throw new RangeError(`${where}: the tensors of param group ${i} disagree on ${key}; ravine steps a group together`);
      }
    }
    for (const { name } of buffers) {
      const has = entries.filter((e) => name in e.buffers);
      if (has.some((e) => (e.buffers[name] === null) !== (has[0].buffers[name] === null))) {
        throw new RangeError(
          `${where}: state '${name}' is null (not yet written) for some tensors of param group ${i} and not for others; ravine keeps a group's state together`,
        );
      }
    }
    if (training.pending > 0 && first.buffers.accumulatedGrad == null) {
      throw new RangeError(`${where}: training.pendingMicroBatches is ${training.pending}, but param group ${i}'s accumulatedGrad is not there (null)`);
    }
    return { options, entries, buffers, schedules };
  });
  return { training, plans };
}

/** The shapes a checkpoint records, each the one its tensor has (a dict without them, or without one, loads into any shape). */
function checkShapes(where: string, shapes: unknown, groups: readonly ParamGroup<unknown>[]): void {
  if (shapes === undefined) return;
  if (typeof shapes !== 'object' || shapes === null || Array.isArray(shapes))
    throw new TypeError(`${where}: shapes must be an object keyed by tensor name, got ${describe(shapes)}`);
  const tensors = new Map(groups.flatMap((g) => g.params.map((t) => [t.name, t] as const)));
  for (const [name, saved] of Object.entries(shapes)) {
    const t = tensors.get(name);
    if (t === undefined) throw new RangeError(`${where}: shapes names tensor ${describe(name)}, which this optimizer does not hold`);
    if (!Array.isArray(saved) || saved.length !== t.shape.length || saved.some((d, k) => d !== t.shape[k]))
      throw new RangeError(`${where}: tensor '${name}' has shape [${t.shape.join(', ')}], the checkpoint's is ${describe(saved)}`);
  }
}

/** A checkpoint's training options and counters, checked; a version-1 dict keeps the ones in effect (`current`, `calls`). */
function readSavedTraining(where: string, dict: StateDict, current: Training, calls: number): SavedTraining {
  if (dict.version === 1 || dict.training === undefined) {
    if (dict.version === 2) throw new TypeError(`${where}: a version-2 state dict needs training { options, calls, pendingMicroBatches, skippedSteps }`);
    return { options: current, calls, pending: 0, skipped: 0 };
  }
  const saved = dict.training as unknown as Record<string, unknown>;
  if (typeof saved !== 'object' || saved === null)
    throw new TypeError(`${where}: training must be { options, pendingMicroBatches, skippedSteps }, got ${describe(saved)}`);
  const options = readTraining(`${where} training.options`, saved.options, NO_TRAINING);
  const pending = saved.pendingMicroBatches,
    skipped = saved.skippedSteps,
    savedCalls = saved.calls;
  if (typeof savedCalls !== 'number' || !Number.isSafeInteger(savedCalls) || savedCalls < 0)
    throw new RangeError(`${where}: training.calls must be an integer >= 0, got ${describe(savedCalls)}`);
  if (typeof pending !== 'number' || !Number.isInteger(pending) || pending < 0 || pending >= options.accumulate) {
    throw new RangeError(
      `${where}: training.pendingMicroBatches must be an integer in [0, ${options.accumulate - 1}] (accumulate ${options.accumulate}), got ${describe(pending)}`,
    );
  }
  if (typeof skipped !== 'number' || !Number.isSafeInteger(skipped) || skipped < 0) {
    throw new RangeError(`${where}: training.skippedSteps must be an integer >= 0, got ${describe(skipped)}`);
  }
  return { options, calls: savedCalls, pending, skipped };
}

/**
 * A saved group's schedules, each checked by building it (with the user functions of the schedule the
 * option has now, `like(name)`); `slot(name)` checks the name. Nothing is attached yet.
 */
export function readSchedules(
  where: string,
  saved: unknown,
  version: number,
  slot: (name: string) => [number, string, number],
  like: (name: string) => ScheduleDriver | undefined,
): SavedSchedule[] {
  if (saved === undefined) return [];
  if (version < 2 || typeof saved !== 'object' || saved === null || Array.isArray(saved)) {
    throw new TypeError(`${where}: schedules must be an object keyed by option name (state dict version 2), got ${describe(saved)}`);
  }
  return Object.entries(saved).map(([name, data]) => {
    const [, key, index] = slot(name);
    return { key, index, name, driver: buildSaved(where, name, data, like(name)), data: data as ScheduleJSON };
  });
}

/**
 * One tensor's saved state, checked: `step` an integer in [0, 2^24] (torch counts in float32),
 * per-group scalars in range (the registry row's scalarKeys), and every buffer these options need present — its floats (a
 * Float32Array, an array of numbers, or JSON's { float32 }), or null for one not yet written —
 * with the tensor's length, and ≥ 0 (+∞ allowed, NaN not) in the buffers torch keeps non-negative; an
 * optional buffer (spec.optionalBuffers) may be missing, which reads as null.
 * A tensor that has never been stepped may have no buffers at all (torch's empty state).
 */
function checkEntry(
  where: string,
  t: Tensor,
  saved: unknown,
  buffers: readonly StateBuffer[],
  scalarDefaults: Readonly<Record<string, number>>,
  optional: readonly string[],
  row: OptimizerRow | undefined,
  spec: OptimizerSpec<unknown>,
): Entry {
  if (typeof saved !== 'object' || saved === null) throw new TypeError(`${where}: no state for tensor '${t.name}'`);
  const entry = saved as Record<string, unknown>;
  for (const key of Object.keys(entry)) {
    if (key !== 'step' && !Object.hasOwn(scalarDefaults, key) && !buffers.some((b) => b.name === key)) {
      throw new TypeError(
        `${where}: unknown state key '${t.name}'.${describe(key)} for these options (expected step${Object.keys(scalarDefaults)
          .map((k) => `, ${k}`)
          .join('')}${buffers.map((b) => `, ${b.name}`).join('')})`,
      );
    }
  }
  const step = entry.step;
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0 || step > STEP_LIMIT) {
    throw new RangeError(`${where}: state '${t.name}'.step must be an integer in [0, 2^24] (torch counts steps in float32), got ${describe(step)}`);
  }
  const scalars: Record<string, number> = { step };
  for (const [key, initial] of Object.entries(scalarDefaults)) {
    const value = entry[key] ?? (step === 0 ? initial : undefined);
    const [range, holds] = row?.scalarKeys[key] ?? ['finite', Number.isFinite];
    if (typeof value !== 'number' || !holds(value)) {
      throw new RangeError(`${where}: state '${t.name}'.${key} must be a number ${range}, got ${describe(value)}`);
    }
    scalars[key] = value;
  }
  const neverStepped = step === 0 && buffers.every((b) => entry[b.name] === undefined);
  const values: Record<string, Float32Array | null> = {};
  for (const { name } of buffers) {
    // An optional buffer (SGD's momentumBuffer) is absent from a dict saved while the options did not use
    // it, even if they were changed to use it before the save: not yet written, as torch's None.
    const value = neverStepped || (entry[name] === undefined && optional.includes(name)) ? null : entry[name];
    if (value === undefined) throw new TypeError(`${where}: state '${t.name}'.${name} is missing: these options need it (null marks a buffer not yet written)`);
    const size = (spec.stateShape?.(name, t.shape) ?? t.shape).reduce((n, d) => n * d, 1);
    values[name] = value === null ? null : readBuffer(`${where}: state '${t.name}'.${name}`, value, size, row?.stateKeys[name] === 'nonNegative');
  }
  return { scalars, buffers: values };
}

/** A saved buffer's floats, checked: its kind, its length, every element a number, and ≥ 0 where required. */
function readBuffer(what: string, value: unknown, size: number, nonNegative: boolean): Float32Array {
  const floats = readFloat32(what, value, size);
  if (nonNegative) {
    const bad = floats.findIndex((v) => !(v >= 0));
    if (bad >= 0) throw new RangeError(`${what}[${bad}] must be ≥ 0 (torch keeps this buffer non-negative; NaN is not allowed), got ${floats[bad]}`);
  }
  return floats;
}

/** Writes a checked group plan's step, scalars and buffers into the group's memory (buffers allocated already). */
export function restoreState(m: GroupMemory, plan: GroupPlan<unknown>, scalarKeys: readonly string[]): void {
  const { entries, buffers } = plan;
  m.step = entries[0].scalars.step;
  for (const key of scalarKeys) m.scalars[key] = entries[0].scalars[key];
  for (const buffer of buffers) {
    // A buffer none of the tensors keeps (Adafactor's variance in a group of matrices) stays as allocated.
    const fresh = entries.find((e) => buffer.name in e.buffers)?.buffers[buffer.name] ?? null;
    if (fresh === null) {
      m.fillState(buffer.name, buffer.fill);
      m.fresh.add(buffer.name);
    } else {
      m.tensors.forEach((_, k) => {
        if (buffer.name in entries[k].buffers) m.writeState(buffer.name, k, entries[k].buffers[buffer.name]!);
      });
      m.fresh.delete(buffer.name);
    }
  }
}
