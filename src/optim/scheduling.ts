import { describe } from '../describe.js';
import { Schedule, type ScheduleJSON } from '../schedules/schedule.js';
import { accessors, checkFree, findDrivers, isDriver, optionName, parseOptionName, placeAt, type Driven } from './drivers.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { Found } from './paramGroups.js';

// The optimizer's side of its schedules: which option a name ('lr', 'betas[0]') means, the schedules
// assigned to options since the last look, advancing them with a step, and errors that say which
// schedule set a value. An optimizer's GroupSchedules (groupSchedules.ts) holds the schedules; these read them.
//
// A step and its schedules move together (torch keeps last_epoch equal to the optimizer's steps): step()
// advances every schedule *before* its kernels (advanceAll), keeping the new values aside, so a schedule
// that cannot advance refuses the step with nothing changed; then it writes them into the options
// (commitAll) after the kernels, or puts the schedules back (rollback) if the step is refused later.

/** A schedule step() advances, with its group and its option's own reader and writer (drivers.ts: accessors). */
export interface Stepped {
  i: number;
  d: Driven;
  schedule: Schedule;
  read: () => number;
  write: (value: number) => void;
  /**
   * Whether putting it back needs its whole JSON (warm restarts, SWALR and the composites keep more than
   * t and value); the others go back from t and value, with no allocation on the step's path.
   */
  whole: boolean;
  /** Where it stood before advanceAll, and the value it advanced to. */
  t: number;
  value: number;
  saved: ScheduleJSON | null;
  next: number;
}

/** The schedules step() advances (not the plateaus), flat, with their groups: rebuilt when one is attached or detached. */
export function steppedOf(groups: readonly object[], driven: readonly (readonly Driven[])[]): Stepped[] {
  return driven.flatMap((ds, i) =>
    ds.flatMap((d) => {
      if (!(d.driver instanceof Schedule)) return [];
      return [{ i, d, schedule: d.driver, ...accessors(groups[i], d), whole: d.driver.keepsMore, t: 0, value: 0, saved: null, next: 0 }];
    }),
  );
}

/**
 * Checks a (group, option name) pair against an optimizer with `groups` groups and options `defaults`:
 * [group index, option key, array index or -1].
 */
export function slotOf<O>(
  spec: OptimizerSpec<O>,
  defaults: Readonly<O>,
  groups: number,
  method: string,
  group: number,
  name: string,
): [number, string, number] {
  const where = `${spec.name}.${method}`;
  if (!Number.isInteger(group) || group < 0 || group >= groups) {
    throw new RangeError(`${where}: group must be an integer in [0, ${groups - 1}], got ${describe(group)}`);
  }
  const parsed = typeof name === 'string' ? parseOptionName(name) : null;
  const base = parsed === null ? undefined : (defaults as Record<string, unknown>)[parsed[0]];
  const numeric =
    parsed !== null &&
    Object.hasOwn(spec.defaults, parsed[0]) &&
    (parsed[1] < 0 ? typeof base === 'number' || isDriver(base) : Array.isArray(base) && parsed[1] < base.length);
  if (!numeric) {
    const names = Object.entries(defaults as Record<string, unknown>).flatMap(([k, v]) =>
      Array.isArray(v) ? v.map((_, j) => optionName(k, j)) : typeof v === 'boolean' ? [] : [k],
    );
    throw new TypeError(`${where}: ${describe(name)} is not a number option of ${spec.name} (those are ${names.join(', ')})`);
  }
  return [group, parsed![0], parsed![1]];
}

/**
 * The schedules assigned to a group's options since the last look (`paramGroups[0].lr = anneal(...)`),
 * checked: each free (or already the one in charge there) and given to one option only. `driven` is the
 * group's schedules now; the caller puts the found ones in their place.
 */
export function assignedDrivers(group: object, driven: readonly Driven[], where: string): Found[] {
  const found = findDrivers(group);
  found.forEach(({ key, index, driver }, k) => {
    const name = optionName(key, index);
    const existing = driven.find((d) => d.name === name);
    if (driver !== existing?.driver) checkFree(where, name, driver);
    if (found.findIndex((f) => f.driver === driver) !== k)
      throw new TypeError(`${where}: one ${driver.kind} is assigned to two options; a schedule drives one`);
  });
  return found;
}

/**
 * Advances every schedule for the step about to be taken (torch's scheduler.step() after
 * optimizer.step()), from its option's value now, keeping each new value aside: the options are not
 * written (commitAll does that after the update). If one cannot advance, every schedule is put back and
 * the step is refused, as it is when one would take a value that is Infinity in float32 (unless not
 * `float32`). Plateaus wait for observe(). `optimizer` and `where(i)` (group i) name the failing option.
 */
export function advanceAll(stepped: readonly Stepped[], optimizer: string, where: (i: number) => string, float32 = true): void {
  let k = 0;
  try {
    for (; k < stepped.length; k++) {
      const s = stepped[k];
      s.t = s.schedule.t;
      s.value = s.schedule.value;
      if (s.whole) s.saved = s.schedule.toJSON();
      s.next = s.schedule.advance(s.read());
      // Every option a schedule drives reaches the kernels as a float32 (LBFGS's, `float32` false, stay
      // doubles): 1e39 would be written as Infinity.
      if (float32 && !Number.isFinite(Math.fround(s.next)))
        throw new RangeError(`${s.schedule.kind}: the value at step ${s.schedule.t} would be ${s.next}, which is Infinity in float32`);
    }
  } catch (e) {
    // The failing one may have moved part of its state (a composite's children): it goes back too.
    rollback(stepped, k + 1);
    const { i, d } = stepped[k];
    throw new RangeError(
      `${optimizer}.step: the schedule of ${where(i)}'s ${d.name} cannot advance: ${e instanceof Error ? e.message : describe(e)}; nothing was stepped (the step count and every schedule are where they were)`,
    );
  }
}

/** The first `count` schedules back where advanceAll found them. */
export function rollback(stepped: readonly Stepped[], count = stepped.length): void {
  for (let k = 0; k < count; k++) {
    const s = stepped[k];
    if (s.whole) placeAt(s.schedule, s.saved!);
    else s.schedule.restore(s.t, s.value, undefined);
    s.saved = null;
  }
}

/** The values advanceAll computed, into their options: after the update that used the old ones. */
export function commitAll(stepped: readonly Stepped[]): void {
  for (let k = 0; k < stepped.length; k++) {
    const s = stepped[k];
    s.write(s.next);
    s.saved = null;
  }
}

/** An option check's error, saying which schedule set the offending value (`driven`: the group's schedules). */
export function explain(driven: readonly Driven[], e: unknown): unknown {
  if (!(e instanceof Error) || driven.length === 0) return e;
  const names = driven.map((d) => `${d.name} (${d.driver.kind})`).join(', ');
  return new (e instanceof RangeError ? RangeError : TypeError)(`${e.message}; options set by schedules in this group: ${names}`);
}
