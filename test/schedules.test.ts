// ravine's schedules against torch 1.13's lr_scheduler: every case recorded in
// test/fixtures/reference/schedules.json within 1e-12 relative; torch's semantics where the data is silent,
// with values computed by hand (many are the targets of torch's own test_optim.py); positions that survive
// a JSON round trip; and options refused with their names.
import { describe, expect, test } from 'vitest';
import {
  anneal,
  chainedScheduler,
  constantLR,
  cosineAnnealingLR,
  cosineAnnealingWarmRestarts,
  cyclicLR,
  exponentialLR,
  lambdaLR,
  linearLR,
  multiplicativeLR,
  multiStepLR,
  oneCycleLR,
  polynomialLR,
  ReduceLROnPlateau,
  reduceLROnPlateau,
  type Schedule,
  scheduleFromJSON,
  sequentialLR,
  stepLR,
  type ScheduleFunctions,
} from '../src/index.js';

import { camelOptions, plateaus, reference, schedulesFor, stepped } from './helpers/schedules.js';

/** The values in effect at steps 0..steps: the value after construction, then after each step(). */
function run(s: Schedule, steps: number): number[] {
  const values = [s.value];
  for (let t = 1; t <= steps; t++) values.push(s.step());
  return values;
}

/** Largest |ours − torch| / |torch| over a sequence: 0 where both are 0, Infinity where only torch is. */
function maxRelError(ours: readonly number[], torch: readonly number[]): number {
  expect(ours.length).toBe(torch.length);
  let worst = 0;
  torch.forEach((want, i) => {
    const diff = Math.abs(ours[i] - want);
    worst = Math.max(worst, diff === 0 ? 0 : want === 0 ? Infinity : diff / Math.abs(want));
  });
  return worst;
}

const close = (ours: readonly number[], want: readonly number[]) => expect(maxRelError(ours, want)).toBeLessThanOrEqual(1e-12);
const label = (c: { scheduler: string; options: Record<string, unknown> }) => `${c.scheduler} ${JSON.stringify(c.options)}`;

describe(`torch ${reference.torch} lr_scheduler, as recorded in schedules.json`, () => {
  test('the data holds the cases the tests expect: 12 stepped schedulers and one plateau', () => {
    expect(stepped.map((c) => c.scheduler).sort()).toEqual([
      'CosineAnnealingLR',
      'CosineAnnealingWarmRestarts',
      'CyclicLR',
      'ExponentialLR',
      'LinearLR',
      'MultiStepLR',
      'OneCycleLR',
      'OneCycleLR',
      'OneCycleLR',
      'OneCycleLR',
      'PolynomialLR',
      'StepLR',
    ]);
    expect(plateaus).toHaveLength(1);
  });

  for (const c of stepped) {
    test(`${label(c)} on ${c.optimizer}: lr[t] within 1e-12 of torch at all ${c.lr.length} steps`, () => {
      close(run(schedulesFor(c).lr, c.lr.length - 1), c.lr);
    });

    const cycles = c.scheduler === 'OneCycleLR' || c.scheduler === 'CyclicLR';
    if (cycles) {
      test(`${label(c)} on ${c.optimizer}: the momentum schedule gives torch's ${c.optimizer === 'Adam' ? 'β1' : 'momentum'}[t] within 1e-12`, () => {
        close(run(schedulesFor(c).momentum!, c.momentum.length - 1), c.momentum);
      });
    } else {
      test(`${label(c)} on ${c.optimizer}: drives no momentum, and torch's stays the optimizer's 0.9`, () => {
        expect(schedulesFor(c).momentum).toBeNull();
        expect(new Set(c.momentum)).toEqual(new Set([0.9]));
      });
    }
  }

  // Every recorded value is reproduced bit for bit, except where V8's Math.cos and glibc's cos (which torch
  // calls through Python's math.cos) round differently: one ulp of cos(π·29/25) moves CosineAnnealingLR from
  // t = 29 on, and OneCycleLR's cos anneal at 3 steps, by at most 8e-16 relative.
  for (const c of stepped.filter((x) => x.scheduler !== 'CosineAnnealingLR' && !(x.scheduler === 'OneCycleLR' && x.options.anneal_strategy === undefined))) {
    test(`${label(c)} on ${c.optimizer}: lr[t] bit for bit`, () => {
      expect(run(schedulesFor(c).lr, c.lr.length - 1)).toEqual(c.lr);
    });
  }

  test('the chainable form is what torch recorded: base·γ^t and the other closed forms differ from it in the last bits', () => {
    const closedForms: Record<string, (o: Record<string, number>, t: number) => number> = {
      ExponentialLR: (o, t) => 0.1 * o.gamma ** t,
      LinearLR: (o, t) => 0.1 * (o.start_factor + ((o.end_factor - o.start_factor) * Math.min(o.total_iters, t)) / o.total_iters),
      PolynomialLR: (o, t) => 0.1 * (1 - Math.min(o.total_iters, t) / o.total_iters) ** o.power,
    };
    for (const [scheduler, closed] of Object.entries(closedForms)) {
      const c = stepped.find((x) => x.scheduler === scheduler)!;
      const closedValues = c.lr.map((_, t) => closed(c.options as Record<string, number>, t));
      expect(closedValues, scheduler).not.toEqual(c.lr);
      expect(maxRelError(closedValues, c.lr), scheduler).toBeLessThan(1e-15);
      expect(run(schedulesFor(c).lr, c.lr.length - 1), scheduler).toEqual(c.lr);
    }
  });

  for (const c of plateaus) {
    test(`${label(c)}: the value after each of ${c.losses.length} observed losses is torch's within 1e-12`, () => {
      const plateau = reduceLROnPlateau({ base: c.baseLr, ...camelOptions(c.options) } as never);
      close(
        c.losses.map((loss) => plateau.observe(loss)),
        c.lrAfter,
      );
    });
  }
});

describe('the 1e-12 check can fail', () => {
  test("it rejects torch's own values moved by one part in 1e11", () => {
    const torch = stepped.find((c) => c.scheduler === 'ExponentialLR')!.lr;
    expect(
      maxRelError(
        torch.map((v) => v * (1 + 1e-11)),
        torch,
      ),
    ).toBeGreaterThan(1e-12);
  });

  test('it rejects StepLR with stepSize 6 instead of the recorded 7, and a zero where torch has none', () => {
    const c = stepped.find((x) => x.scheduler === 'StepLR')!;
    expect(maxRelError(run(stepLR({ base: 0.1, stepSize: 6, gamma: 0.5 }), c.lr.length - 1), c.lr)).toBeGreaterThan(1e-12);
    expect(maxRelError([1e-300], [0])).toBe(Infinity);
  });
});

describe("torch's semantics where the data is silent (values computed by hand)", () => {
  test('lambdaLR: base · lrLambda(t), and a manual change lasts one step (torch: closed form)', () => {
    const s = lambdaLR({ base: 0.05, lrLambda: (t) => 0.95 ** t });
    close(
      run(s, 9),
      [...Array(10).keys()].map((t) => 0.05 * 0.95 ** t),
    );
    expect(s.step(1)).toBe(0.05 * 0.95 ** 10);
  });

  test('multiplicativeLR: value · lrLambda(t) from step 1, honouring a manual change (torch test_multiplicative_lr)', () => {
    const s = multiplicativeLR({ base: 0.05, lrLambda: () => 0.9 });
    close(
      run(s, 9),
      [...Array(10).keys()].map((t) => 0.05 * 0.9 ** t),
    );
    expect(s.step(1)).toBe(0.9);
  });

  test("chainable schedules continue from a manual change, as torch's get_lr reads group['lr']", () => {
    const s = exponentialLR({ base: 0.1, gamma: 0.5 });
    expect([s.step(), s.step(1), s.step()]).toEqual([0.05, 0.5, 0.25]);
    expect(s.t).toBe(3);
    expect(s.value).toBe(0.25);
  });

  test('stepLR: ×γ every stepSize steps (torch test_step_lr)', () => {
    close(run(stepLR({ base: 0.05, stepSize: 3, gamma: 0.1 }), 11), [0.05, 0.05, 0.05, 0.005, 0.005, 0.005, 5e-4, 5e-4, 5e-4, 5e-5, 5e-5, 5e-5]);
  });

  test('multiStepLR: a milestone listed twice multiplies twice, in any order (torch keeps a Counter)', () => {
    close(run(multiStepLR({ base: 1, milestones: [4, 2, 2], gamma: 0.1 }), 5), [1, 1, 0.01, 0.01, 0.001, 0.001]);
  });

  test("constantLR: factor until totalIters, then the base (torch's docstring: 0.025 ×4, then 0.05)", () => {
    close(run(constantLR({ base: 0.05, factor: 0.5, totalIters: 4 }), 6), [0.025, 0.025, 0.025, 0.025, 0.05, 0.05, 0.05]);
  });

  test("linearLR: the factor moves linearly from start to end (torch's docstring: 0.025, 0.03125, ...)", () => {
    close(run(linearLR({ base: 0.05, startFactor: 0.5, totalIters: 4 }), 5), [0.025, 0.03125, 0.0375, 0.04375, 0.05, 0.05]);
  });

  test('polynomialLR with power 1 falls linearly to exactly 0 and holds it', () => {
    expect(run(polynomialLR({ base: 1, totalIters: 4 }), 6)).toEqual([1, 0.75, 0.5, 0.25, 0, 0, 0]);
  });

  test('cosineAnnealingWarmRestarts with tMult 1 restarts every t0 steps', () => {
    const values = run(cosineAnnealingWarmRestarts({ base: 1, t0: 4, etaMin: 0.5 }), 8);
    close(values, [1, 0.75 + 0.25 * Math.SQRT1_2, 0.75, 0.75 - 0.25 * Math.SQRT1_2, 1, 0.75 + 0.25 * Math.SQRT1_2, 0.75, 0.75 - 0.25 * Math.SQRT1_2, 1]);
  });

  test('cyclicLR triangular2 halves the amplitude each cycle, momentum inversely (torch test_cycle_lr_triangular2_mode)', () => {
    const { lr, momentum } = cyclicLR({ baseLr: 1, maxLr: 5, stepSizeUp: 4, mode: 'triangular2', baseMomentum: 1, maxMomentum: 5 });
    close(run(lr, 16), [1, 2, 3, 4, 5, 4, 3, 2, 1, 1.5, 2, 2.5, 3, 2.5, 2, 1.5, 1]);
    close(run(momentum!, 16), [5, 4, 3, 2, 1, 2, 3, 4, 5, 4.5, 4, 3.5, 3, 3.5, 4, 4.5, 5]);
  });

  test('cyclicLR expRange scales the amplitude by gamma^t', () => {
    const { lr } = cyclicLR({ baseLr: 1, maxLr: 5, stepSizeUp: 4, mode: 'expRange', gamma: 0.9, cycleMomentum: false });
    // 1 + 4·s(t)·0.9^t with s = 0, 1/4, 1/2, 3/4, 1, 3/4
    close(run(lr, 5), [1, 1.9, 2.62, 3.187, 3.6244, 2.77147]);
  });

  test('cyclicLR with stepSizeDown ≠ stepSizeUp, and a custom scaleFn of the step count', () => {
    close(run(cyclicLR({ baseLr: 0, maxLr: 1, stepSizeUp: 2, stepSizeDown: 4, cycleMomentum: false }).lr, 7), [0, 0.5, 1, 0.75, 0.5, 0.25, 0, 0.5]);
    const { lr } = cyclicLR({ baseLr: 0, maxLr: 1, stepSizeUp: 2, scaleFn: (t) => 1 / (1 + t), scaleMode: 'iterations', cycleMomentum: false });
    close(run(lr, 4), [0, 0.5 / 2, 1 / 3, 0.5 / 4, 0]);
  });

  test('oneCycleLR linear, two phases: up to maxLr in pctStart·T − 1 steps, down to maxLr/25/1e4 at T − 1', () => {
    const { lr, momentum } = oneCycleLR({ maxLr: 1, totalSteps: 10, annealStrategy: 'linear' });
    const down = (k: number) => 1 - (0.999996 * k) / 7;
    const values = run(lr, 10);
    close([...values.slice(0, 9), values[10]], [0.04, 0.52, 1, down(1), down(2), down(3), down(4), down(5), down(6), down(8)]);
    // torch's (to − from)·pct + from cancels at the end: 4e-6 to 1e-11 relative, as the data's three-phase
    // case ends at 1.9999999999985307e-06 for 2e-6.
    expect(values[9]).toBeCloseTo(4e-6, 15);
    close(run(momentum!, 9), [0.95, 0.9, 0.85, ...[1, 2, 3, 4, 5, 6, 7].map((k) => 0.85 + (0.1 * k) / 7)]);
  });

  test('oneCycleLR cos, three phases: maxLr, back to maxLr/divFactor, then the minimum, at the phase ends', () => {
    const values = run(oneCycleLR({ maxLr: 1, totalSteps: 20, pctStart: 0.25, threePhase: true }).lr, 19);
    close([values[0], values[4], values[8], values[19]], [0.04, 1, 0.04, 4e-6]);
    close([values[2], values[6]], [0.52, 0.52]);
  });

  test('oneCycleLR epochs × stepsPerEpoch is totalSteps', () => {
    expect(run(oneCycleLR({ maxLr: 0.5, epochs: 6, stepsPerEpoch: 10 }).lr, 60)).toEqual(run(oneCycleLR({ maxLr: 0.5, totalSteps: 60 }).lr, 60));
  });

  test('oneCycleLR steps to totalSteps (extrapolating, as torch) and refuses one more, changing nothing', () => {
    const { lr } = oneCycleLR({ maxLr: 0.5, totalSteps: 3 });
    run(lr, 3);
    const [t, value] = [lr.t, lr.value];
    expect(() => lr.step()).toThrow(new RangeError('oneCycleLR: stepped 4 times, past totalSteps = 3 (torch 1.13 raises here too)'));
    expect([lr.t, lr.value]).toEqual([t, value]);
  });

  test('oneCycleLR refuses an empty phase, where torch divides by zero', () => {
    expect(() => oneCycleLR({ maxLr: 1, totalSteps: 10, pctStart: 0.1 })).toThrow(/phase 1 has zero length at step 0/);
  });

  test('sequentialLR restarts the next schedule at its milestone from its own base (torch test_sequentiallr1..3)', () => {
    const s1 = sequentialLR({ schedulers: [exponentialLR({ base: 0.05, gamma: 0.8 }), stepLR({ base: 0.05, stepSize: 4, gamma: 0.1 })], milestones: [3] });
    close(run(s1, 18), [0.05, 0.04, 0.032, ...Array(4).fill(0.05), ...Array(4).fill(0.005), ...Array(4).fill(5e-4), ...Array(4).fill(5e-5)]);
    const s2 = sequentialLR({
      schedulers: [constantLR({ base: 0.05, factor: 0.1, totalIters: 3 }), exponentialLR({ base: 0.05, gamma: 0.9 })],
      milestones: [3],
    });
    close(run(s2, 12), [0.005, 0.005, 0.005, ...[...Array(10).keys()].map((x) => 0.05 * 0.9 ** x)]);
    const s3 = sequentialLR({
      schedulers: [
        constantLR({ base: 0.05, factor: 0.1, totalIters: 3 }),
        exponentialLR({ base: 0.05, gamma: 0.8 }),
        stepLR({ base: 0.05, stepSize: 2, gamma: 0.1 }),
      ],
      milestones: [3, 6],
    });
    close(run(s3, 11), [0.005, 0.005, 0.005, 0.05, 0.04, 0.032, 0.05, 0.05, 0.005, 0.005, 5e-4, 5e-4]);
  });

  test('sequentialLR: a manual change is dropped at a milestone (the closed-form restart), kept in between', () => {
    const s = sequentialLR({ schedulers: [exponentialLR({ base: 1, gamma: 0.5 }), exponentialLR({ base: 1, gamma: 0.1 })], milestones: [2] });
    expect([s.step(4), s.step(7), s.step()]).toEqual([2, 1, 0.1]);
  });

  test('sequentialLR starts from its first schedule, whatever the others did at construction (torch test_sequentiallr4)', () => {
    const s = sequentialLR({ schedulers: [constantLR({ base: 0.1, factor: 1 }), constantLR({ base: 0.1, factor: 0.1 })], milestones: [10] });
    expect(s.value).toBe(0.1);
  });

  test('chainedScheduler multiplies chainable schedules in order (torch test_chained_lr2..4)', () => {
    close(run(chainedScheduler({ schedulers: [linearLR({ base: 0.05, startFactor: 0.4, totalIters: 3 })] }), 11), [0.02, 0.03, 0.04, ...Array(9).fill(0.05)]);
    const c3 = chainedScheduler({
      schedulers: [linearLR({ base: 0.05, startFactor: 0.4, totalIters: 3 }), multiStepLR({ base: 0.05, milestones: [4, 8, 10], gamma: 0.1 })],
    });
    close(run(c3, 12), [0.02, 0.03, 0.04, 0.05, 0.005, 0.005, 0.005, 0.005, 5e-4, 5e-4, 5e-5, 5e-5, 5e-5]);
    const c4 = chainedScheduler({
      schedulers: [
        exponentialLR({ base: 0.05, gamma: 0.9 }),
        constantLR({ base: 0.05, factor: 0.2, totalIters: 4 }),
        stepLR({ base: 0.05, stepSize: 3, gamma: 0.1 }),
      ],
    });
    close(run(c4, 8), [
      ...[0, 1, 2].map((x) => 0.05 * 0.2 * 0.9 ** x),
      0.05 * 0.2 * 0.9 ** 3 * 0.1,
      ...[4, 5].map((x) => 0.05 * 0.9 ** x * 0.1),
      ...[6, 7, 8].map((x) => 0.05 * 0.9 ** x * 0.01),
    ]);
  });

  test('chainedScheduler: a closed-form schedule overwrites what came before it, as in torch', () => {
    const c = chainedScheduler({ schedulers: [exponentialLR({ base: 1, gamma: 0.5 }), lambdaLR({ base: 1, lrLambda: (t) => t + 1 })] });
    expect(run(c, 2)).toEqual([1, 2, 3]);
  });

  test('reduceLROnPlateau max mode with an absolute threshold, cooldown and the minLr floor', () => {
    const p = reduceLROnPlateau({ base: 1, mode: 'max', factor: 0.5, patience: 1, threshold: 0.1, thresholdMode: 'abs', cooldown: 1, minLr: 0.3 });
    // 0.5 improves on −∞; 0.55 and 0.6 are not > 0.5 + 0.1: 2 bad > patience 1 → 0.5, cooldown; the next
    // bad one is forgiven; two more → max(0.25, minLr) = 0.3; one forgiven, two more → max(0.15, 0.3) = 0.3,
    // no change (and the cooldown starts anyway, as in torch); 0.61 > 0.6 is an improvement.
    const metrics = [0.5, 0.55, 0.6, 0.6, 0.55, 0.6, 0.6, 0.6, 0.6, 0.6, 0.61];
    expect(metrics.map((m) => p.observe(m))).toEqual([1, 1, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]);
    expect([p.best, p.t, p.cooldownCounter, p.numBadEpochs]).toEqual([0.61, 11, 0, 0]);
  });

  test('reduceLROnPlateau skips a reduction of eps or less, and NaN never improves', () => {
    const p = reduceLROnPlateau({ base: 1e-8, patience: 0, eps: 1e-8 });
    expect([p.observe(1), p.observe(NaN)]).toEqual([1e-8, 1e-8]);
    expect(p.numBadEpochs).toBe(0);
    const q = reduceLROnPlateau({ base: 1, patience: 1, threshold: 0.5 });
    // rel, min: better means < best·0.5
    expect([4, 2.5, 2.1, 1.9].map((m) => q.observe(m))).toEqual([1, 1, 0.1, 0.1]);
  });

  test("anneal linear: the seeds' momentum 0.5 → 0.9 over 4 steps, then holds 0.9", () => {
    close(run(anneal(0.5, 0.9, 4), 6), [0.5, 0.6, 0.7, 0.8, 0.9, 0.9, 0.9]);
  });

  test('anneal cos: 0.7 ∓ 0.1·√2 at the quarter points, exactly `to` from `steps` on', () => {
    const values = run(anneal(0.5, 0.9, 4, 'cos'), 6);
    close(values, [0.5, 0.7 - 0.1 * Math.SQRT2, 0.7, 0.7 + 0.1 * Math.SQRT2, 0.9, 0.9, 0.9]);
    expect(values.slice(4)).toEqual([0.9, 0.9, 0.9]);
  });

  test('a step whose value would not be a finite number is refused, changing nothing', () => {
    const s = lambdaLR({ base: 1, lrLambda: (t) => (t < 2 ? 1 : NaN) });
    s.step();
    expect(() => s.step()).toThrow(new RangeError('lambdaLR: lrLambda(2) returned NaN: it must return a finite number'));
    expect([s.t, s.value]).toEqual([1, 1]);
    expect(() => exponentialLR({ base: 1e300, gamma: 1e10 }).step()).toThrow(/the value at step 1 would be Infinity/);
  });

  test('anneal over 0 steps is the constant `to`', () => {
    expect(run(anneal(1, 2, 0), 2)).toEqual([2, 2, 2]);
  });
});

// Every built-in, with the inputs each run feeds: `current[t]` (a manual change) or a metric per step.
interface RoundTrip {
  name: string;
  make: () => Schedule | ReduceLROnPlateau;
  functions?: ScheduleFunctions;
}

const halve = (t: number) => 0.5 + 1 / (t + 2);
const roundTrips: RoundTrip[] = [
  { name: 'lambdaLR', make: () => lambdaLR({ base: 0.1, lrLambda: halve }), functions: { lrLambda: halve } },
  { name: 'multiplicativeLR', make: () => multiplicativeLR({ base: 0.1, lrLambda: halve }), functions: { lrLambda: [halve] } },
  { name: 'stepLR', make: () => stepLR({ base: 0.1, stepSize: 3, gamma: 0.5 }) },
  { name: 'multiStepLR', make: () => multiStepLR({ base: 0.1, milestones: [2, 5, 5, 9] }) },
  { name: 'constantLR', make: () => constantLR({ base: 0.1, totalIters: 4 }) },
  { name: 'linearLR', make: () => linearLR({ base: 0.1, startFactor: 0.2, endFactor: 0.9, totalIters: 7 }) },
  { name: 'exponentialLR', make: () => exponentialLR({ base: 0.1, gamma: 0.93 }) },
  { name: 'polynomialLR', make: () => polynomialLR({ base: 0.1, totalIters: 9, power: 0.7 }) },
  { name: 'cosineAnnealingLR', make: () => cosineAnnealingLR({ base: 0.1, tMax: 4, etaMin: 0.01 }) },
  { name: 'cosineAnnealingWarmRestarts', make: () => cosineAnnealingWarmRestarts({ base: 0.1, t0: 2, tMult: 2 }) },
  { name: 'cyclicLR lr', make: () => cyclicLR({ baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, mode: 'triangular2' }).lr },
  { name: 'cyclicLR momentum', make: () => cyclicLR({ baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, mode: 'expRange', gamma: 0.9 }).momentum! },
  { name: 'cyclicLR custom scaleFn', make: () => cyclicLR({ baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, scaleFn: halve }).lr, functions: { scaleFn: halve } },
  { name: 'oneCycleLR lr', make: () => oneCycleLR({ maxLr: 0.5, totalSteps: 14, threePhase: true }).lr },
  { name: 'oneCycleLR momentum', make: () => oneCycleLR({ maxLr: 0.5, totalSteps: 14, annealStrategy: 'linear' }).momentum! },
  {
    name: 'sequentialLR',
    make: () =>
      sequentialLR({
        schedulers: [
          linearLR({ base: 0.1, totalIters: 3 }),
          cosineAnnealingWarmRestarts({ base: 0.1, t0: 3 }),
          multiplicativeLR({ base: 0.1, lrLambda: halve }),
        ],
        milestones: [4, 8],
      }),
    functions: { lrLambda: halve },
  },
  {
    name: 'chainedScheduler',
    make: () =>
      chainedScheduler({
        schedulers: [
          constantLR({ base: 0.1, factor: 0.5, totalIters: 3 }),
          sequentialLR({ schedulers: [exponentialLR({ base: 0.1, gamma: 0.9 }), lambdaLR({ base: 0.1, lrLambda: halve })], milestones: [5] }),
        ],
      }),
    functions: { lrLambda: [halve] },
  },
  { name: 'anneal linear', make: () => anneal(0.5, 0.9, 8) },
  { name: 'anneal cos', make: () => anneal(0.5, 0.9, 8, 'cos') },
  { name: 'reduceLROnPlateau', make: () => reduceLROnPlateau({ base: 0.1, patience: 1, cooldown: 1, factor: 0.5 }) },
];

const STEPS = 12;
// A manual change at step 6 (honoured by the chainable schedules), and the metrics the plateau sees.
const currentAt = (t: number) => (t === 6 ? 0.07 : undefined);
const metricAt = (t: number) => [1, 0.9, 0.9, 0.95, 0.9, 0.89, 0.91, 0.9, 0.9, 0.9, 0.8, 0.8][t - 1];

function advance(s: Schedule | ReduceLROnPlateau, t: number): number {
  return s instanceof ReduceLROnPlateau ? s.observe(metricAt(t), currentAt(t)) : s.step(currentAt(t));
}

describe('a schedule saved as JSON resumes at the same position', () => {
  for (const c of roundTrips) {
    test(`${c.name}: saved after k steps (every k), rebuilt and continued, gives the uninterrupted values bit for bit`, () => {
      const whole = c.make();
      const uninterrupted = [whole.value];
      for (let t = 1; t <= STEPS; t++) uninterrupted.push(advance(whole, t));
      for (let k = 0; k <= STEPS; k++) {
        const first = c.make();
        const values = [first.value];
        for (let t = 1; t <= k; t++) values.push(advance(first, t));
        const saved = JSON.parse(JSON.stringify(first)) as unknown;
        const resumed = scheduleFromJSON(saved, c.functions);
        expect(resumed.t).toBe(k);
        expect(resumed.value).toBe(first.value);
        expect(resumed.toJSON()).toEqual(first.toJSON());
        for (let t = k + 1; t <= STEPS; t++) values.push(advance(resumed, t));
        expect(values).toEqual(uninterrupted);
      }
    });
  }

  test('the data is plain: toJSON survives JSON.stringify unchanged, with the kind, options and position', () => {
    const s = stepLR({ base: 0.1, stepSize: 3 });
    s.step();
    expect(JSON.parse(JSON.stringify(s))).toEqual({ kind: 'stepLR', options: { base: 0.1, stepSize: 3, gamma: 0.1 }, t: 1, value: 0.1 });
    expect(JSON.parse(JSON.stringify(lambdaLR({ base: 1, lrLambda: halve }))).options).toEqual({ base: 1, lrLambda: 'function' });
  });

  test('rebuilding refuses a missing function, naming it', () => {
    const saved = JSON.parse(JSON.stringify(lambdaLR({ base: 1, lrLambda: halve })));
    expect(() => scheduleFromJSON(saved)).toThrow(
      new TypeError('scheduleFromJSON: data (a lambdaLR) needs its lrLambda back (a function is not data): scheduleFromJSON(data, { lrLambda })'),
    );
    expect(() => scheduleFromJSON(saved, { lrLambda: [halve, halve] })).toThrow(
      new RangeError('scheduleFromJSON: functions.lrLambda has 2 functions, the data uses 1'),
    );
  });

  test('rebuilding refuses damaged data, naming the field and the value', () => {
    const saved = () => JSON.parse(JSON.stringify(stepLR({ base: 0.1, stepSize: 3 })));
    expect(() => scheduleFromJSON({ ...saved(), t: -1 })).toThrow(new RangeError('scheduleFromJSON: invalid data.t = -1: must be an integer >= 0'));
    expect(() => scheduleFromJSON({ ...saved(), value: null })).toThrow(new TypeError('scheduleFromJSON: data.value must be a number, got null'));
    expect(() => scheduleFromJSON({ ...saved(), kind: 'StepLR' })).toThrow(new TypeError('scheduleFromJSON: data.kind "StepLR" is not a ravine schedule'));
    expect(() => scheduleFromJSON({ ...saved(), options: { base: 0.1, stepSize: 0 } })).toThrow(
      new RangeError('scheduleFromJSON: data: stepLR: invalid stepSize = 0: must be an integer >= 1'),
    );
    expect(() => scheduleFromJSON({ ...saved(), state: { tCur: 1 } })).toThrow(new TypeError('scheduleFromJSON: stepLR keeps no state, got state'));
    const cycle = JSON.parse(JSON.stringify(oneCycleLR({ maxLr: 1, totalSteps: 5 }).lr));
    expect(() => scheduleFromJSON({ ...cycle, t: 6 })).toThrow(new RangeError('scheduleFromJSON: oneCycleLR t = 6 is past totalSteps = 5'));
    const warm = JSON.parse(JSON.stringify(cosineAnnealingWarmRestarts({ base: 1, t0: 3 })));
    expect(() => scheduleFromJSON({ ...warm, state: { tCur: 3, tI: 3 } })).toThrow(
      new RangeError('scheduleFromJSON: cosineAnnealingWarmRestarts state.tCur = 3 must be < state.tI = 3'),
    );
  });
});

describe('bad options throw, naming the option and the value', () => {
  const cases: [string, () => unknown, new (message: string) => Error, string][] = [
    ['stepLR stepSize 0', () => stepLR({ base: 0.1, stepSize: 0 }), RangeError, 'stepLR: invalid stepSize = 0: must be an integer >= 1'],
    [
      'stepLR misspelt gamma',
      () => stepLR({ base: 0.1, stepSize: 7, gama: 0.5 } as never),
      TypeError,
      'stepLR: unknown option "gama" (stepLR takes base, stepSize, gamma)',
    ],
    ['stepLR without base', () => stepLR({ stepSize: 7 } as never), TypeError, 'stepLR: option base must be a number, got undefined'],
    ['exponentialLR gamma NaN', () => exponentialLR({ base: 0.1, gamma: NaN }), RangeError, 'exponentialLR: invalid gamma = NaN: must be a finite number'],
    [
      'multiStepLR negative milestone',
      () => multiStepLR({ base: 0.1, milestones: [3, -1] }),
      RangeError,
      'multiStepLR: invalid milestones[1] = -1: must be an integer >= 0',
    ],
    ['constantLR factor 1.5', () => constantLR({ base: 0.1, factor: 1.5 }), RangeError, 'constantLR: invalid factor = 1.5: must be in [0, 1]'],
    [
      'constantLR factor 0',
      () => constantLR({ base: 0.1, factor: 0 }),
      RangeError,
      'constantLR: invalid factor = 0: must be in (0, 1] (torch 1.13 divides by it at totalIters)',
    ],
    ['linearLR startFactor 0', () => linearLR({ base: 0.1, startFactor: 0 }), RangeError, 'linearLR: invalid startFactor = 0: must be in (0, 1]'],
    ['linearLR endFactor 1.2', () => linearLR({ base: 0.1, endFactor: 1.2 }), RangeError, 'linearLR: invalid endFactor = 1.2: must be in [0, 1]'],
    [
      'polynomialLR totalIters 0',
      () => polynomialLR({ base: 0.1, totalIters: 0 }),
      RangeError,
      'polynomialLR: invalid totalIters = 0: must be an integer >= 1',
    ],
    [
      'cosineAnnealingLR tMax 2.5',
      () => cosineAnnealingLR({ base: 0.1, tMax: 2.5 }),
      RangeError,
      'cosineAnnealingLR: invalid tMax = 2.5: must be an integer >= 1',
    ],
    [
      'cosineAnnealingWarmRestarts tMult 0',
      () => cosineAnnealingWarmRestarts({ base: 0.1, t0: 10, tMult: 0 }),
      RangeError,
      'cosineAnnealingWarmRestarts: invalid tMult = 0: must be an integer >= 1',
    ],
    [
      "cyclicLR torch's mode name",
      () => cyclicLR({ baseLr: 0.01, maxLr: 0.1, mode: 'exp_range' as never }),
      RangeError,
      "cyclicLR: invalid mode = \"exp_range\": must be one of 'triangular', 'triangular2', 'expRange'",
    ],
    [
      'cyclicLR stepSizeUp 0',
      () => cyclicLR({ baseLr: 0.01, maxLr: 0.1, stepSizeUp: 0 }),
      RangeError,
      'cyclicLR: invalid stepSizeUp = 0: must be a finite number > 0',
    ],
    [
      'cyclicLR scaleFn not a function',
      () => cyclicLR({ baseLr: 0.01, maxLr: 0.1, scaleFn: 1 as never }),
      TypeError,
      'cyclicLR: option scaleFn must be a function, got 1',
    ],
    [
      'oneCycleLR without a length',
      () => oneCycleLR({ maxLr: 0.1 }),
      TypeError,
      'oneCycleLR: give totalSteps, or epochs and stepsPerEpoch (torch: "You must define either total_steps OR (epochs AND steps_per_epoch)")',
    ],
    [
      'oneCycleLR epochs without stepsPerEpoch',
      () => oneCycleLR({ maxLr: 0.1, epochs: 3 }),
      TypeError,
      'oneCycleLR: option stepsPerEpoch must be a number, got undefined',
    ],
    [
      'oneCycleLR pctStart 1.5',
      () => oneCycleLR({ maxLr: 0.1, totalSteps: 10, pctStart: 1.5 }),
      RangeError,
      'oneCycleLR: invalid pctStart = 1.5: must be in [0, 1]',
    ],
    [
      'oneCycleLR annealStrategy',
      () => oneCycleLR({ maxLr: 0.1, totalSteps: 10, annealStrategy: 'cosine' as never }),
      RangeError,
      "oneCycleLR: invalid annealStrategy = \"cosine\": must be one of 'cos', 'linear'",
    ],
    [
      'sequentialLR milestone count',
      () => sequentialLR({ schedulers: [stepLR({ base: 1, stepSize: 2 }), stepLR({ base: 1, stepSize: 2 })], milestones: [] }),
      RangeError,
      'sequentialLR: 2 schedulers need 1 milestones, got 0: []',
    ],
    [
      'sequentialLR unsorted milestones',
      () => sequentialLR({ schedulers: [anneal(0, 1, 2), anneal(0, 1, 2), anneal(0, 1, 2)], milestones: [5, 3] }),
      RangeError,
      'sequentialLR: invalid milestones[1] = 3: must be an integer > 5 (milestones strictly increase from 1)',
    ],
    [
      'sequentialLR nesting a chain',
      () => sequentialLR({ schedulers: [chainedScheduler({ schedulers: [anneal(0, 1, 2)] })], milestones: [] }),
      TypeError,
      'sequentialLR: schedulers[0] is a chainedScheduler, which torch 1.13 cannot put in a sequentialLR',
    ],
    [
      'chainedScheduler holding a number',
      () => chainedScheduler({ schedulers: [0.1 as never] }),
      TypeError,
      'chainedScheduler: schedulers[0] must be a schedule (from stepLR(), ... or a oneCycleLR()/cyclicLR() part), got 0.1',
    ],
    ['reduceLROnPlateau factor 1', () => reduceLROnPlateau({ base: 0.1, factor: 1 }), RangeError, 'reduceLROnPlateau: invalid factor = 1: must be in [0, 1)'],
    [
      'reduceLROnPlateau thresholdMode',
      () => reduceLROnPlateau({ base: 0.1, thresholdMode: 'relative' as never }),
      RangeError,
      "reduceLROnPlateau: invalid thresholdMode = \"relative\": must be one of 'rel', 'abs'",
    ],
    [
      'reduceLROnPlateau patience -1',
      () => reduceLROnPlateau({ base: 0.1, patience: -1 }),
      RangeError,
      'reduceLROnPlateau: invalid patience = -1: must be an integer >= 0',
    ],
    ['anneal steps 1.5', () => anneal(0.5, 0.9, 1.5), RangeError, 'anneal: invalid steps = 1.5: must be an integer >= 0'],
    ['anneal shape', () => anneal(0.5, 0.9, 4, 'exp' as never), RangeError, "anneal: invalid shape = \"exp\": must be one of 'linear', 'cos'"],
  ];
  for (const [name, make, ErrorClass, message] of cases) {
    test(`${name}: ${ErrorClass.name}`, () => {
      expect(make).toThrow(new ErrorClass(message));
      try {
        make();
      } catch (e) {
        expect(e).toBeInstanceOf(ErrorClass);
      }
    });
  }

  test('a schedule is owned by one composite and appears once in it', () => {
    const a = stepLR({ base: 1, stepSize: 2 });
    expect(() => chainedScheduler({ schedulers: [a, a] })).toThrow(
      new TypeError('chainedScheduler: schedulers[1] appears twice; a schedule has one position, so give each slot its own'),
    );
    chainedScheduler({ schedulers: [a] });
    expect(() => sequentialLR({ schedulers: [a], milestones: [] })).toThrow(
      new TypeError('sequentialLR: schedulers[0] already belongs to another sequentialLR or chainedScheduler'),
    );
  });

  test('step(current) and observe(metric) check their arguments before changing anything', () => {
    const s = exponentialLR({ base: 0.1, gamma: 0.5 });
    expect(() => s.step('0.1' as never)).toThrow(new TypeError('exponentialLR.step: current must be a number, got "0.1"'));
    expect(() => s.step(Infinity)).toThrow(new RangeError('exponentialLR.step: invalid current = Infinity: must be a finite number'));
    expect([s.t, s.value]).toEqual([0, 0.1]);
    const p = reduceLROnPlateau({ base: 0.1 });
    expect(() => p.observe('x' as never)).toThrow(new TypeError('reduceLROnPlateau.observe: metric must be a number, got "x"'));
    expect(() => p.observe(-Infinity)).toThrow(RangeError);
    expect([p.t, p.value, p.best]).toEqual([0, 0.1, Infinity]);
  });
});
