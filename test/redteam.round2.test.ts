import { tensorFor } from './helpers/cases.js';
// The second red team's findings in the optimizers' core (issue 19): each test fails on the code the red
// team attacked and passes now. Silent corruption first, then crashes, a leak and unclear errors.
import { describe, expect, it } from 'vitest';
import {
  ASGD,
  Adam,
  AdamW,
  AveragedParams,
  LBFGS,
  NAdam,
  SGD,
  createRavine,
  cyclicLR,
  decodeCheckpoint,
  encodeCheckpoint,
  exponentialLR,
  lambdaLR,
  linearLR,
  minimize,
  multiplicativeLR,
  sequentialLR,
  type Optimizer,
  type StateDict,
} from '../src/index.js';
import { optimizerRegistry } from '../src/optim/registry.js';
import { SPLIT_THRESHOLD } from '../src/backend/threads.js';
import { ravineSGD } from '../src/tfjs/index.js';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

const backends = ['simd', 'js'] as const;

/** Bits of every tensor's values and gradients, the state dict, the step count: what a refused call must leave alone. */
function observe(opt: Optimizer<object>): string {
  const tensors = opt.paramGroups.flatMap((g) => g.params);
  return JSON.stringify({
    state: opt.stateDict(),
    steps: opt.steps,
    data: tensors.map((t) => Array.from(new Uint32Array(t.data.slice().buffer))),
    grad: tensors.map((t) => Array.from(new Uint32Array(t.grad.slice().buffer))),
  });
}

describe.each(backends)('%s: a number finite as a double but infinite as a float32 never reaches the parameters', (backend) => {
  const FLOAT32_OVERFLOW = [1e39, 3.5e38, Number.MAX_VALUE];

  it('every option of every optimizer refuses it, at construction and between steps, naming the option and saying float32', async () => {
    const rv = await createRavine({ backend });
    type Make = new (params: unknown, options?: unknown) => Optimizer<object>;
    const cases: [Make, string, Record<string, unknown>][] = [
      [SGD as never, 'lr', { lr: 1 }],
      [SGD as never, 'momentum', { lr: 1 }],
      [SGD as never, 'weightDecay', { lr: 1 }],
      [SGD as never, 'dampening', { lr: 1 }],
      [Adam as never, 'lr', {}],
      [Adam as never, 'eps', {}],
      [AdamW as never, 'weightDecay', {}],
      [ASGD as never, 'lambd', {}],
    ];
    let k = 0;
    for (const [Class, key, base] of cases) {
      const what = `${Class.name} ${key}`;
      for (const v of FLOAT32_OVERFLOW) {
        const value = key === 'dampening' ? -v : v;
        expect(() => new Class([rv.tensor(`w${k++}`, [1, 2])], { ...base, [key]: value }), what).toThrow(new RegExp(`invalid ${key} = .*finite in float32`));
        // Set on a live group between steps: the next step refuses it and changes nothing.
        const w = rv.tensor(`w${k++}`, [1, 2]);
        const opt = new Class([w], base);
        w.grad.set([1, -1]);
        opt.step();
        (opt.paramGroups[0] as unknown as Record<string, unknown>)[key] = value;
        const before = observe(opt);
        expect(() => opt.step(), what).toThrow(new RegExp(`invalid ${key} = .*finite in float32`));
        expect(observe(opt), what).toBe(before);
      }
    }
  });

  it("SGD lr 1e39 (the red team's case) is refused; the largest float32 is taken", async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    expect(() => new SGD([w], { lr: 1e39 })).toThrow(
      'SGD: invalid lr = 1e+39: must be a number >= 0, finite in float32 (rounding to at most 3.4028234663852886e+38 in magnitude)',
    );
    const opt = new SGD([w], { lr: 3.4028234663852886e38 });
    w.grad.set([0, 0]);
    opt.step();
    expect(Array.from(w.data)).toEqual([1, 2]);
  });

  it('a derived scalar that overflows float32 (lr / biasCorrection1, 1 − lr·weightDecay) refuses the step, naming it, in every group before any is stepped', async () => {
    const rv = await createRavine({ backend });
    const a = rv.tensor('a', [1, 2]),
      b = rv.tensor('b', [3]);
    // lr = 1e38 is a float32, but at step 1 Adam's step size lr / (1 − 0.9) = 1e39 is not.
    const opt = new Adam([
      { params: [a], lr: 0.1 },
      { params: [b], lr: 1e38 },
    ]);
    a.grad.set([1, 1]);
    b.grad.set([1]);
    const before = observe(opt);
    expect(() => opt.step()).toThrow(
      /Adam param group 1: at step 1, negStepSize \(computed from the options\) is -Infinity in float32.*lr = 1e\+38.*Nothing was stepped/,
    );
    expect(observe(opt)).toBe(before);
    const w = rv.tensor('w', [1]);
    const adamw = new AdamW([w], { lr: 1e20, weightDecay: 1e20 });
    w.grad.set([1]);
    expect(() => adamw.step()).toThrow(/paramScale \(computed from the options\) is -Infinity/);
    expect(adamw.steps).toBe(0);
    expect(w.data[0]).toBe(1);
  });

  it('a schedule that would grow past float32 (exponentialLR from 1e38, gamma 10) refuses the step that would advance it there, naming it; the optimizer stays loadable', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new SGD([w], { lr: exponentialLR({ base: 1e38, gamma: 10 }) });
    w.grad.set([1e-40, 0]);
    const before = observe(opt);
    expect(() => opt.step()).toThrow(
      /schedule of SGD param group 0's lr cannot advance: exponentialLR: the value at step 1 would be 1e\+39, which is Infinity in float32; nothing was stepped/,
    );
    expect(observe(opt)).toBe(before);
    expect([opt.steps, opt.schedule(0, 'lr')!.t, opt.paramGroups[0].lr]).toEqual([0, 0, 1e38]);
    opt.loadStateDict(JSON.parse(JSON.stringify(opt.stateDict())));
  });

  it('options that enter only double arithmetic (ASGD t0, Adagrad lrDecay, NAdam momentumDecay, LBFGS lr and tolerances) take any finite double, as torch does', async () => {
    const rv = await createRavine({ backend });
    const asgd = new ASGD([rv.tensor('a', [1, 2])], { t0: 1e300 });
    asgd.paramGroups[0].params[0].grad.set([1, 1]);
    asgd.step();
    asgd.loadStateDict(JSON.parse(JSON.stringify(asgd.stateDict())));
    const nadam = new NAdam([rv.tensor('n', [1, 2])], { momentumDecay: 1e300 });
    nadam.paramGroups[0].params[0].grad.set([1, 1]);
    nadam.step();
    expect(Array.from(nadam.paramGroups[0].params[0].data).every(Number.isFinite)).toBe(true);
    expect(() => new LBFGS([rv.tensor('l', [1])], { lr: 1e39, toleranceGrad: 1e300 })).not.toThrow();
    expect(() => new ASGD([rv.tensor('b', [1])], { t0: Infinity })).toThrow(/invalid t0 = Infinity: must be a finite number/);
  });

  it('a loaded state dict with weightDecay 1e300 is refused and changes nothing', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new Adam([w]);
    w.grad.set([1, 1]);
    opt.step();
    const dict = JSON.parse(JSON.stringify(opt.stateDict()));
    dict.paramGroups[0].weightDecay = 1e300;
    const before = observe(opt);
    expect(() => opt.loadStateDict(dict)).toThrow(/invalid weightDecay = 1e\+300.*finite in float32/);
    expect(observe(opt)).toBe(before);
  });
});

describe.each(backends)('%s: the scalars step() checks are the only ones that can overflow float32', (backend) => {
  // OptimizerSpec.derivedSlots lists the slots of each kernel's scalar block that can overflow float32
  // though every option is finite in float32, and step() checks only those. Step every optimizer with
  // pairs of options at float32's extremes (each subclassed to copy the block it writes): after a step
  // every slot was finite, and a refused step had a derived slot that was not.
  const values = [-3.4028234663852886e38, -1, 0, 1e-30, 0.5, 0.9999999, 1, 1e30, 3.4028234663852886e38];
  for (const [method, entry] of Object.entries(optimizerRegistry)) {
    it(`${entry.name}: with every pair of options at float32's extremes, a step that goes ahead had every scalar finite, a refused one a derived scalar that was not`, async () => {
      const rv = await createRavine({ backend });
      let block = new Float32Array(0);
      const Base = entry.Class as unknown as new (p: unknown, o?: unknown) => Optimizer<object>;
      const Probe = class extends (Base as new (p: unknown, o?: unknown) => { scalars(o: unknown, m: unknown, b: Float32Array, t: number): number }) {
        scalars(o: unknown, m: unknown, b: Float32Array, t: number): number {
          const flags = super.scalars(o, m, b, t);
          block = b.slice();
          return flags;
        }
      } as unknown as new (
        p: unknown,
        o?: unknown,
      ) => Optimizer<object>;
      const base: Record<string, unknown> = method === 'sgd' ? { lr: 0.1 } : {};
      const defaults = new Base([tensorFor(rv, entry.name, 'defaults', [1])], base).paramGroups[0] as unknown as Record<string, unknown>;
      const keys = Object.entries(defaults)
        .filter(([k, v]) => k !== 'params' && (typeof v === 'number' || Array.isArray(v)))
        .flatMap(([k, v]) => (Array.isArray(v) ? v.map((_, j) => [k, j] as const) : [[k, -1] as const]));
      let stepped = 0,
        refused = 0,
        n = 0;
      for (let a = 0; a < keys.length; a++) {
        for (let c = a + 1; c < keys.length; c++) {
          for (const va of values) {
            for (const vc of values) {
              const o = structuredClone(Object.fromEntries(Object.entries(defaults).filter(([k]) => k !== 'params')));
              for (const [[k, j], v] of [
                [keys[a], va],
                [keys[c], vc],
              ] as const) {
                if (j < 0) o[k] = v;
                else (o[k] as number[])[j] = v;
              }
              const w = tensorFor(rv, entry.name, `w${n++}`, [1, -2, 3, 0.25, -0.5]);
              let opt: Optimizer<object>;
              try {
                opt = new Probe([w], o);
              } catch {
                w.dispose();
                continue; // options the optimizer refuses up front
              }
              for (let t = 0; t < 3; t++) {
                w.grad.set([0.5, -1, 0, 2, -0.25]);
                let error: Error | null = null;
                try {
                  opt.step();
                } catch (e) {
                  error = e as Error;
                }
                const bad = Array.from(block).findIndex((x) => !Number.isFinite(x));
                const what = `${JSON.stringify(o)} at step ${t + 1}, slot ${bad} = ${block[bad]}`;
                if (error === null) {
                  expect(bad, what).toBe(-1);
                  stepped++;
                } else {
                  expect(error.message, what).toMatch(/\(computed from the options\) is -?Infinity in float32/);
                  expect(bad, what).toBeGreaterThanOrEqual(0);
                  refused++;
                  break;
                }
              }
              opt.dispose();
              w.dispose();
            }
          }
        }
      }
      expect(stepped).toBeGreaterThan(100);
      if (['adam', 'adamw', 'adamax', 'nadam', 'asgd'].includes(method)) expect(refused).toBeGreaterThan(0);
    });
  }
});

describe.each(backends)('%s: an async closure never steps on the old gradients', (backend) => {
  it('stepAsync awaits the closure, then steps on the gradients it wrote, resolving to its loss', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]),
      ref = rv.tensor('ref', [1, 2]);
    const opt = new SGD([w], { lr: 0.5 }),
      refOpt = new SGD([ref], { lr: 0.5 });
    w.grad.set([9, 9]); // stale: the closure replaces them after a tick
    const loss = await opt.stepAsync(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      w.grad.set([1, -2]);
      return 7;
    });
    ref.grad.set([1, -2]);
    refOpt.step();
    expect(loss).toBe(7);
    expect(Array.from(w.data)).toEqual(Array.from(ref.data));
    expect(opt.steps).toBe(1);
  });

  it('step() refuses an async function before calling it, and a Promise-returning one after, changing nothing', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new Adam([w], { lr: 0.1 });
    w.grad.set([1, 1]);
    opt.step();
    const before = observe(opt);
    let called = 0;
    expect(() =>
      opt.step((async () => {
        called++;
        return 1;
      }) as never),
    ).toThrow(/closure is async.*await opt.stepAsync\(closure\).*Nothing was stepped/);
    expect(called).toBe(0);
    expect(() => opt.step((() => Promise.resolve(1)) as never)).toThrow(/closure is async/);
    expect(observe(opt)).toBe(before);
    const lbfgs = new LBFGS([rv.tensor('v', [1])]);
    expect(() => lbfgs.step((() => Promise.resolve(1)) as never)).toThrow(
      /LBFGS.step: the closure is async.*must compute the loss and write the gradients before it returns/,
    );
  });

  it('stepAsync with a closure that disposes the optimizer writes nothing', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new SGD([w], { lr: 1 });
    w.grad.set([1, 1]);
    await expect(
      opt.stepAsync(async () => {
        opt.dispose();
      }),
    ).rejects.toThrow(/disposed during the closure of this step \(nothing was stepped\)/);
    expect(Array.from(w.data)).toEqual([1, 2]);
  });
});

describe.each(backends)('%s: a step and its schedules move together', (backend) => {
  it('a schedule that cannot advance refuses the step: opt.steps and schedule.t stay equal, parameters and every schedule unchanged', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]),
      v = rv.tensor('v', [3]);
    let poison = false;
    const lr = exponentialLR({ base: 0.1, gamma: 0.5 });
    const momentum = lambdaLR({ base: 0.9, lrLambda: (t) => (poison && t > 2 ? NaN : 1 - 0.01 * t) });
    const cyc = sequentialLR({ schedulers: [exponentialLR({ base: 0.2, gamma: 0.9 }), exponentialLR({ base: 0.2, gamma: 0.8 })], milestones: [2] });
    const opt = new SGD(
      [
        { params: [w], lr, momentum },
        { params: [v], lr: cyc },
      ],
      { lr: 0.1 },
    );
    w.grad.set([1, 1]);
    v.grad.set([1]);
    opt.step();
    opt.step();
    poison = true;
    const before = observe(opt);
    const schedules = () => JSON.stringify([opt.schedule(0, 'lr'), opt.schedule(0, 'momentum'), opt.schedule(1, 'lr')]);
    const positions = schedules();
    expect(() => opt.step()).toThrow(/the schedule of SGD param group 0's momentum cannot advance: .*NaN.*nothing was stepped/);
    expect(observe(opt)).toBe(before);
    expect(schedules()).toBe(positions);
    expect(opt.schedule(0, 'momentum')!.t).toBe(opt.steps);
    poison = false;
    opt.step();
    expect(opt.steps).toBe(3);
    for (const [g, name] of [
      [0, 'lr'],
      [0, 'momentum'],
      [1, 'lr'],
    ] as const)
      expect(opt.schedule(g, name)!.t).toBe(3);
  });

  it('a step refused by errorIfNonfinite leaves the schedules where they were', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new SGD([w], { lr: exponentialLR({ base: 0.1, gamma: 0.5 }) }, { clipGradNorm: { maxNorm: 1, errorIfNonfinite: true } });
    w.grad.set([NaN, 1]);
    expect(() => opt.step()).toThrow(/errorIfNonfinite/);
    expect(opt.steps).toBe(0);
    expect(opt.schedule(0, 'lr')!.t).toBe(0);
    expect(opt.paramGroups[0].lr).toBe(0.1);
  });

  it('LBFGS: a schedule that cannot advance refuses the step before the closure runs', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const lbfgs = new LBFGS([w], { lr: multiplicativeLR({ base: 1, lrLambda: () => Infinity }) });
    let calls = 0;
    expect(() =>
      lbfgs.step(() => {
        calls++;
        w.grad.set([2 * w.data[0], 2 * w.data[1]]);
        return w.data[0] ** 2 + w.data[1] ** 2;
      }),
    ).toThrow(/cannot advance.*nothing was stepped/);
    expect(calls).toBe(0);
    expect(Array.from(w.data)).toEqual([1, 2]);
    expect(lbfgs.schedule('lr')!.t).toBe(0);
  });
});

describe.each(backends)('%s: what the property test found (issue 19, keep it that way)', (backend) => {
  it("linearLR to endFactor 0 ends a hair below 0, as torch's does: training goes on, and the checkpoint it writes loads", async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new SGD([w], { lr: linearLR({ base: 0.05, startFactor: 1 / 3, endFactor: 0, totalIters: 4 }), momentum: 0.9 });
    for (let t = 0; t < 4; t++) {
      w.grad.set([0.5, -0.5]);
      opt.step();
    }
    expect(opt.paramGroups[0].lr).toBe(-9.251858538542973e-19); // torch's chainable arithmetic, to the bit
    const dict = JSON.parse(JSON.stringify(opt.stateDict()));
    for (let t = 0; t < 3; t++) {
      w.grad.set([0.5, -0.5]);
      opt.step();
    }
    expect(opt.steps).toBe(7);
    const twin = await createRavine({ backend });
    const v = twin.tensor('w', [1, 2]);
    const copy = new SGD([v], { lr: linearLR({ base: 0.05, startFactor: 1 / 3, endFactor: 0, totalIters: 4 }), momentum: 0.9 });
    copy.loadStateDict(dict);
    expect(copy.paramGroups[0].lr).toBe(-9.251858538542973e-19);
    // A value far below 0 is still refused, by name.
    const u = rv.tensor('u', [1]);
    const bad = new SGD([u], { lr: lambdaLR({ base: 0.1, lrLambda: (t) => (t < 1 ? 1 : -1) }) });
    u.grad.set([1]);
    bad.step();
    expect(() => bad.step()).toThrow(/invalid lr = -0.1.*set by schedules in this group: lr \(lambdaLR\)/);
  });

  it("a step with momentum 0 leaves an allocated momentum buffer unwritten (torch's None): saved as null, and momentum back on starts it from the gradient", async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [-0, 1]),
      ref = rv.tensor('ref', [-0, 1]);
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    opt.paramGroups[0].momentum = 0;
    w.grad.set([0, 1]);
    opt.step();
    expect(opt.stateDict().state.w.momentumBuffer).toBe(null);
    opt.paramGroups[0].momentum = 0.9;
    w.grad.set([-0, 1]);
    opt.step();
    // torch: the buffer is a clone of the gradient, -0 included, and the parameter -0 + (-0.1)·(-0) = +0.
    const refOpt = new SGD([ref], { lr: 0.1 });
    ref.grad.set([0, 1]);
    refOpt.step();
    const withMomentum = new SGD([rv.tensor('r2', ref.data)], { lr: 0.1, momentum: 0.9 });
    withMomentum.paramGroups[0].params[0].grad.set([-0, 1]);
    withMomentum.step();
    expect(Array.from(new Uint32Array((opt.stateDict().state.w.momentumBuffer as Float32Array).buffer))).toEqual(
      Array.from(new Uint32Array(Float32Array.from([-0, 1]).buffer)),
    );
    expect(Object.is(w.data[0], withMomentum.paramGroups[0].params[0].data[0])).toBe(true);
  });

  it('a state dict saved after momentum was turned on, before the step that would allocate its buffer, loads back', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new SGD([w], { lr: 0.1 });
    w.grad.set([1, 1]);
    opt.step();
    opt.paramGroups[0].momentum = 0.9;
    const dict = opt.stateDict();
    expect(dict.state.w.momentumBuffer).toBe(undefined);
    opt.loadStateDict(dict);
    opt.loadStateDict(JSON.parse(JSON.stringify(dict)));
    w.grad.set([1, 1]);
    opt.step();
    expect(Array.from(opt.stateDict().state.w.momentumBuffer as Float32Array)).toEqual([1, 1]);
  });
});

describe.each(backends)('%s: what the review found (issue 19)', (backend) => {
  const decayToZero = () => linearLR({ base: 0.05, startFactor: 1 / 3, endFactor: 0, totalIters: 4 });

  it('a scheduled residue below 0 passes everywhere a step passes it: addParamGroup, LBFGS.loadStateDict, ravine/tfjs with a new variable and its own dict', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]),
      v = rv.tensor('v', [3]);
    const opt = new SGD([w], { lr: decayToZero(), momentum: 0.9 });
    for (let t = 0; t < 5; t++) {
      w.grad.set([0.5, -0.5]);
      opt.step();
    }
    expect(opt.paramGroups[0].lr).toBeLessThan(0);
    opt.addParamGroup({ params: [v] });
    expect(opt.paramGroups[1].lr).toBe(opt.paramGroups[0].lr);

    const p = rv.tensor('p', [1, 2]);
    const closure = () => {
      p.grad.set([2 * p.data[0], 2 * p.data[1]]);
      return p.data[0] ** 2 + p.data[1] ** 2;
    };
    const lbfgs = new LBFGS([p], { lr: decayToZero(), maxIter: 1 });
    for (let t = 0; t < 5; t++) lbfgs.step(closure);
    expect(lbfgs.paramGroups[0].lr).toBeLessThan(0);
    const twin = await createRavine({ backend });
    new LBFGS([twin.tensor('p', [1, 2])], { lr: decayToZero(), maxIter: 1 }).loadStateDict(lbfgs.stateDict());

    await tf.setBackend('cpu');
    const a = tf.variable(tf.tensor1d([1, 2]), true, `residue_a_${backend}`),
      b = tf.variable(tf.tensor1d([3, 4]), true, `residue_b_${backend}`);
    const bridge = ravineSGD(rv, { lr: decayToZero(), momentum: 0.9 });
    for (let t = 0; t < 5; t++) bridge.applyGradients({ [a.name]: tf.tensor1d([0.5, -0.5]) });
    const dict = bridge.stateDict();
    bridge.applyGradients({ [a.name]: tf.tensor1d([0.5, -0.5]), [b.name]: tf.tensor1d([1, 1]) });
    ravineSGD(rv, { lr: decayToZero(), momentum: 0.9 }).loadStateDict(dict);
    tf.dispose([a, b]);
  });

  it('step() refusing a closure whose Promise rejects leaves no unhandled rejection behind', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new SGD([w], { lr: 0.1 });
    const unhandled: unknown[] = [];
    const listen = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listen);
    try {
      expect(() => opt.step((() => Promise.reject(new Error('fetch failed'))) as never)).toThrow(/closure is async/);
      const p = rv.tensor('p', [1]);
      expect(() => new LBFGS([p]).step((() => Promise.reject(new Error('fetch failed'))) as never)).toThrow(/closure is async/);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', listen);
    }
    expect(unhandled).toEqual([]);
  });
});

describe('a step that fails inside its kernels keeps the bookkeeping of a step not taken', () => {
  it('a worker thread that fails mid-update: opt.steps and the schedule stay equal, and the next clip starts from a gradient scale of 1', async () => {
    const rv = await createRavine({ backend: 'simd', threads: 2 });
    expect(rv.threads).toBe(2); // these machines have two cores
    const w = rv.tensor('w', 2 * SPLIT_THRESHOLD);
    const s = exponentialLR({ base: 1e-3, gamma: 0.5 });
    const opt = new Adam([w], { lr: s }, { clipGradNorm: 1e-9 });
    w.grad.fill(1);
    opt.step();
    (rv as unknown as { _context: { backend: { pool: { failNext(n: number): void } } } })._context.backend.pool.failNext(1);
    expect(() => opt.step()).toThrow();
    expect([opt.steps, s.t, s.value, opt.paramGroups[0].lr]).toEqual([1, 1, 5e-4, 5e-4]);
    rv.dispose();
  }, 30_000);
});

describe.each(backends)("%s: a refused step leaves the user's gradients exactly as they were", (backend) => {
  it("errorIfNonfinite with accumulation: the last micro-batch's NaN refuses the step before the mean is written into the gradients", async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2, 3, 4, 5, 6]);
    const opt = new Adam([w], { lr: 0.1 }, { accumulate: 2, clipGradNorm: { maxNorm: 1, errorIfNonfinite: true } });
    w.grad.set([1, 2, 3, 4, 5, 6]);
    opt.step(); // accumulated
    w.grad.set([0.5, NaN, 0.5, 0.5, 0.5, 0.5]);
    const before = observe(opt);
    expect(() => opt.step()).toThrow(
      /norm of order 2 of the gradients is NaN.*gradients are untouched; the 1 micro-batches before this one are still accumulated/,
    );
    expect(observe(opt)).toBe(before);
    // The first micro-batch is still there: a finite second one steps on the mean of the two.
    const ref = rv.tensor('ref', [1, 2, 3, 4, 5, 6]);
    const refOpt = new Adam([ref], { lr: 0.1 }, { clipGradNorm: 1 });
    w.grad.set([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    opt.step();
    ref.grad.set([1, 2, 3, 4, 5, 6].map((g) => Math.fround(Math.fround(g + 0.5) * 0.5)));
    refOpt.step();
    expect(Array.from(w.data)).toEqual(Array.from(ref.data));
  });

  it('errorIfNonfinite with an Infinity in a big group (SIMD body and tail) and accumulation: refused, gradients bit for bit', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', 67);
    const opt = new SGD([w], { lr: 0.1 }, { accumulate: 3, clipGradNorm: { maxNorm: 1, errorIfNonfinite: true } });
    for (const at of [0, 13, 64, 66]) {
      w.grad.fill(1);
      opt.step();
      opt.step();
      w.grad.fill(0.25);
      w.grad[at] = -Infinity;
      const before = observe(opt);
      expect(() => opt.step(), `-Infinity at ${at}`).toThrow(/is Infinity/);
      expect(observe(opt), `-Infinity at ${at}`).toBe(before);
      w.grad[at] = 0.25;
      opt.step();
    }
  });

  it('errorIfNonfinite with clipGradValue: a NaN refuses the step before the clamp changes anything; an Infinity is clamped and stepped', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2, 3]);
    const opt = new SGD([w], { lr: 0.1 }, { clipGradValue: 0.5, clipGradNorm: { maxNorm: 10, errorIfNonfinite: true } });
    w.grad.set([5, NaN, -5]);
    const before = observe(opt);
    expect(() => opt.step()).toThrow(/is NaN/);
    expect(observe(opt)).toBe(before);
    w.grad.set([5, Infinity, -5]);
    opt.step();
    expect(Array.from(w.grad)).toEqual([0.5, 0.5, -0.5]);
    expect(opt.steps).toBe(1);
  });

  it('a float32 norm that overflows though every element is finite: refused before the clamp or the mean is written, with and without the guard', async () => {
    const rv = await createRavine({ backend });
    for (const skipNonFinite of [false, true]) {
      const a = rv.tensor(`a${skipNonFinite}`, [1, 2]);
      const o1 = new SGD([a], { lr: 0.1 }, { skipNonFinite, clipGradValue: 3e38, clipGradNorm: { maxNorm: 1, errorIfNonfinite: true } });
      a.grad.set([3e38, -3.4e38]); // clamped to [3e38, -3e38]: the float32 2-norm, 4.2e38, is Infinity
      let before = observe(o1);
      expect(() => o1.step()).toThrow(/norm of order 2 of the gradients is Infinity/);
      expect(observe(o1)).toBe(before);
      const b = rv.tensor(`b${skipNonFinite}`, [1, 2, 3]);
      const o2 = new SGD([b], { lr: 0.1 }, { skipNonFinite, accumulate: 2, clipGradNorm: { maxNorm: 1, normType: 1, errorIfNonfinite: true } });
      b.grad.set([1e38, 1e38, 1e38]);
      o2.step();
      b.grad.set([2e38, 2e38, 2e38]); // the mean 1.5e38 thrice: its float32 1-norm is Infinity
      before = observe(o2);
      expect(() => o2.step()).toThrow(/norm of order 1 of the gradients is Infinity/);
      expect(observe(o2)).toBe(before);
      expect(o2.pendingMicroBatches).toBe(1);
    }
    // With the guard, gradients holding NaN or ±Infinity are skipped, not refused: the guard comes first.
    const c = rv.tensor('c', [1, 2]);
    const o3 = new SGD([c], { lr: 0.1 }, { skipNonFinite: true, clipGradValue: 1, clipGradNorm: { maxNorm: 1, errorIfNonfinite: true } });
    c.grad.set([Infinity, 1]);
    o3.step();
    expect(o3.skippedSteps).toBe(1);
  });

  it("adopted arrays: a refused accumulated step leaves the user's own grad array as it was", async () => {
    const rv = await createRavine({ backend });
    const data = new Float32Array([1, 2, 3]),
      grad = new Float32Array([1, 1, 1]);
    const w = rv.adopt('w', data, grad);
    const opt = new SGD([w], { lr: 0.1 }, { accumulate: 2, clipGradNorm: { maxNorm: 1, errorIfNonfinite: true } });
    opt.step();
    grad.set([2, NaN, 2]);
    expect(() => opt.step()).toThrow(/errorIfNonfinite/);
    expect(Array.from(grad)).toEqual([2, NaN, 2]);
    expect(Array.from(data)).toEqual([1, 2, 3]);
  });
});

describe.each(backends)('%s: names are keys, never prototypes', (backend) => {
  it('tensors named __proto__, toString and constructor survive stateDict, JSON, binary checkpoints, AveragedParams and LBFGS', async () => {
    const rv = await createRavine({ backend });
    const names = ['__proto__', 'toString', 'constructor'];
    const ts = names.map((n, i) => rv.tensor(n, [i + 1, i + 2]));
    const opt = new Adam(ts, { lr: 0.1 });
    for (const t of ts) t.grad.set([1, -1]);
    opt.step();
    const dict = opt.stateDict();
    expect(Object.keys(dict.state).sort()).toEqual([...names].sort());
    expect(Object.getPrototypeOf(dict.state)).toBe(null);
    for (const copy of [JSON.parse(JSON.stringify(dict)) as StateDict, decodeCheckpoint(encodeCheckpoint(dict)) as StateDict]) {
      expect(Object.keys(copy.state).sort()).toEqual([...names].sort());
      const twin = await createRavine({ backend });
      const other = new Adam(
        names.map((n, i) => twin.tensor(n, [i + 1, i + 2])),
        { lr: 0.1 },
      );
      other.loadStateDict(copy);
      expect(JSON.stringify(other.stateDict())).toBe(JSON.stringify(dict));
    }
    const avg = new AveragedParams(ts);
    avg.update();
    const saved = avg.stateDict();
    expect(Object.keys(saved.averaged).sort()).toEqual([...names].sort());
    avg.loadStateDict(JSON.parse(JSON.stringify(saved)));
    const lbfgsRv = await createRavine({ backend });
    const p = lbfgsRv.tensor('__proto__', [1, 2]);
    const lbfgs = new LBFGS([p]);
    lbfgs.step(() => {
      p.grad.set([2 * p.data[0], 2 * p.data[1]]);
      return p.data[0] ** 2 + p.data[1] ** 2;
    });
    const ld = lbfgs.stateDict();
    expect(Object.keys(ld.state)).toEqual(['__proto__']);
    lbfgs.loadStateDict(JSON.parse(JSON.stringify(ld)));
  });
});

/** A step's gradients: small, varied, deterministic, so that long runs stay finite. */
function gradsAt(t: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(0.37 * t + 1.3 * i) * 0.01);
}

describe.each(backends)('%s: every checkpoint an optimizer writes loads back and continues bit for bit', (backend) => {
  for (const [method, entry] of Object.entries(optimizerRegistry)) {
    it(`${entry.name} with torch's defaults at steps 1, 131, 132 and 10,000 (NAdam's muProduct is subnormal at 131, 0 from 132): JSON and binary`, async () => {
      const rv = await createRavine({ backend });
      const w = tensorFor(rv, entry.name, 'w', [0.5, -0.25, 1, 2, -3]);
      const Class = entry.Class as unknown as new (p: unknown, o?: unknown) => Optimizer<object>;
      const options = method === 'sgd' ? { lr: 0.01, momentum: 0.9 } : undefined;
      const opt = new Class([w], options);
      let t = 0;
      for (const at of [1, 131, 132, 10_000]) {
        for (; t < at; t++) {
          w.grad.set(gradsAt(t, 5));
          opt.step();
        }
        const dict = opt.stateDict();
        if (method === 'nadam' && at >= 132) expect(dict.state.w.muProduct).toBe(0);
        for (const [how, copy] of [
          ['JSON', JSON.parse(JSON.stringify(dict))],
          ['binary', decodeCheckpoint(encodeCheckpoint(dict))],
        ] as const) {
          const twin = await createRavine({ backend });
          const v = tensorFor(twin, entry.name, 'w', w.data);
          const other = new Class([v], options);
          other.loadStateDict(copy as StateDict);
          v.grad.set(gradsAt(t, 5));
          other.step();
          const ref = await createRavine({ backend });
          const r = tensorFor(ref, entry.name, 'w', w.data);
          const refOpt = new Class([r], options);
          refOpt.loadStateDict(dict);
          r.grad.set(gradsAt(t, 5));
          refOpt.step();
          expect(Array.from(v.data), `${how} at step ${at}`).toEqual(Array.from(r.data));
          expect(JSON.stringify(other.stateDict()), `${how} at step ${at}`).toBe(JSON.stringify(refOpt.stateDict()));
        }
      }
    });
  }

  it('ASGD at the largest float32 lr keeps a finite eta that JSON carries; a saved eta of Infinity is refused, naming it', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [0, 0]);
    const opt = new ASGD([w], { lr: 3.4028234663852886e38, lambd: 0 });
    w.grad.set([0, 0]);
    opt.step();
    opt.step();
    const dict = JSON.parse(JSON.stringify(opt.stateDict()));
    expect(dict.state.w.eta).toBe(3.4028234663852886e38);
    opt.loadStateDict(dict);
    dict.state.w.eta = Infinity;
    expect(() => opt.loadStateDict(dict)).toThrow(/state 'w'.eta must be a number >= 0, finite in float32, got Infinity/);
    dict.state.w.eta = null; // what JSON makes of Infinity
    expect(() => opt.loadStateDict(dict)).toThrow(/eta must be a number/);
  });
});

describe('errors that name what was wrong', () => {
  it('minimize with optimizer options its optimizer refuses gives the tensor back every time: the heap does not grow over 200 calls', async () => {
    const rv = await createRavine({ backend: 'js' });
    const x0 = new Array(10_000).fill(1);
    const problem = {
      f: (x: Float64Array) => x.reduce((s, v) => s + v * v, 0),
      grad: (x: Float64Array, g: Float64Array) => {
        for (let i = 0; i < x.length; i++) g[i] = 2 * x[i];
      },
    };
    expect(() => minimize(problem as never, x0, { method: 'adam', optimizer: { lr: -1 }, ravine: rv })).toThrow(/lr/);
    const high = rv.highWaterBytes;
    for (let i = 0; i < 200; i++) expect(() => minimize(problem as never, x0, { method: 'adam', optimizer: { lr: -1 }, ravine: rv })).toThrow(RangeError);
    expect(rv.highWaterBytes).toBe(high);
    const ok = minimize(problem as never, x0, { method: 'adam', optimizer: { lr: 0.1 }, ravine: rv, maxIter: 3 });
    expect(ok.iterations).toBe(3);
  });

  it('LBFGS names a null inside a param group instead of reading a property of null', async () => {
    expect(() => new LBFGS([{ params: [null] }] as never)).toThrow(
      new TypeError("LBFGS: param group's params[0] must be a tensor made by a Ravine context, got null"),
    );
    const rv = await createRavine();
    const w = rv.tensor('w', 2);
    expect(() => new LBFGS([{ params: [w, 3] }] as never)).toThrow("LBFGS: param group's params[1] must be a tensor made by a Ravine context, got 3");
  });

  it('lambdaLR, multiplicativeLR and cyclicLR refuse a function that returns a string, null or an array, naming the function and the step', () => {
    for (const bad of ['0.5', null, [0.5], undefined, { valueOf: () => 0.5 }]) {
      expect(() => lambdaLR({ base: 0.1, lrLambda: () => bad as never })).toThrow(/lambdaLR: lrLambda\(0\) returned .*: it must return a finite number/);
      const m = multiplicativeLR({ base: 0.1, lrLambda: () => bad as never });
      expect(() => m.step()).toThrow(/multiplicativeLR: lrLambda\(1\) returned .*: it must return a finite number/);
      expect(m.t).toBe(0);
      expect(() => cyclicLR({ baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2, scaleFn: () => bad as never })).toThrow(
        /cyclicLR: scaleFn\(1\) returned .*: it must return a finite number/,
      );
    }
    const late = lambdaLR({ base: 0.1, lrLambda: (t) => (t < 2 ? 1 : (null as never)) });
    late.step();
    expect(() => late.step()).toThrow(new TypeError('lambdaLR: lrLambda(2) returned null: it must return a finite number'));
    expect(late.t).toBe(1);
    expect(late.value).toBe(0.1);
  });
});
