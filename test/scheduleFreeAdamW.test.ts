// Schedule-free AdamW against optax.contrib.schedule_free_adamw (test/fixtures/reference/optax/optax.json,
// optax 0.2.8, jax CPU, float32): the parameters (the training point y) and the evaluation point x after
// every one of 50 steps, within 1e-6 relative (the README's diagnostic |ours − optax| / (|optax| + rms));
// the two backends bit for bit with each other; eval() and train() switching the parameters between x and y.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRavine, exportSafetensors, type Ravine, ScheduleFreeAdamW } from '../src/index.js';
import { bitDifferences, f32, relativeError } from './helpers/cases.js';

interface OptaxCase {
  name: string;
  optimizer: string;
  options: { lr: number; b1?: number; b2?: number; weightDecay?: number; eps?: number; warmupSteps?: number };
  sizes: number[];
  initial: string[];
  steps: number;
  grads: string[][];
  params: Record<string, string[]>;
  evalParams: Record<string, string[]>;
}

const data = JSON.parse(readFileSync(new URL('./fixtures/reference/optax/optax.json', import.meta.url), 'utf8')) as { optax: string; cases: OptaxCase[] };
const cases = data.cases.filter((c) => c.optimizer === 'scheduleFreeAdamW');

/**
 * optax's options as ScheduleFreeAdamW's. The case without warmupSteps was recorded with warmup_steps=0, not
 * optax's default None: its parameters never move (0 to lr over 0 steps is 0 in optax), which is what
 * warmupSteps: 0 does here too; None, ravine's null, would train.
 */
function options(c: OptaxCase): Record<string, unknown> {
  const { lr, b1, b2, weightDecay, eps, warmupSteps = 0 } = c.options;
  return {
    lr,
    ...(b1 !== undefined || b2 !== undefined ? { betas: [b1 ?? 0.9, b2 ?? 0.999] } : {}),
    ...(weightDecay !== undefined ? { weightDecay } : {}),
    ...(eps !== undefined ? { eps } : {}),
    warmupSteps,
  };
}

/** Replays case c: the worst relative distance of y and of x over every step, and the final parameters. */
function replay(rv: Ravine, c: OptaxCase, evalEachStep: boolean) {
  const tensors = c.sizes.map((n, i) => rv.tensor(`${c.name}${i}`, f32(c.initial[i]).subarray(0, n)));
  const opt = new ScheduleFreeAdamW(tensors, options(c));
  let worstY = 0,
    worstX = 0;
  for (let t = 1; t <= c.steps; t++) {
    tensors.forEach((x, i) => x.grad.set(f32(c.grads[t - 1][i])));
    opt.step();
    tensors.forEach((x, i) => {
      worstY = Math.max(worstY, relativeError(x.data, f32(c.params[String(t)][i])));
    });
    if (evalEachStep) {
      const y = tensors.map((x) => x.data.slice());
      opt.eval();
      tensors.forEach((x, i) => {
        worstX = Math.max(worstX, relativeError(x.data, f32(c.evalParams[String(t)][i])));
      });
      opt.train();
      tensors.forEach((x, i) => expect(bitDifferences(x.data, y[i]), `${c.name} step ${t}: train() puts y back bit for bit`).toEqual([]));
    }
  }
  return { tensors, opt, worstY, worstX, final: tensors.map((x) => x.data.slice()) };
}

describe("ScheduleFreeAdamW is optax's schedule_free_adamw", () => {
  it('the fixture has two schedule-free cases: lr 0.01 with warmup_steps=0 (its parameters never move), and warmup with weight decay and β1 0.95', () => {
    expect(cases.map((c) => c.name)).toEqual(['schedulefreeadamw-p2', 'schedulefreeadamw-p3']);
    expect(cases[1].options).toMatchObject({ warmupSteps: 10, weightDecay: 0.01, b1: 0.95 });
    // optax 0.2.8 with warmup_steps=0: the lr is 0 for ever, so y stays within rounding of where it began.
    const c = cases[0];
    expect(relativeError(f32(c.params[String(c.steps)][0]), f32(c.initial[0]).subarray(0, c.sizes[0]))).toBeLessThan(1e-6);
  });

  it('without warmup (null, the default) it trains: the same case moves its parameters', async () => {
    const rv = await createRavine();
    const c = cases[0];
    const tensors = c.sizes.map((n, i) => rv.tensor(`t${i}`, f32(c.initial[i]).subarray(0, n)));
    const opt = new ScheduleFreeAdamW(tensors, { lr: c.options.lr });
    expect(opt.paramGroups[0].warmupSteps).toBeNull();
    for (let t = 1; t <= 5; t++) {
      tensors.forEach((x, i) => x.grad.set(f32(c.grads[t - 1][i])));
      opt.step();
    }
    expect(relativeError(tensors[0].data, f32(c.initial[0]).subarray(0, c.sizes[0]))).toBeGreaterThan(1e-3);
    rv.dispose();
  });

  for (const c of cases) {
    it(`${c.name} ${JSON.stringify(c.options)}: y and x within 1e-6 relative at every one of ${c.steps} steps, simd and js bit for bit`, async () => {
      const finals: Float32Array[][] = [];
      for (const backend of ['simd', 'js'] as const) {
        const rv = await createRavine({ backend });
        const { worstY, worstX, final } = replay(rv, c, true);
        expect(worstY, `${backend}: y`).toBeLessThan(1e-6);
        expect(worstX, `${backend}: x`).toBeLessThan(1e-6);
        finals.push(final);
        rv.dispose();
      }
      finals[0].forEach((a, i) => expect(bitDifferences(a, finals[1][i]), `tensor ${i}: simd against js`).toEqual([]));
    });
  }

  it('with threads: a split group lands on the same bits as one thread', async () => {
    const one = await createRavine({ backend: 'simd' });
    const two = await createRavine({ backend: 'simd', threads: 2 });
    (two._context.backend as { splitThreshold?: number }).splitThreshold = 16;
    for (const c of cases) {
      const a = replay(one, c, false).final;
      const b = replay(two, c, false);
      expect((two._context.backend as { plans?: Map<number, number> }).plans!.size, `${c.name}: split`).toBeGreaterThan(0);
      a.forEach((x, i) => expect(bitDifferences(x, b.final[i]), `${c.name}, tensor ${i}`).toEqual([]));
      b.opt.dispose();
    }
    one.dispose();
    two.dispose();
  });
});

describe('eval() and train()', () => {
  it('refuse to step, or to load a checkpoint, in eval mode, and change nothing; stepping resumes after train()', async () => {
    const rv = await createRavine();
    const w = rv.tensor('w', [1, -2, 3]);
    const opt = new ScheduleFreeAdamW([w], { lr: 0.1 });
    w.grad.set([0.5, -1, 2]);
    opt.step();
    const saved = opt.stateDict();
    opt.eval();
    expect(opt.evalMode).toBe(true);
    const x = w.data.slice();
    expect(() => opt.step()).toThrow(/eval mode .*call train\(\) before stepping\. Nothing was stepped/);
    expect(() => opt.loadStateDict(saved)).toThrow(/eval mode: call train\(\) first/);
    expect(bitDifferences(w.data, x)).toEqual([]);
    expect(opt.steps).toBe(1);
    opt.train();
    expect(opt.evalMode).toBe(false);
    opt.step();
    expect(opt.steps).toBe(2);
    rv.dispose();
  });

  it('a model loaded in eval mode is kept: train() recomputes y from the parameters as schedulefree does', async () => {
    const rv = await createRavine();
    const w = rv.tensor('w', [1, -2, 3, 4]);
    const opt = new ScheduleFreeAdamW([w], { lr: 0.1, betas: [0.5, 0.999] });
    w.grad.set([0.5, -1, 2, 0]);
    opt.step();
    const z = opt.stateDict().state.w.z as Float32Array;
    opt.eval();
    w.data.set([10, 20, 30, 40]); // a model loaded at the evaluation point
    opt.train();
    // y = β1·x + (1 − β1)·z, in float32.
    const want = [10, 20, 30, 40].map((x, i) => Math.fround(Math.fround(0.5 * x) + Math.fround(0.5 * z[i])));
    expect([...w.data]).toEqual(want);
    rv.dispose();
  });

  it('eval() and train() are idempotent, and a second eval() keeps the first y', async () => {
    const rv = await createRavine();
    const w = rv.tensor('w', [1, 2]);
    const opt = new ScheduleFreeAdamW([w], { lr: 0.1 });
    w.grad.set([1, -1]);
    opt.step();
    const y = w.data.slice();
    opt.train(); // already training: nothing
    expect(bitDifferences(w.data, y)).toEqual([]);
    opt.eval();
    const x = w.data.slice();
    opt.eval();
    expect(bitDifferences(w.data, x)).toEqual([]);
    opt.train();
    expect(bitDifferences(w.data, y)).toEqual([]);
    rv.dispose();
  });

  it('the torch exchange refuses it (torch.optim has no schedule-free AdamW)', async () => {
    const rv = await createRavine();
    const opt = new ScheduleFreeAdamW([rv.tensor('w', [1, 2])]);
    expect(() => exportSafetensors(opt)).toThrow(/torch\.optim has no ScheduleFreeAdamW/);
    rv.dispose();
  });
});
