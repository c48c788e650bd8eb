import { describe } from '../describe.js';
import { anneal } from './anneal.js';
import { chainedScheduler } from './chainedScheduler.js';
import { constantLR } from './constantLR.js';
import { cosineAnnealingLR } from './cosineAnnealingLR.js';
import { cosineAnnealingWarmRestarts } from './cosineAnnealingWarmRestarts.js';
import { cyclicLR, type ScaleFn } from './cyclicLR.js';
import { exponentialLR } from './exponentialLR.js';
import { lambdaLR, type LrLambda } from './lambdaLR.js';
import { linearLR } from './linearLR.js';
import { multiplicativeLR } from './multiplicativeLR.js';
import { multiStepLR } from './multiStepLR.js';
import { oneCycleLR } from './oneCycleLR.js';
import { polynomialLR } from './polynomialLR.js';
import { ReduceLROnPlateau, reduceLROnPlateau } from './reduceLROnPlateau.js';
import type { Schedule, ScheduleJSON } from './schedule.js';
import { sequentialLR } from './sequentialLR.js';
import { readOptions } from './validate.js';
import { stepLR } from './stepLR.js';
import { swaLR } from './swaLR.js';

// Rebuilds a schedule from `toJSON()`'s data at the same position: same options, same step, same value
// (a chainable schedule's value carries its history, manual changes included), same extra state. A built
// schedule is data all the way down except for user functions, which are passed back in.

/**
 * The user functions a saved schedule needs back: LambdaLR's and MultiplicativeLR's `lrLambda`, a custom
 * CyclicLR `scaleFn`. One function serves every schedule that needs it; an array is consumed in the
 * order those schedules appear in the data, depth first.
 */
export interface ScheduleFunctions {
  lrLambda?: LrLambda | LrLambda[];
  scaleFn?: ScaleFn | ScaleFn[];
}

type Built = Schedule | ReduceLROnPlateau;
type Options = Record<string, unknown>;

const KEYS = ['kind', 'options', 't', 'value', 'state', 'part', 'schedulers'];

class Functions {
  readonly #given: ScheduleFunctions;
  readonly #used = { lrLambda: 0, scaleFn: 0 };

  constructor(given: unknown) {
    if (typeof given !== 'object' || given === null)
      throw new TypeError(`scheduleFromJSON: functions must be an object { lrLambda?, scaleFn? }, got ${describe(given)}`);
    for (const key of Object.keys(given)) {
      if (key !== 'lrLambda' && key !== 'scaleFn') throw new TypeError(`scheduleFromJSON: unknown function ${describe(key)} (functions are lrLambda, scaleFn)`);
    }
    this.#given = given as ScheduleFunctions;
  }

  take<K extends keyof ScheduleFunctions>(name: K, path: string): unknown {
    const given = this.#given[name];
    const i = this.#used[name]++;
    if (given === undefined) {
      throw new TypeError(`scheduleFromJSON: ${path} needs its ${name} back (a function is not data): scheduleFromJSON(data, { ${name} })`);
    }
    if (!Array.isArray(given)) return given;
    if (i >= given.length) throw new RangeError(`scheduleFromJSON: ${path} needs ${name}[${i}], but functions.${name} has ${given.length}`);
    return given[i];
  }

  /** Throws if an array held more functions than the data used: a sign they are matched wrongly. */
  checkAllUsed(): void {
    for (const name of ['lrLambda', 'scaleFn'] as const) {
      const given = this.#given[name];
      if (Array.isArray(given) && given.length !== this.#used[name]) {
        throw new RangeError(`scheduleFromJSON: functions.${name} has ${given.length} functions, the data uses ${this.#used[name]}`);
      }
    }
  }
}

/** `JSON.parse(JSON.stringify(schedule))` back into a schedule at the same position. */
export function scheduleFromJSON(data: unknown, functions: ScheduleFunctions = {}): Schedule | ReduceLROnPlateau {
  const supply = new Functions(functions);
  const built = build(data, 'data', supply);
  place(built, data as ScheduleJSON, 'data');
  supply.checkAllUsed();
  return built;
}

function shape(data: unknown, path: string): ScheduleJSON {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new TypeError(`scheduleFromJSON: ${path} must be a schedule's toJSON() object, got ${describe(data)}`);
  for (const key of Object.keys(data)) {
    if (!KEYS.includes(key)) throw new TypeError(`scheduleFromJSON: ${path} has unknown key ${describe(key)} (keys are ${KEYS.join(', ')})`);
  }
  const d = data as ScheduleJSON;
  if (typeof d.options !== 'object' || d.options === null || Array.isArray(d.options))
    throw new TypeError(`scheduleFromJSON: ${path}.options must be an object, got ${describe(d.options)}`);
  if (typeof d.t !== 'number') throw new TypeError(`scheduleFromJSON: ${path}.t must be a number, got ${describe(d.t)}`);
  if (!(Number.isSafeInteger(d.t) && d.t >= 0)) throw new RangeError(`scheduleFromJSON: invalid ${path}.t = ${describe(d.t)}: must be an integer >= 0`);
  if (typeof d.value !== 'number') throw new TypeError(`scheduleFromJSON: ${path}.value must be a number, got ${describe(d.value)}`);
  if (!Number.isFinite(d.value)) throw new RangeError(`scheduleFromJSON: invalid ${path}.value = ${describe(d.value)}: must be a finite number`);
  const paired = d.kind === 'oneCycleLR' || d.kind === 'cyclicLR';
  if (paired ? d.part !== 'lr' && d.part !== 'momentum' : d.part !== undefined) {
    throw new TypeError(`scheduleFromJSON: ${path}.part must be ${paired ? "'lr' or 'momentum'" : 'absent'} for a ${d.kind}, got ${describe(d.part)}`);
  }
  const composite = d.kind === 'sequentialLR' || d.kind === 'chainedScheduler';
  if (composite ? !Array.isArray(d.schedulers) : d.schedulers !== undefined) {
    throw new TypeError(`scheduleFromJSON: ${path}.schedulers must be ${composite ? 'an array' : 'absent'} for a ${d.kind}, got ${describe(d.schedulers)}`);
  }
  return d;
}

/** A factory call whose option errors name where in the data they come from. */
function at<T>(path: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`scheduleFromJSON: ${path}: ${e.message}`);
    if (e instanceof TypeError) throw new TypeError(`scheduleFromJSON: ${path}: ${e.message}`);
    throw e;
  }
}

/** A fresh schedule with `data`'s options, at step 0. */
function build(data: unknown, path: string, supply: Functions): Built {
  const d = shape(data, path);
  const o = d.options as Options;
  const child = (): Schedule[] =>
    d.schedulers!.map((c, i) => {
      const s = build(c, `${path}.schedulers[${i}]`, supply);
      if (s instanceof ReduceLROnPlateau) throw new TypeError(`scheduleFromJSON: ${path}.schedulers[${i}] is a reduceLROnPlateau, which cannot be composed`);
      return s;
    });
  const fnOption = (name: 'lrLambda' | 'scaleFn'): Options => {
    if (o[name] === 'function') return { ...o, [name]: supply.take(name, `${path} (a ${d.kind})`) };
    if (o[name] === null && name === 'scaleFn') return Object.fromEntries(Object.entries(o).filter(([k]) => k !== name));
    throw new TypeError(
      `scheduleFromJSON: ${path}.options.${name} must be ${name === 'scaleFn' ? "'function' or null" : "'function'"}, got ${describe(o[name])}`,
    );
  };
  switch (d.kind) {
    case 'lambdaLR': {
      const withFn = fnOption('lrLambda');
      return at(path, () => lambdaLR(withFn as never));
    }
    case 'multiplicativeLR': {
      const withFn = fnOption('lrLambda');
      return at(path, () => multiplicativeLR(withFn as never));
    }
    case 'stepLR':
      return at(path, () => stepLR(o as never));
    case 'multiStepLR':
      return at(path, () => multiStepLR(o as never));
    case 'constantLR':
      return at(path, () => constantLR(o as never));
    case 'linearLR':
      return at(path, () => linearLR(o as never));
    case 'exponentialLR':
      return at(path, () => exponentialLR(o as never));
    case 'polynomialLR':
      return at(path, () => polynomialLR(o as never));
    case 'cosineAnnealingLR':
      return at(path, () => cosineAnnealingLR(o as never));
    case 'cosineAnnealingWarmRestarts':
      return at(path, () => cosineAnnealingWarmRestarts(o as never));
    case 'cyclicLR': {
      const withFn = fnOption('scaleFn');
      return pick(
        at(path, () => cyclicLR(withFn as never)),
        d.part!,
        path,
      );
    }
    case 'oneCycleLR':
      return pick(
        at(path, () => oneCycleLR(o as never)),
        d.part!,
        path,
      );
    case 'anneal':
      return at(path, () => {
        const a = readOptions('anneal', o, ['from', 'to', 'steps', 'shape']);
        return anneal(a.from as number, a.to as number, a.steps as number, a.shape as 'linear' | 'cos');
      });
    case 'swaLR':
      return at(path, () => swaLR(o as never));
    case 'reduceLROnPlateau':
      return at(path, () => reduceLROnPlateau(o as never));
    case 'sequentialLR': {
      const schedulers = child();
      return at(path, () => sequentialLR({ ...o, schedulers } as never));
    }
    case 'chainedScheduler': {
      const schedulers = child();
      return at(path, () => chainedScheduler({ ...o, schedulers } as never));
    }
    default:
      throw new TypeError(`scheduleFromJSON: ${path}.kind ${describe((d as { kind: unknown }).kind)} is not a ravine schedule`);
  }
}

function pick(pair: { lr: Schedule; momentum: Schedule | null }, part: 'lr' | 'momentum', path: string): Schedule {
  const s = pair[part];
  if (s === null) throw new TypeError(`scheduleFromJSON: ${path} is a momentum part, but its options say cycleMomentum: false`);
  return s;
}

/** Moves a freshly built schedule (children first) to the position `data` records. */
function place(built: Built, data: ScheduleJSON, path: string): void {
  if ('schedulers' in built) {
    const schedulers = (built as { schedulers: readonly Schedule[] }).schedulers;
    schedulers.forEach((s, i) => place(s, data.schedulers![i], `${path}.schedulers[${i}]`));
  }
  built.restore(data.t, data.value, data.state);
}
