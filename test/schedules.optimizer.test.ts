// Schedules driving optimizer options: the values torch's optimizer groups hold at every step (recorded in
// schedules.json) come out of paramGroups when the same schedules are given to ravine's SGD and Adam; a
// scheduled step is bit for bit the step with that value set by hand; hand-set values, assignment,
// setSchedule, plateaus, copies per group, the refusals, and checkpoints that resume schedules.
import { describe, expect, test } from 'vitest';
import {
  Adam,
  LBFGS,
  anneal,
  cosineAnnealingLR,
  createRavine,
  exponentialLR,
  lambdaLR,
  linearLR,
  oneCycleLR,
  reduceLROnPlateau,
  RMSprop,
  SGD,
  sequentialLR,
  stepLR,
  type Ravine,
  type Schedule,
  type StateDict,
  type Tensor,
} from '../src/index.js';

import { schedulesFor, stepped } from './helpers/schedules.js';

const bits = (values: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(values).buffer));

function gradient(t: number, size: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => Math.sin(1 + 0.37 * t + 1.3 * i) * Math.exp(Math.cos(i + t)));
}

const relClose = (ours: number[], want: number[]) => {
  expect(ours.length).toBe(want.length);
  ours.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-12 * Math.abs(want[i])));
};

describe.each(['simd', 'js'] as const)('%s backend: schedules drive optimizer options', (backend) => {
  const ravine = () => createRavine({ backend });

  for (const c of stepped) {
    test(`${c.scheduler} ${JSON.stringify(c.options)} given to ${c.optimizer}: paramGroups[0] holds torch's lr${c.momentum ? ' and momentum' : ''} at every step`, async () => {
      const rv = await ravine();
      const w = rv.tensor('w', [1, 2, 3]);
      const { lr, momentum } = schedulesFor(c);
      const opt = c.optimizer === 'SGD' ? new SGD([w], { lr, momentum: momentum ?? 0.9 }) : new Adam([w], { lr, betas: [momentum ?? 0.9, 0.999] });
      const lrs = [opt.paramGroups[0].lr];
      const moms = [c.optimizer === 'SGD' ? (opt.paramGroups[0] as { momentum: number }).momentum : (opt.paramGroups[0] as { betas: number[] }).betas[0]];
      for (let t = 1; t < c.lr.length; t++) {
        w.grad.set(gradient(t, 3));
        opt.step();
        lrs.push(opt.paramGroups[0].lr);
        moms.push(c.optimizer === 'SGD' ? (opt.paramGroups[0] as { momentum: number }).momentum : (opt.paramGroups[0] as { betas: number[] }).betas[0]);
      }
      relClose(lrs, c.lr);
      relClose(moms, c.momentum);
      expect(lr.t).toBe(c.lr.length - 1);
      rv.dispose();
    });
  }

  test("a scheduled step is bit for bit the step with the schedule's value set by hand (Adam, warmup then cosine lr, β1 annealed)", async () => {
    const rv = await ravine();
    const a = rv.tensor(
      'a',
      Array.from({ length: 37 }, (_, i) => Math.cos(i)),
    );
    const b = rv.tensor(
      'b',
      Array.from({ length: 37 }, (_, i) => Math.cos(i)),
    );
    const lr = sequentialLR({
      schedulers: [linearLR({ base: 0.01, startFactor: 0.1, totalIters: 5 }), cosineAnnealingLR({ base: 0.01, tMax: 20 })],
      milestones: [5],
    });
    const beta1 = anneal(0.5, 0.9, 10);
    const scheduled = new Adam([a], { lr, betas: [beta1, 0.999] });
    const manual = new Adam([b], { lr: lr.value, betas: [beta1.value, 0.999] });
    const twin = {
      lr: sequentialLR({
        schedulers: [linearLR({ base: 0.01, startFactor: 0.1, totalIters: 5 }), cosineAnnealingLR({ base: 0.01, tMax: 20 })],
        milestones: [5],
      }),
      beta1: anneal(0.5, 0.9, 10),
    };
    for (let t = 1; t <= 30; t++) {
      const g = gradient(t, 37);
      a.grad.set(g);
      b.grad.set(g);
      scheduled.step();
      manual.step();
      manual.paramGroups[0].lr = twin.lr.step();
      manual.paramGroups[0].betas[0] = twin.beta1.step();
      expect(bits(a.data)).toEqual(bits(b.data));
      expect(scheduled.paramGroups[0].lr).toBe(manual.paramGroups[0].lr);
      expect(scheduled.paramGroups[0].betas[0]).toBe(manual.paramGroups[0].betas[0]);
    }
    expect(beta1.value).toBe(0.9);
    rv.dispose();
  });

  test('momentum annealed 0.5 → 0.9 from 0 allocates the momentum buffer when momentum first becomes non-zero', async () => {
    const rv = await ravine();
    const w = rv.tensor('w', [1, -1]);
    const opt = new SGD([w], { lr: 0.1, momentum: anneal(0, 0.9, 4) });
    w.grad.set([1, 1]);
    opt.step(); // momentum 0: no buffer
    expect(opt.stateDict().state.w.momentumBuffer).toBeUndefined();
    opt.step(); // momentum 0.225: the buffer starts as a copy of d
    expect(Array.from(opt.stateDict().state.w.momentumBuffer as Float32Array)).toEqual([1, 1]);
    expect(opt.paramGroups[0].momentum).toBeCloseTo(0.45, 15);
    rv.dispose();
  });

  test('a value set by hand is honoured as torch does: a chainable schedule continues from it, a closed form overwrites it', async () => {
    const rv = await ravine();
    const w = rv.tensor('w', [1]);
    const v = rv.tensor('v', [1]);
    const chained = new SGD([w], { lr: exponentialLR({ base: 0.1, gamma: 0.5 }) });
    const closed = new SGD([v], { lr: lambdaLR({ base: 0.1, lrLambda: (t) => 1 / (t + 1) }) });
    chained.step();
    closed.step();
    chained.paramGroups[0].lr = 0.04;
    closed.paramGroups[0].lr = 0.04;
    chained.step();
    closed.step();
    expect(chained.paramGroups[0].lr).toBe(0.02);
    expect(closed.paramGroups[0].lr).toBe(0.1 / 3);
    rv.dispose();
  });

  test("a schedule in the optimizer's options gives every group its own copy; each advances once per step", async () => {
    const rv = await ravine();
    const tensors = ['a', 'b', 'c'].map((n) => rv.tensor(n, [1, 2]));
    const lr = stepLR({ base: 0.1, stepSize: 2, gamma: 0.5 });
    const opt = new SGD([{ params: [tensors[0]] }, { params: [tensors[1]] }], { lr });
    opt.addParamGroup({ params: [tensors[2]] });
    for (let t = 0; t < 4; t++) opt.step();
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.025, 0.025, 0.025]);
    expect(opt.schedule(0, 'lr')).toBe(lr);
    const copies = [opt.schedule(1, 'lr')!, opt.schedule(2, 'lr')!];
    expect(new Set([lr, ...copies]).size).toBe(3);
    expect(copies.map((s) => [s.kind, s.t, s.drives])).toEqual([
      ['stepLR', 4, "SGD param group 1's lr"],
      ['stepLR', 4, "SGD param group 2's lr"],
    ]);
    rv.dispose();
  });

  test('a schedule assigned to an option takes over at the next step, and its value at step 0 is the one that step uses', async () => {
    const rv = await ravine();
    const w = rv.tensor('w', [0]);
    const opt = new SGD([w], { lr: 1 });
    w.grad.set([1]);
    opt.step();
    const lr = anneal(0.5, 0.1, 4);
    (opt.paramGroups[0] as { lr: unknown }).lr = lr;
    expect(opt.schedule(0, 'lr')).toBe(lr); // adopted as soon as it is looked at
    opt.step();
    expect(w.data[0]).toBe(-1.5);
    expect(opt.paramGroups[0].lr).toBe(0.4);
    expect(lr.drives).toBe("SGD param group 0's lr");
    rv.dispose();
  });

  test('setSchedule attaches, replaces and detaches; the option keeps its last value; schedule() reads it', async () => {
    const rv = await ravine();
    const w = rv.tensor('w', [0]);
    const opt = new Adam([w]);
    const beta1 = anneal(0.5, 0.9, 2);
    opt.setSchedule(0, 'betas[0]', beta1);
    expect(opt.paramGroups[0].betas[0]).toBe(0.5);
    opt.step();
    expect(opt.paramGroups[0].betas[0]).toBe(0.7);
    opt.setSchedule(0, 'betas[0]', null);
    expect(beta1.drives).toBeNull();
    beta1.step(); // free to be stepped by hand again
    opt.step();
    expect(opt.paramGroups[0].betas[0]).toBe(0.7);
    expect(opt.schedule(0, 'betas[0]')).toBeNull();
    expect(() => opt.setSchedule(0, 'amsgrad', anneal(0, 1, 1))).toThrow(
      /"amsgrad" is not a number option of Adam \(those are lr, betas\[0\], betas\[1\], eps, weightDecay\)/,
    );
    expect(() => opt.setSchedule(0, 'betas[2]', anneal(0, 1, 1))).toThrow(TypeError);
    expect(() => opt.setSchedule(1, 'lr', anneal(0, 1, 1))).toThrow(/group must be an integer in \[0, 0\], got 1/);
    expect(() => opt.setSchedule(0, 'lr', 0.1 as never)).toThrow(/driver must be a schedule, a reduceLROnPlateau or null, got 0.1/);
    // A schedule whose value is out of range is refused and nothing changes.
    expect(() => opt.setSchedule(0, 'betas[1]', anneal(1.5, 0.9, 3))).toThrow(/invalid betas\[1\] = 1.5/);
    expect(opt.schedule(0, 'betas[1]')).toBeNull();
    expect(opt.paramGroups[0].betas[1]).toBe(0.999);
    rv.dispose();
  });

  test('a schedule drives one option: the same one given twice, or stepped by hand while it drives, is refused; dispose frees it', async () => {
    const rv = await ravine();
    const a = rv.tensor('a', [0]);
    const b = rv.tensor('b', [0]);
    const lr = exponentialLR({ base: 0.1, gamma: 0.9 });
    expect(
      () =>
        new SGD(
          [
            { params: [a], lr },
            { params: [b], lr },
          ],
          { lr: 0.1 },
        ),
    ).toThrow(/another option or group was given too/);
    expect(lr.drives).toBeNull();
    const opt = new SGD([a], { lr });
    expect(() => new SGD([b], { lr })).toThrow(/already drives SGD param group 0's lr/);
    expect(() => lr.step()).toThrow(/this schedule drives SGD param group 0's lr, and the optimizer steps it/);
    const inner = stepLR({ base: 0.1, stepSize: 1 });
    sequentialLR({ schedulers: [inner, stepLR({ base: 0.1, stepSize: 1 })], milestones: [2] });
    expect(() => new SGD([b], { lr: inner })).toThrow(/belongs to a sequentialLR or chainedScheduler/);
    opt.dispose();
    expect(lr.drives).toBeNull();
    expect(lr.step()).toBeCloseTo(0.09, 15);
    rv.dispose();
  });

  test('a schedule that reaches an invalid value stops the step before anything is written, naming the option and the schedule', async () => {
    const rv = await ravine();
    const w = rv.tensor('w', [1, 2, 3]);
    const opt = new Adam([w], { betas: [anneal(0.5, 1.5, 4), 0.999] });
    w.grad.set([1, 1, 1]);
    for (let t = 0; t < 2; t++) opt.step(); // β1 0.5, 0.75
    const before = { data: bits(w.data), state: JSON.stringify(opt.stateDict()) };
    expect(() => opt.step()).toThrow(/invalid betas\[0\] = 1: must be in \[0, 1\); options set by schedules in this group: betas\[0\] \(anneal\)/);
    expect(bits(w.data)).toEqual(before.data);
    expect(JSON.stringify(opt.stateDict())).toBe(before.state);
    rv.dispose();
  });

  test('oneCycleLR past its totalSteps throws before anything is stepped', async () => {
    const rv = await ravine();
    const w = rv.tensor('w', [1, 2]);
    const { lr, momentum } = oneCycleLR({ maxLr: 0.1, totalSteps: 3 });
    const opt = new SGD([w], { lr, momentum: momentum! });
    w.grad.set([1, -1]);
    for (let t = 0; t < 3; t++) opt.step();
    const data = bits(w.data),
      state = JSON.stringify(opt.stateDict());
    expect(() => opt.step()).toThrow(/oneCycleLR: stepped 4 times/);
    expect(bits(w.data)).toEqual(data);
    expect(JSON.stringify(opt.stateDict())).toBe(state);
    rv.dispose();
  });

  test("a plateau controller on lr reads and writes the group's lr when it observes, including a value set by hand", async () => {
    const rv = await ravine();
    const w = rv.tensor('w', [1]);
    const plateau = reduceLROnPlateau({ base: 0.1, patience: 0, factor: 0.5 });
    const opt = new SGD([w], { lr: plateau });
    plateau.observe(1);
    expect(opt.paramGroups[0].lr).toBe(0.1);
    plateau.observe(2);
    expect(opt.paramGroups[0].lr).toBe(0.05);
    opt.paramGroups[0].lr = 0.04;
    plateau.observe(3);
    expect(opt.paramGroups[0].lr).toBe(0.02);
    opt.step(); // steps do not move a plateau
    expect(opt.paramGroups[0].lr).toBe(0.02);
    expect(plateau.t).toBe(3);
    const shared = reduceLROnPlateau({ base: 0.1 });
    const [a, b] = [rv.tensor('a', [1]), rv.tensor('b', [1])];
    expect(() => new SGD([{ params: [a] }, { params: [b] }], { lr: shared })).toThrow(
      /the reduceLROnPlateau on lr in the optimizer's options drives its first group only; give each group its own/,
    );
    expect(shared.drives).toBeNull();
    rv.dispose();
  });
});

describe.each(['simd', 'js'] as const)('%s backend: checkpoints carry schedules and their positions', (backend) => {
  /** SGD over 'w' with a warmup-then-cosine lr and momentum annealed 0.5 → 0.9, or plain numbers. */
  function make(rv: Ravine, scheduled: boolean) {
    const w = rv.tensor(
      'w',
      Array.from({ length: 11 }, (_, i) => Math.sin(i)),
    );
    const lr = sequentialLR({
      schedulers: [linearLR({ base: 0.05, startFactor: 0.2, totalIters: 4 }), cosineAnnealingLR({ base: 0.05, tMax: 30, etaMin: 1e-3 })],
      milestones: [4],
    });
    const momentum = anneal(0.5, 0.9, 12);
    const opt = scheduled ? new SGD([w], { lr, momentum, nesterov: true }) : new SGD([w], { lr: 0.3, momentum: 0.2, nesterov: true });
    return { w, opt, lr, momentum };
  }
  const run = (job: ReturnType<typeof make>, from: number, steps: number) => {
    for (let t = from; t < from + steps; t++) {
      job.w.grad.set(gradient(t, 11));
      job.opt.step();
    }
  };

  test('saved after 10 steps and loaded into an optimizer built with the same schedules: the handles move to step 10 and the next 20 steps match', async () => {
    const rv = await createRavine({ backend });
    const whole = make(rv, true);
    run(whole, 0, 30);
    const first = make(await createRavine({ backend }), true);
    run(first, 0, 10);
    const saved = JSON.stringify(first.opt.stateDict());
    const second = make(await createRavine({ backend }), true);
    second.w.data.set(first.w.data);
    second.opt.loadStateDict(JSON.parse(saved) as StateDict);
    expect([second.lr.t, second.momentum.t]).toEqual([10, 10]);
    expect(second.opt.schedule(0, 'lr')).toBe(second.lr);
    run(second, 10, 20);
    expect(bits(second.w.data)).toEqual(bits(whole.w.data));
    expect(second.opt.paramGroups[0].momentum).toBe(0.9);
  });

  test('loaded into an optimizer built with plain numbers, the schedules come from the checkpoint and the run continues bit for bit', async () => {
    const whole = make(await createRavine({ backend }), true);
    run(whole, 0, 30);
    const first = make(await createRavine({ backend }), true);
    run(first, 0, 10);
    const second = make(await createRavine({ backend }), false);
    second.w.data.set(first.w.data);
    second.opt.loadStateDict(JSON.parse(JSON.stringify(first.opt.stateDict())) as StateDict);
    expect(second.opt.schedule(0, 'lr')!.kind).toBe('sequentialLR');
    expect(second.opt.schedule(0, 'momentum')!.t).toBe(10);
    run(second, 10, 20);
    expect(bits(second.w.data)).toEqual(bits(whole.w.data));
  });

  test('a checkpoint without schedules detaches the ones in charge, leaving the saved numbers', async () => {
    const plain = make(await createRavine({ backend }), false);
    run(plain, 0, 3);
    const job = make(await createRavine({ backend }), true);
    job.opt.loadStateDict(plain.opt.stateDict());
    expect([job.opt.schedule(0, 'lr'), job.lr.drives, job.opt.paramGroups[0].lr]).toEqual([null, null, 0.3]);
  });

  test('a lambdaLR cannot be rebuilt without its function: the load names what to do and changes nothing', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new SGD([w], { lr: lambdaLR({ base: 0.1, lrLambda: (t) => 0.9 ** t }) });
    opt.step();
    const saved = JSON.parse(JSON.stringify(opt.stateDict())) as StateDict;
    const v = (await createRavine({ backend })).tensor('w', [1, 2]);
    const other = new SGD([v], { lr: 0.5, momentum: 0.9 });
    const before = JSON.stringify(other.stateDict());
    expect(() => other.loadStateDict(saved)).toThrow(
      /the schedule of lr: .*needs its lrLambda back.*give the optimizer a schedule of the same kind on lr before loading/,
    );
    expect(JSON.stringify(other.stateDict())).toBe(before);
    const same = new SGD([(await createRavine({ backend })).tensor('w', [1, 2])], { lr: lambdaLR({ base: 0.1, lrLambda: (t) => 0.9 ** t }) });
    same.loadStateDict(saved);
    expect(same.paramGroups[0].lr).toBeCloseTo(0.09, 15);
  });

  test('a schedule saved with other options than the one in charge replaces it (the old one is freed)', async () => {
    const rv = await createRavine({ backend });
    const opt = new SGD([rv.tensor('w', [1])], { lr: stepLR({ base: 0.1, stepSize: 3 }) });
    opt.step();
    const saved = opt.stateDict();
    const mine = stepLR({ base: 0.1, stepSize: 5 });
    const other = new SGD([(await createRavine({ backend })).tensor('w', [1])], { lr: mine });
    other.loadStateDict(saved);
    expect(mine.drives).toBeNull();
    expect(other.schedule(0, 'lr')!.toJSON().options).toEqual({ base: 0.1, stepSize: 3, gamma: 0.1 });
  });

  test('a version-1 state dict (before schedules were saved) still loads; a bad schedules entry is refused', async () => {
    const rv = await createRavine({ backend });
    const opt = new RMSprop([rv.tensor('w', [1, 2])], { lr: 0.01 });
    opt.step();
    const v1 = { ...opt.stateDict(), version: 1 } as StateDict;
    const other = new RMSprop([(await createRavine({ backend })).tensor('w', [1, 2])], { lr: 0.02 });
    other.loadStateDict(v1);
    expect(other.paramGroups[0].lr).toBe(0.01);
    const withBad = { ...opt.stateDict(), paramGroups: [{ ...opt.stateDict().paramGroups[0], schedules: { lr: { kind: 'nope' } } }] } as StateDict;
    expect(() => other.loadStateDict(withBad)).toThrow(/param group 0: the schedule of lr: scheduleFromJSON/);
    const misnamed = {
      ...opt.stateDict(),
      paramGroups: [{ ...opt.stateDict().paramGroups[0], schedules: { centered: anneal(0, 1, 2).toJSON() } }],
    } as StateDict;
    expect(() => other.loadStateDict(misnamed)).toThrow(/"centered" is not a number option of RMSprop/);
    expect(() => other.loadStateDict({ ...v1, version: 3 } as never)).toThrow(/state dict version 3 is not one this ravine reads/);
  });
});

describe.each(['simd', 'js'] as const)('%s backend: LBFGS takes schedules too', (backend) => {
  /** Rosenbrock over two tensors, as an LBFGS closure. */
  function rosen(x: Tensor, y: Tensor) {
    return () => {
      const [a, b] = [x.data[0], y.data[0]];
      x.grad[0] = -2 * (1 - a) - 400 * a * (b - a * a);
      y.grad[0] = 200 * (b - a * a);
      return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
    };
  }
  const make = async (lr: number | Schedule) => {
    const rv = await createRavine({ backend });
    const [x, y] = [rv.tensor('x', [-1.2]), rv.tensor('y', [1])];
    return { x, y, opt: new LBFGS([x, y], { lr, maxIter: 3 }), closure: rosen(x, y) };
  };

  test('a scheduled lr is bit for bit the lr set by hand after each step; checkpoints carry it', async () => {
    const lr = exponentialLR({ base: 0.5, gamma: 0.9 });
    const scheduled = await make(lr);
    const manual = await make(0.5);
    for (let s = 0; s < 6; s++) {
      scheduled.opt.step(scheduled.closure);
      manual.opt.step(manual.closure);
      manual.opt.paramGroups[0].lr = manual.opt.paramGroups[0].lr * 0.9;
      expect([scheduled.x.data[0], scheduled.y.data[0]]).toEqual([manual.x.data[0], manual.y.data[0]]);
      expect(scheduled.opt.paramGroups[0].lr).toBe(manual.opt.paramGroups[0].lr);
    }
    expect(lr.drives).toBe("LBFGS's lr");
    const saved = JSON.parse(JSON.stringify(scheduled.opt.stateDict()));
    const resumed = await make(1);
    resumed.x.data.set(scheduled.x.data);
    resumed.y.data.set(scheduled.y.data);
    resumed.opt.loadStateDict(saved);
    expect(resumed.opt.schedule('lr')!.t).toBe(6);
    for (let s = 0; s < 4; s++) {
      scheduled.opt.step(scheduled.closure);
      resumed.opt.step(resumed.closure);
    }
    expect([resumed.x.data[0], resumed.y.data[0]]).toEqual([scheduled.x.data[0], scheduled.y.data[0]]);
    const z = (await createRavine({ backend })).tensor('z', [1]);
    expect(() => new LBFGS([z], { maxIter: anneal(1, 5, 4) as never })).toThrow(
      /option maxIter cannot be scheduled \(LBFGS schedules lr, toleranceGrad, toleranceChange\)/,
    );
    scheduled.opt.dispose();
    expect(lr.drives).toBeNull();
  });
});
