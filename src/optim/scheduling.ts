import { describe } from '../ravine.js';
import { Schedule } from '../schedules/schedule.js';
import { accessors, checkFree, findDrivers, isDriver, optionName, parseOptionName, type Driven } from './drivers.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { Found } from './paramGroups.js';

// The optimizer's side of its schedules: which option a name ('lr', 'betas[0]') means, the schedules
// assigned to options since the last look, advancing them after a step, and errors that say which
// schedule set a value. The optimizer holds the schedules (per group, its Driven[]); these read them.

/** A schedule step() advances, with its group and its option's own reader and writer (drivers.ts: accessors). */
export interface Stepped {
  i: number;
  d: Driven;
  schedule: Schedule;
  read: () => number;
  write: (value: number) => void;
}

/** The schedules step() advances (not the plateaus), flat, with their groups: rebuilt when one is attached or detached. */
export function steppedOf(groups: readonly object[], driven: readonly (readonly Driven[])[]): Stepped[] {
  return driven.flatMap((ds, i) => ds.flatMap((d) => (d.driver instanceof Schedule ? [{ i, d, schedule: d.driver, ...accessors(groups[i], d) }] : [])));
}

/**
 * Checks a (group, option name) pair against an optimizer with `groups` groups and options `defaults`:
 * [group index, option key, array index or -1].
 */
export function slotOf<O>(spec: OptimizerSpec<O>, defaults: Readonly<O>, groups: number, method: string, group: number, name: string): [number, string, number] {
  const where = `${spec.name}.${method}`;
  if (!Number.isInteger(group) || group < 0 || group >= groups) {
    throw new RangeError(`${where}: group must be an integer in [0, ${groups - 1}], got ${describe(group)}`);
  }
  const parsed = typeof name === 'string' ? parseOptionName(name) : null;
  const base = parsed === null ? undefined : (defaults as Record<string, unknown>)[parsed[0]];
  const numeric = parsed !== null && Object.hasOwn(spec.defaults, parsed[0]) && (parsed[1] < 0
    ? typeof base === 'number' || isDriver(base) || (base === undefined && spec.required?.includes(parsed[0] as keyof O & string))
    : Array.isArray(base) && parsed[1] < base.length);
  if (!numeric) {
    const names = Object.entries(defaults as Record<string, unknown>).flatMap(([k, v]) => (Array.isArray(v) ? v.map((_, j) => optionName(k, j)) : typeof v === 'boolean' ? [] : [k]));
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
    if (found.findIndex((f) => f.driver === driver) !== k) throw new TypeError(`${where}: one ${driver.kind} is assigned to two options; a schedule drives one`);
  });
  return found;
}

/**
 * Steps every schedule after a step (torch's scheduler.step() after optimizer.step()); plateaus wait for
 * observe(). `optimizer` and `memory` only name the failing schedule's option in the error.
 */
export function advanceSchedules(stepped: readonly Stepped[], optimizer: string, memory: readonly { readonly where: string }[]): void {
  let k = 0;
  try {
    for (; k < stepped.length; k++) {
      const s = stepped[k];
      s.write(s.schedule.advance(s.read()));
    }
  } catch (first) {
    // The others still advance, so that schedules never drift apart; the first failure is reported.
    const { i, d } = stepped[k];
    const failure = new RangeError(`${optimizer}.step: the step was taken (every group), but the schedule of ${memory[i].where}'s ${d.name} could not advance: ${first instanceof Error ? first.message : describe(first)}`);
    for (k++; k < stepped.length; k++) {
      const s = stepped[k];
      try {
        s.write(s.schedule.advance(s.read()));
      } catch {
        // reported through the first
      }
    }
    throw failure;
  }
}

/** An option check's error, saying which schedule set the offending value (`driven`: the group's schedules). */
export function explain(driven: readonly Driven[], e: unknown): unknown {
  if (!(e instanceof Error) || driven.length === 0) return e;
  const names = driven.map((d) => `${d.name} (${d.driver.kind})`).join(', ');
  return new (e instanceof RangeError ? RangeError : TypeError)(`${e.message}; options set by schedules in this group: ${names}`);
}
