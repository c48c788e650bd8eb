// schedules.json as the schedule tests read it: the recorded cases, torch's option names in camelCase,
// and each stepped case as ravine schedules.
import { readFileSync } from 'node:fs';
import {
  cosineAnnealingLR,
  cosineAnnealingWarmRestarts,
  cyclicLR,
  exponentialLR,
  linearLR,
  multiStepLR,
  oneCycleLR,
  polynomialLR,
  stepLR,
  type Schedule,
} from '../../src/index.js';

export interface SteppedCase {
  scheduler: string;
  options: Record<string, unknown>;
  optimizer: 'SGD' | 'Adam';
  baseLr: number;
  lr: number[];
  momentum: number[];
}

export interface PlateauCase {
  scheduler: 'ReduceLROnPlateau';
  options: Record<string, unknown>;
  baseLr: number;
  losses: number[];
  lrAfter: number[];
}

export const reference = JSON.parse(readFileSync(new URL('../fixtures/reference/schedules.json', import.meta.url), 'utf8')) as {
  torch: string;
  schedules: (SteppedCase | PlateauCase)[];
};
export const stepped = reference.schedules.filter((c): c is SteppedCase => c.scheduler !== 'ReduceLROnPlateau');
export const plateaus = reference.schedules.filter((c): c is PlateauCase => c.scheduler === 'ReduceLROnPlateau');

/** torch's snake_case options in ravine's camelCase: T_max → tMax, step_size_up → stepSizeUp, 'exp_range' → 'expRange'. */
export function camelOptions(options: Record<string, unknown>): Record<string, unknown> {
  const camel = (s: string) =>
    s
      .split('_')
      .map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1)))
      .join('');
  return Object.fromEntries(Object.entries(options).map(([k, v]) => [camel(k), typeof v === 'string' ? camel(v) : v]));
}

// torch's class name → ravine's factory; the single-schedule ones take the case's base lr.
type Options = Record<string, unknown>;
const single: Record<string, (o: Options) => Schedule> = {
  StepLR: (o) => stepLR(o as never),
  MultiStepLR: (o) => multiStepLR(o as never),
  ExponentialLR: (o) => exponentialLR(o as never),
  CosineAnnealingLR: (o) => cosineAnnealingLR(o as never),
  CosineAnnealingWarmRestarts: (o) => cosineAnnealingWarmRestarts(o as never),
  LinearLR: (o) => linearLR(o as never),
  PolynomialLR: (o) => polynomialLR(o as never),
};
const paired: Record<string, (o: Options) => { lr: Schedule; momentum: Schedule | null }> = {
  OneCycleLR: (o) => oneCycleLR(o as never),
  CyclicLR: (o) => cyclicLR(o as never),
};

/** A recorded case as ravine schedules: the lr one and, where torch cycles it, the momentum (β1) one. */
export function schedulesFor(c: SteppedCase): { lr: Schedule; momentum: Schedule | null } {
  const o = camelOptions(c.options);
  if (c.scheduler in paired) return paired[c.scheduler](o);
  return { lr: single[c.scheduler]({ base: c.baseLr, ...o }), momentum: null };
}
