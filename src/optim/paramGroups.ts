import { checkTensors } from './checkTensors.js';
import { implementationOption } from './implementation.js';
import type { Context } from '../context.js';
import { describe } from '../describe.js';
import { ReduceLROnPlateau } from '../schedules/reduceLROnPlateau.js';
import { Tensor } from '../tensor.js';
import { checkFree, copyDriver, findDrivers, optionName, residuesAsZero, writeOption, type Driven, type ScheduleDriver } from './drivers.js';
import type { OptimizerSpec } from './optimizerSpec.js';

// Param groups as the user gives them and as an optimizer takes them: options merged over the defaults
// (schedules taken out, their values put in), tensors checked, each schedule given to one option of one
// group. Nothing here allocates or takes a tensor: the optimizer installs what these checks return.

/**
 * A parameter group as the user sees it (torch's `param_groups[i]`): its tensors and its options, each
 * the number in effect now (a scheduled option too: its schedule writes it after every step).
 */
export type ParamGroup<O> = O & { readonly params: readonly Tensor[] };
/** A number option may be given a schedule instead (`lr: cosineAnnealingLR(...)`), as may each of `betas`. */
export type Drivable<T> = T extends number ? number | ScheduleDriver : T extends [number, number] ? [number | ScheduleDriver, number | ScheduleDriver] : T;
/** Options as given: any subset, each number option a number or a schedule. */
export type OptionsInput<O> = { [K in keyof O]?: Drivable<O[K]> };
export type ParamGroupInput<O> = { params: Tensor[] } & OptionsInput<O>;
export type Params<O> = Tensor[] | ParamGroupInput<O>[];

/** A schedule found among options, and where. */
export type Found = { key: string; index: number; driver: ScheduleDriver };

/** A group checked and not yet installed: its tensors, its options (numbers only) and the schedules that drive them. */
export interface Resolved<O> {
  tensors: Tensor[];
  options: O;
  driven: Driven[];
}

/** What checking new groups needs from the optimizer that will take them. */
export interface GroupDefaults<O> {
  readonly spec: OptimizerSpec<O>;
  /** The optimizer's options, numbers only. */
  readonly defaults: Readonly<O>;
  /** The schedules among the optimizer's options. */
  readonly drivers: readonly Found[];
  /** The full check of one group's options (the optimizer's #check). */
  check(where: string, o: O): void;
}

/**
 * An optimizer's own options (`options` over the spec's defaults), checked as torch does even if every
 * group overrides them, with the schedules among them (each must be free): what its groups are checked against.
 */
export function readDefaults<O>(spec: OptimizerSpec<O>, options: unknown, where: string): GroupDefaults<O> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
  const { merged: defaults, drivers } = mergeDriven(spec, spec.defaults, (options ?? {}) as Partial<O>, where);
  for (const d of drivers) checkFree(where, optionName(d.key, d.index), d.driver);
  spec.check(where, defaults);
  return { spec, defaults, drivers, check: (at, o) => spec.check(at, o) };
}

/** `params` as groups: an array of tensors is one group; otherwise each element must be a group (checked by resolveGroups). */
export function groupsOf<O>(where: string, params: Params<O>): ParamGroupInput<O>[] {
  if (!Array.isArray(params) || params.length === 0) {
    throw new TypeError(`${where}: params must be a non-empty array of tensors or of param groups, got ${describe(params)}`);
  }
  const tensors = (params as unknown[]).filter((p) => p instanceof Tensor).length;
  // Tensors and something else: the something else is named as every caller names a non-tensor.
  if (tensors > 0 && tensors < params.length) checkTensors(where, params);
  return tensors > 0 ? [{ params: params as Tensor[] } as ParamGroupInput<O>] : (params as ParamGroupInput<O>[]);
}

/** A copy of a group's options, without params, its arrays (betas) copied too. */
export function cloneOptions<O>(o: O): O {
  const copy = { ...o } as Record<string, unknown>;
  delete copy.params;
  for (const key of Object.keys(copy)) if (Array.isArray(copy[key])) copy[key] = [...(copy[key] as unknown[])];
  return copy as O;
}

/** Defaults overlaid with `options`; unknown keys are rejected. Checking is the caller's. */
export function mergeOptions<O>(spec: OptimizerSpec<O>, base: Readonly<O>, options: Partial<O>, where: string): O {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  const given: Record<string, unknown> = {};
  for (const key of Object.keys(options)) {
    // torch's foreach, fused, capturable, differentiable: checked and dropped (implementation.ts).
    if (!Object.hasOwn(spec.defaults, key) && implementationOption(where, spec.name, key, (options as Record<string, unknown>)[key])) continue;
    // Own, known keys only: 'toString' or '__proto__' are not options because Object.prototype has them.
    if (!Object.hasOwn(spec.defaults, key)) {
      throw new TypeError(`${where}: unknown option ${describe(key)} (${spec.name} takes ${Object.keys(spec.defaults).join(', ')})`);
    }
    // undefined means "the default", as a missing key does in torch.
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) given[key] = value;
  }
  return cloneOptions({ ...base, ...given } as O);
}

/**
 * `mergeOptions`, with the schedules among `options` taken out: the merged options hold their values, so
 * a group's number options are numbers from the start (an option field that once held an object would
 * box every number written to it, ~20 ns a scheduled step), and the schedules come back beside them.
 */
export function mergeDriven<O>(spec: OptimizerSpec<O>, base: Readonly<O>, options: Partial<O>, where: string): { merged: O; drivers: Found[] } {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  const drivers = findDrivers(options);
  if (drivers.length === 0) return { merged: mergeOptions(spec, base, options, where), drivers };
  const values: Record<string, unknown> = { ...options };
  for (const d of drivers) {
    if (d.index < 0) values[d.key] = d.driver.value;
    else values[d.key] = (values[d.key] as unknown[]).map((v, j) => (j === d.index ? d.driver.value : v));
  }
  return { merged: mergeOptions(spec, base, values as Partial<O>, where), drivers };
}

/**
 * Checks groups (tensors and options) before anything moves. `ctx` is the optimizer's context (null
 * before its first group: the first tensor's then), `existing` the tensors it holds, `first` the index
 * the first new group will have. Returns the context every tensor belongs to.
 */
export function resolveGroups<O extends object>(
  owner: GroupDefaults<O>,
  ctx: Context | null,
  groups: ParamGroupInput<O>[],
  existing: Tensor[],
  first: number,
): { ctx: Context; resolved: Resolved<O>[] } {
  const seen = new Set<Tensor>(existing);
  const claimed = new Set<ScheduleDriver>();
  const names = new Set(existing.map((t) => t.name));
  const resolved = groups.map((group, i) => {
    const where = `${owner.spec.name} param group ${first + i}`;
    if (typeof group !== 'object' || group === null || !Array.isArray(group.params) || group.params.length === 0) {
      throw new TypeError(`${where}: a param group must be { params: Tensor[] (non-empty), ...options }, got ${describe(group)}`);
    }
    const { params: tensors, ...options } = group;
    ctx = checkTensors(where, tensors, { ctx, free: true, seen, names });
    const { merged, drivers } = mergeDriven(owner.spec, owner.defaults, options as Partial<O>, where);
    // The optimizer's schedules apply to the options this group does not give itself.
    const given = new Set(Object.keys(options).filter((key) => (options as Record<string, unknown>)[key] !== undefined));
    const defaults = owner.drivers.filter((d) => !given.has(d.key));
    // Each schedule drives one option of one group: a default's goes to the first group that uses it
    // (later groups get a copy at its position), a group's own must be free.
    const driven: Driven[] = [...drivers, ...defaults].map(({ key, index, driver }) => {
      const name = optionName(key, index);
      let own = driver;
      if (defaults.some((d) => d.driver === driver)) {
        if ((driver.drives !== null || claimed.has(driver)) && driver instanceof ReduceLROnPlateau) {
          // A copy would never be observed: the user's observe() moves the one they hold.
          throw new TypeError(
            `${where}: the reduceLROnPlateau on ${name} in the optimizer's options drives its first group only; give each group its own, in the group's options`,
          );
        }
        if (driver.drives !== null || claimed.has(driver)) own = copyDriver(driver);
      } else {
        checkFree(where, name, driver);
        if (claimed.has(driver))
          throw new TypeError(
            `${where}: option ${name} is given a ${driver.kind} that another option or group was given too; a schedule drives one option of one group`,
          );
      }
      claimed.add(own);
      writeOption(merged, { key, index }, own.value);
      return { key, index, name, driver: own };
    });
    owner.check(where, residuesAsZero(merged, driven) ?? merged);
    return { tensors, options: merged, driven };
  });
  // Every group has a tensor, so the context is known by now.
  return { ctx: ctx!, resolved };
}
