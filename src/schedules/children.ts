import { describe } from '../describe.js';
import { Schedule } from './schedule.js';

// SequentialLR and ChainedScheduler own their children: they restart and step them, so a child has one
// parent and one slot.

const owned = new WeakSet<Schedule>();

/** Checks a composite's children: distinct schedules, none of the kinds in `refused`. */
export function children(where: string, value: unknown, refused: readonly string[]): Schedule[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new TypeError(`${where}: option schedulers must be a non-empty array of schedules, got ${describe(value)}`);
  const seen = new Set<Schedule>();
  value.forEach((s: unknown, i) => {
    if (!(s instanceof Schedule))
      throw new TypeError(`${where}: schedulers[${i}] must be a schedule (from stepLR(), ... or a oneCycleLR()/cyclicLR() part), got ${describe(s)}`);
    if (refused.includes(s.kind)) throw new TypeError(`${where}: schedulers[${i}] is a ${s.kind}, which torch 1.13 cannot put in a ${where}`);
    if (owned.has(s)) throw new TypeError(`${where}: schedulers[${i}] already belongs to another sequentialLR or chainedScheduler`);
    if (seen.has(s)) throw new TypeError(`${where}: schedulers[${i}] appears twice; a schedule has one position, so give each slot its own`);
    seen.add(s);
  });
  return value;
}

/** Marks `schedulers` as owned by a composite that was just built from them. */
export function adopt(schedulers: readonly Schedule[]): void {
  for (const s of schedulers) owned.add(s);
}

/** Whether a sequentialLR or chainedScheduler owns `s` (then only it may step `s`). */
export function isOwned(s: Schedule): boolean {
  return owned.has(s);
}
