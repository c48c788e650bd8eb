import { describe } from '../describe.js';
import type { ScheduleJSON } from '../schedules/schedule.js';
import {
  bind,
  checkFree,
  isDriver,
  optionName,
  placeAt,
  residuesAsZero,
  sameDefinition,
  unbind,
  writeOption,
  type Driven,
  type ScheduleDriver,
} from './drivers.js';
import { cloneOptions } from './paramGroups.js';
import { advanceAll, assignedDrivers, commitAll, explain, rollback, steppedOf, type Stepped } from './scheduling.js';
import type { SavedSchedule } from './stateDict.js';

// The schedules that drive one optimizer's options, group by group: which schedule drives which option,
// each bound to its option (drivers.ts), the ones assigned to options since the last look taken, and all
// of them moved with a step (scheduling.ts). The first-order optimizers and LBFGS each hold one.

export class GroupSchedules {
  /** Per group, the options schedules drive (in the order of the owner's groups). */
  readonly #driven: Driven[][] = [];
  /** The schedules a step advances (not the plateaus), flat, with their groups: rebuilt when one is attached or detached. */
  #stepped: Stepped[] = [];
  /** Schedules over all groups: a step with none takes the plain path. */
  #count = 0;
  readonly #groups: readonly object[];
  readonly #where: (i: number) => string;
  readonly #alive: () => boolean;
  /** Throws if an option may not be scheduled (LBFGS schedules three); the first-order optimizers' checks refuse the rest. */
  readonly #accept: (where: string, name: string) => void;

  /**
   * `groups`: the owner's groups, the array itself (it grows with them); `where(i)`: how errors and a
   * bound schedule name group i; `alive`: false once the owner or its context is disposed.
   */
  constructor(groups: readonly object[], where: (i: number) => string, alive: () => boolean, accept: (where: string, name: string) => void = () => {}) {
    this.#groups = groups;
    this.#where = where;
    this.#alive = alive;
    this.#accept = accept;
  }

  get count(): number {
    return this.#count;
  }

  /** The owner's new last group, with the schedules that drive its options. */
  addGroup(driven: readonly Driven[]): void {
    this.#driven.push([]);
    for (const d of driven) this.#attach(this.#driven.length - 1, d);
  }

  /** Group i's driven options (after taking the schedules assigned since the last look: `adoptAssigned`). */
  driven(i: number): readonly Driven[] {
    return this.#driven[i];
  }

  /** The schedule driving option `name` of group i now (after taking those assigned since the last look), or null. */
  current(i: number, name: string): ScheduleDriver | null {
    this.adoptAssigned(i);
    return this.driverOf(i, name) ?? null;
  }

  /** The schedule driving option `name` of group i, or undefined. */
  driverOf(i: number, name: string): ScheduleDriver | undefined {
    return this.#driven[i].find((d) => d.name === name)?.driver;
  }

  /**
   * setSchedule(): `driver` in charge of option `name` (`key`, `index`) of group i, or none there (null).
   * `check` sees group i's options as they would be (a scheduled residue below 0 as 0) before anything changes.
   */
  set(i: number, where: string, slot: { key: string; index: number; name: string }, driver: ScheduleDriver | null, check: (o: object) => void): void {
    if (driver !== null && !isDriver(driver)) throw new TypeError(`${where}: driver must be a schedule, a reduceLROnPlateau or null, got ${describe(driver)}`);
    this.adoptAssigned(i);
    const existing = this.#driven[i].find((d) => d.name === slot.name);
    if (driver === existing?.driver) return;
    if (driver === null) {
      if (existing !== undefined) this.detach(i, existing);
      return;
    }
    checkFree(where, slot.name, driver);
    const d = { ...slot, driver };
    const options = cloneOptions(this.#groups[i]);
    writeOption(options, d, driver.value);
    check(residuesAsZero(options, [...this.#driven[i].filter((e) => e.name !== slot.name), d]) ?? options);
    this.replace(i, d);
  }

  /**
   * After group i's options failed `check` with `e`: a schedule assigned to an option since the last step
   * (which fails the number check) is taken, and a scheduled value that is only a rounding residue below
   * 0 is checked as 0 (drivers.ts: residuesAsZero); then the group is checked again, or `e` is thrown,
   * saying which schedules set the group's options.
   */
  recheck<O>(i: number, e: unknown, where: string, check: (where: string, o: O) => void): void {
    const group = this.#groups[i];
    if (this.adoptAssigned(i)) {
      try {
        check(where, group as O);
        return;
      } catch (again) {
        e = again;
      }
    }
    const probe = residuesAsZero(group, this.#driven[i]);
    if (probe !== null) {
      try {
        check(where, probe as O);
        return;
      } catch {
        // the residue was not the only problem: report the first
      }
    }
    throw explain(this.#driven[i], e);
  }

  /** Puts `d` in charge of its option of group i (the option takes its value now), detaching the one there. */
  replace(i: number, d: Driven): void {
    const existing = this.#driven[i].find((e) => e.name === d.name);
    if (existing !== undefined) this.detach(i, existing);
    this.#attach(i, d);
  }

  detach(i: number, d: Driven): void {
    unbind(d);
    this.#driven[i].splice(this.#driven[i].indexOf(d), 1);
    this.#count--;
    this.#stepped = steppedOf(this.#groups, this.#driven);
  }

  #attach(i: number, d: Driven): void {
    writeOption(this.#groups[i], d, d.driver.value);
    this.#bind(i, d);
  }

  #bind(i: number, d: Driven): void {
    bind(this.#groups[i], d, `${this.#where(i)}'s ${d.name}`, this.#alive);
    this.#driven[i].push(d);
    this.#count++;
    this.#stepped = steppedOf(this.#groups, this.#driven);
  }

  /**
   * Takes the schedules assigned to group i's options since the last look (`paramGroups[0].lr = anneal(...)`),
   * each replacing the one there before. False if there were none.
   */
  adoptAssigned(i: number): boolean {
    const where = this.#where(i);
    const found = assignedDrivers(this.#groups[i], this.#driven[i], where);
    if (found.length === 0) return false;
    for (const { key, index } of found) this.#accept(where, optionName(key, index));
    for (const { key, index, driver } of found) this.replace(i, { key, index, name: optionName(key, index), driver });
    return true;
  }

  /** Group i's schedules as a checkpoint keeps them, keyed by option name; undefined without any. */
  saved(i: number): Record<string, ScheduleJSON> | undefined {
    this.adoptAssigned(i);
    const driven = this.#driven[i];
    return driven.length === 0 ? undefined : Object.fromEntries(driven.map((d) => [d.name, d.driver.toJSON()]));
  }

  /**
   * Group i's schedules as a checkpoint saved them (its options already hold the saved values); with
   * `only`, the ones in charge that the checkpoint does not name are detached. A saved schedule the same
   * as the one in charge moves that one to the saved position, so a handle on it stays live.
   */
  restore(i: number, saved: readonly SavedSchedule[], only: boolean): void {
    if (only) for (const d of [...this.#driven[i]]) if (!saved.some((s) => s.name === d.name)) this.detach(i, d);
    for (const s of saved) {
      const existing = this.#driven[i].find((d) => d.name === s.name);
      if (existing !== undefined && sameDefinition(existing.driver.toJSON(), s.data)) {
        placeAt(existing.driver, s.data);
        continue;
      }
      if (existing !== undefined) this.detach(i, existing);
      this.#bind(i, s);
    }
  }

  // A step and its schedules move together (scheduling.ts): checkStep, then advance before the update
  // (a schedule that cannot advance refuses the step), then commit after it, or rollback.

  /** Throws if a schedule is past its end (oneCycleLR's totalSteps), before anything is stepped. */
  checkStep(): void {
    const stepped = this.#stepped;
    for (let k = 0; k < stepped.length; k++) stepped[k].schedule.checkStep();
  }

  /** `optimizer` names the refused step; `float32`: the options reach float32 kernels (not LBFGS's). */
  advance(optimizer: string, float32 = true): void {
    advanceAll(this.#stepped, optimizer, this.#where, float32);
  }

  commit(): void {
    commitAll(this.#stepped);
  }

  rollback(): void {
    rollback(this.#stepped);
  }

  /** Frees every schedule (to drive another optimizer's option, or to be stepped by hand). */
  release(): void {
    for (const driven of this.#driven) for (const d of driven) unbind(d);
  }
}
