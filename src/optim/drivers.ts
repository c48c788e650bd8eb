import { describe } from '../describe.js';
import { isOwned } from '../schedules/children.js';
import { scheduleFromJSON, type ScheduleFunctions } from '../schedules/fromJSON.js';
import { ReduceLROnPlateau } from '../schedules/reduceLROnPlateau.js';
import { Schedule, type ScheduleJSON } from '../schedules/schedule.js';

// What drives a hyperparameter that is not a plain number: a schedule (stepped by the optimizer after each
// of its steps, torch's `scheduler.step()` after `optimizer.step()`) or a plateau controller (moved by the
// user's `observe(metric)`). The group's option always holds the number in effect; the driver lives here.

export type ScheduleDriver = Schedule | ReduceLROnPlateau;

export function isDriver(value: unknown): value is ScheduleDriver {
  return value instanceof Schedule || value instanceof ReduceLROnPlateau;
}

/** One driven option of one group: `lr`, or an element of an array option (`betas[0]`). */
export interface Driven {
  readonly key: string;
  /** -1 for a number option; the element's index for an array option. */
  readonly index: number;
  /** 'lr', 'betas[0]': how errors, checkpoints and setSchedule name it. */
  readonly name: string;
  readonly driver: ScheduleDriver;
}

export function optionName(key: string, index: number): string {
  return index < 0 ? key : `${key}[${index}]`;
}

/** The option a name refers to: 'lr' → ['lr', -1], 'betas[1]' → ['betas', 1]; null if malformed. */
export function parseOptionName(name: string): [string, number] | null {
  const m = /^([A-Za-z]\w*)(?:\[(0|[1-9]\d*)\])?$/.exec(name);
  return m === null ? null : [m[1], m[2] === undefined ? -1 : Number(m[2])];
}

// Reading and writing an option by a key held in a variable is a keyed property access, which V8 makes
// megamorphic (~20 ns each) once it has seen several keys; a scheduled step reads and writes each driven
// option once. The options ravine's optimizers have are named here, so that each is a named access with
// an inline cache of its own; any other key falls back to the keyed access.
export function readOption(group: object, d: { key: string; index: number }): number {
  // biome-ignore lint/suspicious/noExplicitAny: a group of any optimizer's options, read by key; the named cases keep V8's inline caches monomorphic
  const g = group as any;
  if (d.index >= 0) return d.key === 'betas' ? g.betas[d.index] : g[d.key][d.index];
  switch (d.key) {
    case 'lr':
      return g.lr;
    case 'momentum':
      return g.momentum;
    case 'weightDecay':
      return g.weightDecay;
    case 'eps':
      return g.eps;
    default:
      return g[d.key];
  }
}

export function writeOption(group: object, d: { key: string; index: number }, value: number): void {
  // biome-ignore lint/suspicious/noExplicitAny: a group of any optimizer's options, read by key; the named cases keep V8's inline caches monomorphic
  const g = group as any;
  if (d.index >= 0) {
    if (d.key === 'betas') g.betas[d.index] = value;
    else g[d.key][d.index] = value;
    return;
  }
  switch (d.key) {
    case 'lr':
      g.lr = value;
      break;
    case 'momentum':
      g.momentum = value;
      break;
    case 'weightDecay':
      g.weightDecay = value;
      break;
    case 'eps':
      g.eps = value;
      break;
    default:
      g[d.key] = value;
  }
}

/**
 * Reader and writer of one option of one group, as closures of their own: a scheduled step calls them once
 * each, so their property accesses stay monomorphic (named, not keyed) for the options named here.
 */
export function accessors(group: object, d: { key: string; index: number }): { read: () => number; write: (value: number) => void } {
  // biome-ignore lint/suspicious/noExplicitAny: a group of any optimizer's options, read by key; the named cases keep V8's inline caches monomorphic
  const g = group as any;
  if (d.index >= 0) {
    const i = d.index;
    if (d.key === 'betas') return { read: () => g.betas[i], write: (v) => void (g.betas[i] = v) };
    return { read: () => readOption(g, d), write: (v) => writeOption(g, d, v) };
  }
  switch (d.key) {
    case 'lr':
      return { read: () => g.lr, write: (v) => void (g.lr = v) };
    case 'momentum':
      return { read: () => g.momentum, write: (v) => void (g.momentum = v) };
    case 'weightDecay':
      return { read: () => g.weightDecay, write: (v) => void (g.weightDecay = v) };
    case 'eps':
      return { read: () => g.eps, write: (v) => void (g.eps = v) };
    default:
      return { read: () => readOption(g, d), write: (v) => writeOption(g, d, v) };
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** Every driver among `options`' values (and their array elements), with where it sits. */
export function findDrivers(options: object): { key: string; index: number; driver: ScheduleDriver }[] {
  const found: { key: string; index: number; driver: ScheduleDriver }[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (key === 'params') continue;
    if (isDriver(value)) found.push({ key, index: -1, driver: value });
    else if (Array.isArray(value)) value.forEach((v, index) => isDriver(v) && found.push({ key, index, driver: v }));
  }
  return found;
}

/** Throws unless `driver` is free to drive an option: not held by an optimizer or by a composite schedule. */
export function checkFree(where: string, name: string, driver: ScheduleDriver): void {
  if (driver.drives !== null) {
    throw new TypeError(
      `${where}: option ${name} is given a ${driver.kind} that already drives ${driver.drives}; a schedule drives one option of one group (make another, or give it in the optimizer's options: each group then gets its own copy)`,
    );
  }
  if (driver instanceof Schedule && isOwned(driver)) {
    throw new TypeError(`${where}: option ${name} is given a ${driver.kind} that belongs to a sequentialLR or chainedScheduler, which steps it`);
  }
}

/** `alive`: false once the optimizer is disposed (or its context is), which frees the schedule. */
export function bind(group: object, d: Driven, label: string, alive: () => boolean): void {
  if (d.driver instanceof Schedule) d.driver.bind(label, alive);
  else d.driver.bind({ drives: label, read: () => readOption(group, d), write: (value) => writeOption(group, d, value), alive });
}

export function unbind(d: Driven): void {
  d.driver.bind(null);
}

/** The user functions a schedule holds (its children's too), in the order `scheduleFromJSON` takes them back. */
export function functionsOf(driver: ScheduleDriver): ScheduleFunctions {
  const lrLambda: NonNullable<ScheduleFunctions['lrLambda']> & unknown[] = [];
  const scaleFn: NonNullable<ScheduleFunctions['scaleFn']> & unknown[] = [];
  const walk = (s: Schedule): void => {
    if ('schedulers' in s) for (const child of (s as unknown as { schedulers: readonly Schedule[] }).schedulers) walk(child);
    const own = s.functions();
    if (own.lrLambda) lrLambda.push(own.lrLambda);
    if (own.scaleFn) scaleFn.push(own.scaleFn);
  };
  if (driver instanceof Schedule) walk(driver);
  return { ...(lrLambda.length > 0 ? { lrLambda } : {}), ...(scaleFn.length > 0 ? { scaleFn } : {}) };
}

/** A driver of its own at the same position: what a group gets from a schedule in the optimizer's defaults. */
export function copyDriver(driver: ScheduleDriver): ScheduleDriver {
  return scheduleFromJSON(JSON.parse(JSON.stringify(driver)), functionsOf(driver));
}

/** Whether two saved schedules are the same schedule (kind, options, parts, children), wherever they stand. */
export function sameDefinition(a: ScheduleJSON, b: ScheduleJSON): boolean {
  if (a.kind !== b.kind || a.part !== b.part || JSON.stringify(a.options) !== JSON.stringify(b.options)) return false;
  const ac = a.schedulers ?? [],
    bc = b.schedulers ?? [];
  return ac.length === bc.length && ac.every((c, i) => sameDefinition(c, bc[i]));
}

/** Moves `target` to the position `data` records (children first). `data` was validated by building it. */
export function placeAt(target: ScheduleDriver, data: ScheduleJSON): void {
  if ('schedulers' in target) {
    const schedulers = (target as unknown as { schedulers: readonly Schedule[] }).schedulers;
    schedulers.forEach((s, i) => placeAt(s, data.schedulers![i]));
  }
  target.restore(data.t, data.value, data.state);
}

/**
 * A saved schedule, checked by building it (with the user functions of `like`, the schedule the option has
 * now, if any); errors name the option.
 */
export function buildSaved(where: string, name: string, data: unknown, like: ScheduleDriver | undefined): ScheduleDriver {
  try {
    return scheduleFromJSON(data, like === undefined ? {} : functionsOf(like));
  } catch (e) {
    const why = e instanceof Error ? e.message : describe(e);
    const hint = /needs its \w+ back/.test(why) ? ` (give the optimizer a schedule of the same kind on ${name} before loading: its functions are used)` : '';
    if (e instanceof RangeError) throw new RangeError(`${where}: the schedule of ${name}: ${why}${hint}`);
    throw new TypeError(`${where}: the schedule of ${name}: ${why}${hint}`);
  }
}

/**
 * How far below 0, relative to its base, a schedule's value is a rounding residue rather than a value:
 * torch's chainable linearLR to endFactor 0 ends at lr·(1 − s/s') with s' within an ulp or two of s, as
 * low as −1e-17·base (measured: 60 of 300 settings end below 0); a user's function that means to go below 0
 * goes far lower.
 */
const RESIDUE = 2 ** -40;

/**
 * The group's options as the range checks should see them: each option a schedule drives that is a
 * rounding residue below 0 read as 0 (the step uses it as it is, as torch would). null when there is none.
 */
export function residuesAsZero<O>(group: O, driven: readonly Driven[]): O | null {
  let probe: Record<string, unknown> | null = null;
  for (const d of driven) {
    if (!(d.driver instanceof Schedule)) continue;
    const v = readOption(group as object, d);
    if (v < 0 && v >= -RESIDUE * Math.abs(d.driver.base)) {
      probe ??= { ...(group as Record<string, unknown>) };
      if (d.index >= 0) probe[d.key] = [...(probe[d.key] as number[])]; // the group's own array stays as it is
      writeOption(probe, d, 0);
    }
  }
  return probe as O | null;
}
