// The checkpoint promise, for every optimizer with everything on: a warmup-then-cosine lr, momentum (or β1,
// or Rprop's etaminus) annealed 0.5 → 0.9, clipping by norm, the non-finite guard (one NaN step on the way), accumulation over
// two micro-batches and diagnostics. 101 step() calls (so a micro-batch is pending), save — as the object,
// as JSON text, as the binary form — load into a fresh optimizer in a fresh context, 99 more calls: the
// parameters, the state, the schedules' positions and the counters equal an uninterrupted run of 200,
// bit for bit, on each backend and across them (saved from SIMD, loaded into JS, and back).
import { describe, expect, test } from 'vitest';
import {
  anneal,
  cosineAnnealingLR,
  createRavine,
  decodeCheckpoint,
  encodeCheckpoint,
  linearLR,
  sequentialLR,
  type Ravine,
  type StateDict,
  type Tensor,
  type TrainingOptions,
} from '../src/index.js';
import { gradientPool, trainingClasses, type TrainingOptimizer, tensorFor } from './helpers/cases.js';
import { optimizerTable } from '../src/optim/table.js';

type AnyOptimizer = TrainingOptimizer;
const classes = trainingClasses;

/** Each optimizer's round-trip learning rate, from its row of the optimizer table. */
const LR: Record<string, number> = Object.fromEntries(Object.values(optimizerTable).map((row) => [row.name, row.lr]));
/** The second group's own option: weight decay, or (Rprop has none) its step-size bounds. */
const SECOND_GROUP: Record<string, Record<string, unknown>> = { Rprop: { stepSizes: [1e-5, 0.5] } };
const BETAS = new Set(['Adam', 'AdamW', 'Adamax', 'NAdam', 'RAdam']);
const TRAINING: TrainingOptions = { clipGradNorm: { maxNorm: 0.5 }, skipNonFinite: true, accumulate: 2, diagnostics: true };

/** The schedules, fresh: warmup over 10 updates then cosine over 90, and the momentum annealing. */
function scheduled(name: string): Record<string, unknown> {
  const base = LR[name];
  const lr = sequentialLR({
    schedulers: [linearLR({ base, startFactor: 0.1, totalIters: 10 }), cosineAnnealingLR({ base, tMax: 90, etaMin: base / 100 })],
    milestones: [10],
  });
  const momentum = anneal(0.5, 0.9, 40);
  if (BETAS.has(name)) return { lr, betas: [momentum, 0.999] };
  if (name === 'SGD' || name === 'RMSprop') return { lr, momentum };
  if (name === 'Rprop') return { lr, etas: [momentum, 1.2] };
  if (name === 'ASGD') return { lr, t0: 20 }; // ax averages from update 22 on, across the checkpoint
  return { lr };
}

const pool = gradientPool(4096, 5);
const SIZES = [
  [13, 4],
  [1, 40],
];

function build(rv: Ravine, name: string, plain = false) {
  const tensors = SIZES.flat().map((n, k) =>
    tensorFor(
      rv,
      name,
      `p${k}`,
      Array.from({ length: n }, (_, i) => Math.cos(i + 3 * k)),
    ),
  );
  const groups = [{ params: tensors.slice(0, 2) }, { params: tensors.slice(2), ...(plain ? {} : (SECOND_GROUP[name] ?? { weightDecay: 0.01 })) }];
  const opt = plain ? new classes[name](groups, name === 'SGD' ? { lr: 0.3 } : {}) : new classes[name](groups, scheduled(name), TRAINING);
  return { tensors, opt };
}

/** step() call c: gradients from the pool, one NaN at call 57 (skipped by the guard), larger every 5th call so clipping engages. */
function call(job: { tensors: Tensor[]; opt: AnyOptimizer }, c: number): void {
  let at = c * 61;
  for (const t of job.tensors) for (let i = 0; i < t.size; i++) t.grad[i] = pool[at++ % pool.length] * (c % 5 === 0 ? 1e-2 : 1e-4);
  if (c === 57) job.tensors[3].grad[7] = NaN;
  job.opt.step();
}

const bits = (tensors: Tensor[]) => tensors.flatMap((t) => Array.from(new Uint32Array(Float32Array.from(t.data).buffer)));
/** Everything a checkpoint holds, as comparable text (buffers by their bytes). */
const snapshot = (opt: AnyOptimizer) => JSON.stringify(opt.stateDict());

const carriers = {
  object: (d: StateDict) => d,
  'JSON text': (d: StateDict) => JSON.parse(JSON.stringify(d)) as StateDict,
  binary: (d: StateDict) => decodeCheckpoint(encodeCheckpoint(d)) as StateDict,
};
const routes = [
  ['simd', 'simd'],
  ['js', 'js'],
  ['simd', 'js'],
  ['js', 'simd'],
] as const;

describe.each(Object.keys(classes))('%s with schedules, clipping, the guard, accumulation and diagnostics', (name) => {
  for (const [from, to] of routes) {
    for (const [carrier, carry] of Object.entries(carriers)) {
      test(`saved on ${from} after 101 calls, carried as ${carrier}, loaded on ${to}: 99 more calls equal 200 uninterrupted, bit for bit`, async () => {
        const whole = build(await createRavine({ backend: to }), name);
        for (let c = 0; c < 200; c++) call(whole, c);

        const first = build(await createRavine({ backend: from }), name);
        for (let c = 0; c < 101; c++) call(first, c);
        expect(first.opt.pendingMicroBatches).toBe(1);
        expect(first.opt.skippedSteps).toBe(1);
        const saved = carry(first.opt.stateDict());

        const second = build(await createRavine({ backend: to }), name);
        second.tensors.forEach((t, k) => t.data.set(first.tensors[k].data));
        second.opt.loadStateDict(saved);
        expect(snapshot(second.opt)).toBe(snapshot(first.opt));
        for (let c = 101; c < 200; c++) call(second, c);

        expect(bits(second.tensors)).toEqual(bits(whole.tensors));
        expect(snapshot(second.opt)).toBe(snapshot(whole.opt));
        expect(second.opt.paramGroups.map((g) => g.lr)).toEqual(whole.opt.paramGroups.map((g) => g.lr));
      });
    }
  }

  test('loaded into an optimizer built with plain numbers and no training options, the checkpoint brings the schedules and the training options', async () => {
    const whole = build(await createRavine({ backend: 'simd' }), name);
    for (let c = 0; c < 200; c++) call(whole, c);
    const first = build(await createRavine({ backend: 'simd' }), name);
    for (let c = 0; c < 101; c++) call(first, c);
    const second = build(await createRavine({ backend: 'js' }), name, true);
    second.tensors.forEach((t, k) => t.data.set(first.tensors[k].data));
    second.opt.loadStateDict(decodeCheckpoint(encodeCheckpoint(first.opt.stateDict())) as StateDict);
    expect(second.opt.training).toEqual(first.opt.training);
    expect(second.opt.schedule(0, 'lr')!.kind).toBe('sequentialLR');
    for (let c = 101; c < 200; c++) call(second, c);
    expect(bits(second.tensors)).toEqual(bits(whole.tensors));
  });
});

describe('a binary checkpoint that does not fit is refused and the optimizer stays exactly as it was', () => {
  test("another optimizer's, other tensor sizes, other tensor names, a flipped byte, a truncated file", async () => {
    const rv = await createRavine();
    const adam = build(rv, 'Adam');
    for (let c = 0; c < 9; c++) call(adam, c);
    const bytes = encodeCheckpoint(adam.opt.stateDict());

    const rv2 = await createRavine();
    const sgd = build(rv2, 'SGD');
    for (let c = 0; c < 9; c++) call(sgd, c);
    const before = snapshot(sgd.opt);
    expect(() => sgd.opt.loadStateDict(decodeCheckpoint(bytes) as StateDict)).toThrow(/state dict is for "Adam", not SGD/);

    const rv3 = await createRavine();
    const make = (names: string[], sizes: number[]) => {
      const t = sizes.map((n, k) => rv3.tensor(names[k], new Float32Array(n)));
      return new classes.Adam([{ params: t.slice(0, 2) }, { params: t.slice(2), weightDecay: 0.01 }], scheduled('Adam'), TRAINING);
    };
    const resized = make(['p0', 'p1', 'p2', 'p3'], [14, 4, 1, 40]);
    const renamed = make(['q0', 'q1', 'q2', 'q3'], [13, 4, 1, 40]);
    for (const [opt, why] of [
      [resized, /state 'p0'.expAvg must hold 14 floats, got 13/],
      [renamed, /state for tensor "p0", which this optimizer does not hold/],
    ] as const) {
      const was = snapshot(opt);
      expect(() => opt.loadStateDict(decodeCheckpoint(bytes) as StateDict)).toThrow(why);
      expect(snapshot(opt)).toBe(was);
    }

    const flipped = bytes.slice();
    flipped[flipped.length - 40] ^= 1;
    expect(() => decodeCheckpoint(flipped)).toThrow(/checksum mismatch/);
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 1))).toThrow(RangeError);
    expect(snapshot(sgd.opt)).toBe(before);
  });
});
