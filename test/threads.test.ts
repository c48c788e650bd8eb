// Threads over shared memory: a group big enough to split is stepped by every thread, each on its own
// range of elements, and the result is the single-threaded one bit for bit, for every optimizer and
// option, at sizes around the split threshold, odd sizes, and groups of many tensors. A worker that
// throws or ends is a clear error at the next step, never a hang; disposing ends the workers, and a
// Node process ends by itself.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AveragedParams, clipGradValue, createRavine, type Ravine, type Tensor, type TrainingOptions } from '../src/index.js';
import { liveWorkers, SPLIT_THRESHOLD, ThreadError } from '../src/backend/threads.js';
import type { WasmBackend } from '../src/backend/wasm.js';
import { optionGrids, rng, trainingClasses, tensorFor } from './helpers/cases.js';

const T = SPLIT_THRESHOLD;
const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

/** Tensors of `sizes` with deterministic values and gradients (the same in every context). */
function tensors(rv: Ravine, sizes: readonly number[], seed = 1, optimizer = 'Adam'): Tensor[] {
  const random = rng(seed);
  return sizes.map((n, i) => {
    const t = tensorFor(rv, optimizer, `s${seed}t${i}`, n);
    for (let j = 0; j < n; j++) {
      t.data[j] = random() * 2 - 1;
      t.grad[j] = (random() - 0.5) * (random() < 0.01 ? 100 : 1);
    }
    return t;
  });
}

/** Parameters and state after `steps` steps, as text (equal text is equal bits); checks the group was split exactly when it is past the threshold. */
function run(rv: Ravine, name: string, options: Record<string, unknown>, sizes: readonly number[], steps = 3, training?: TrainingOptions): string {
  const ts = tensors(rv, sizes, 1, name);
  const opt = new trainingClasses[name](ts, options, training);
  const n = sizes.reduce((a, b) => a + b, 0);
  expect((rv._context.backend as WasmBackend).plans?.size ?? 0).toBe(rv.threads > 1 && n >= T ? 1 : 0);
  for (let k = 0; k < steps; k++) {
    for (const t of ts) t.grad.reverse(); // a different gradient each step
    opt.step();
  }
  const state = opt.stateDict().state;
  const out = ts.map((t) => bits(t.data)).join() + JSON.stringify(state, (_, v) => (v instanceof Float32Array ? bits(v) : v));
  opt.dispose();
  for (const t of ts) t.dispose();
  return out;
}

describe('two threads', () => {
  let one: Ravine, two: Ravine;
  beforeAll(async () => {
    [one, two] = await Promise.all([createRavine({ backend: 'simd' }), createRavine({ backend: 'simd', threads: 2 })]);
    expect(two.threads).toBe(2);
    expect(two.threadsReason).toBeUndefined();
  });
  afterAll(() => {
    one.dispose();
    two.dispose();
  });

  const many = Array.from({ length: 400 }, (_, i) => ((i * 7919) % 1997) + 3); // 400 tensors, ~400K elements
  for (const [name, grids] of Object.entries(optionGrids)) {
    test(`${name}: every option of the grid, one odd tensor past the threshold and 400 small ones, equals one thread bit for bit`, () => {
      for (const options of grids) {
        for (const sizes of [[T + 13], many]) {
          expect(run(two, name, options, sizes), `${JSON.stringify(options)} ${sizes.length} tensors`).toBe(run(one, name, options, sizes));
        }
      }
    });
  }

  test.each([
    ['just under the threshold', [T - 1]],
    ['at the threshold', [T]],
    ['just over, odd', [T + 1]],
    ['one big tensor and many small ones', [3 * T + 5, ...Array.from({ length: 40 }, (_, i) => i + 1)]],
    ['tensors of 1 to 7 floats, most smaller than a SIMD lane', Array.from({ length: T / 4 + 8 }, (_, i) => 1 + (i % 7))],
  ])('Adam and SGD with momentum, %s, equal one thread bit for bit', (_, sizes) => {
    for (const [name, options] of [
      ['Adam', { lr: 1e-3, amsgrad: true }],
      ['SGD', { lr: 0.01, momentum: 0.9, nesterov: true }],
    ] as const) {
      expect(run(two, name, options, sizes, 4)).toBe(run(one, name, options, sizes, 4));
    }
  });

  test('the training options that pass over every gradient (clipping by value, accumulation) are split too, and equal one thread', () => {
    const training: TrainingOptions = { clipGradValue: 0.3, clipGradNorm: 1, accumulate: 2, skipNonFinite: true, diagnostics: true };
    expect(run(two, 'Adam', { lr: 1e-3 }, [2 * T + 7, 9], 6, training)).toBe(run(one, 'Adam', { lr: 1e-3 }, [2 * T + 7, 9], 6, training));
  });

  test('groups under the threshold are not split; groups at or over it are', () => {
    const backend = two._context.backend as WasmBackend;
    const small = tensors(two, [T - 1], 3),
      big = tensors(two, [T], 4);
    const [a, b] = [new trainingClasses.SGD(small, { lr: 0.1 }), new trainingClasses.SGD(big, { lr: 0.1 })];
    expect(backend.plans!.size).toBe(1);
    a.dispose();
    b.dispose();
    expect(backend.plans!.size).toBe(0);
    for (const t of [...small, ...big]) t.dispose();
  });
});

test('a worker that throws is a ThreadError at that step, naming it, and every later step says the context is broken', async () => {
  const rv = await createRavine({ backend: 'simd', threads: 2 });
  const ts = tensors(rv, [2 * T]);
  const opt = new trainingClasses.Adam(ts, { lr: 1e-3 });
  opt.step();
  (rv._context.backend as WasmBackend).pool!.failNext(1);
  expect(() => opt.step()).toThrow(ThreadError);
  expect(() => opt.step()).toThrow(/this context cannot step any more/i);
  expect(() => opt.step()).toThrow(
    /worker thread 1 failed in adam_f32 \(a test asked this worker to fail\); the step was partly applied.*dispose it and restore from a checkpoint/,
  );
  rv.dispose();
}, 20_000);

test('a worker that ends between steps makes the next step throw at once, not hang', async () => {
  const rv = await createRavine({ backend: 'simd', threads: 2 });
  const ts = tensors(rv, [2 * T]);
  const opt = new trainingClasses.SGD(ts, { lr: 0.1, momentum: 0.9 });
  opt.step();
  await (rv._context.backend as WasmBackend).pool!.terminate(1);
  await new Promise((resolve) => setTimeout(resolve, 50)); // the exit event
  // "exited" comes from the exit event, before any job is posted: not from the 10 s stall timeout ("did not finish").
  expect(() => opt.step()).toThrow(/worker thread 1 exited/);
  rv.dispose();
}, 20_000);

test('creating and disposing threaded contexts in a loop leaves no worker running', async () => {
  const before = liveWorkers();
  for (let i = 0; i < 10; i++) {
    const rv = await createRavine({ backend: 'simd', threads: 3 });
    const opt = new trainingClasses.Adam(tensors(rv, [T + 1]), { lr: 1e-3 });
    opt.step();
    rv.dispose();
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(liveWorkers()).toBe(before);
}, 60_000);

test("30 threaded contexts of 16 MB each, created, stepped and disposed, leave the process's memory where it was", () => {
  const script = `import { createRavine, Adam } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
const cycle = async () => {
  const rv = await createRavine({ threads: 2 });
  const t = rv.tensor('w', ${T * 4});
  t.grad.fill(1);
  new Adam([t], { lr: 0.1 }).step();
  rv.dispose();
};
const settle = async () => { for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 50)); } };
for (let i = 0; i < 5; i++) await cycle();
await settle();
const before = process.memoryUsage();
for (let i = 0; i < 30; i++) await cycle();
await settle();
const after = process.memoryUsage();
console.log(JSON.stringify({ external: after.external - before.external, rss: after.rss - before.rss }));`;
  const grew = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 }));
  // One context holds ~17 MB (a 1M-float tensor, its gradient, Adam's two buffers): a leak of each would be ~500 MB.
  expect(grew.external).toBeLessThan(1 << 20);
  expect(grew.rss).toBeLessThan(32 << 20);
}, 90_000);

test('a Node process that used threads ends by itself, with or without dispose()', () => {
  for (const dispose of ['rv.dispose();', '']) {
    const script = `import { createRavine, Adam } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
const step = async (threads) => {
  const rv = await createRavine({ threads });
  const t = rv.tensor('w', ${2 * T});
  t.grad.fill(1);
  new Adam([t], { lr: 0.1 }).step();
  return [rv, t.data[${2 * T - 1}]];
};
const [rv, value] = await step(2), [, reference] = await step(1);
console.log(rv.threads, value === reference, value);
${dispose}`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 15_000 });
    expect(out.trim()).toMatch(/^2 true -0\.09999/);
  }
}, 40_000);

test('threads: bad values are refused by name; the JS backend runs on one thread and says so', async () => {
  await expect(createRavine({ threads: 0 })).rejects.toThrow(/threads must be 'auto' or an integer in \[1, 256\], got 0/);
  await expect(createRavine({ threads: 2.5 })).rejects.toThrow(RangeError);
  const js = await createRavine({ backend: 'js', threads: 4 });
  expect(js.threads).toBe(1);
  expect(js.threadsReason).toMatch(/JS backend runs on one thread/);
  js.dispose();
  const auto = await createRavine({ backend: 'simd', threads: 'auto' });
  expect(auto.threads).toBeGreaterThanOrEqual(1);
  auto.dispose();
});

test('stepAsync() is step(), awaitable: on a thread that may block (Node) it steps at once, with the same bits', async () => {
  const [a, b] = await Promise.all([createRavine({ backend: 'simd', threads: 2 }), createRavine({ backend: 'simd' })]);
  const [ta, tb] = [tensors(a, [2 * T + 3], 5), tensors(b, [2 * T + 3], 5)];
  const [oa, ob] = [new trainingClasses.NAdam(ta, { lr: 1e-3 }), new trainingClasses.NAdam(tb, { lr: 1e-3 })];
  for (let k = 0; k < 4; k++) {
    expect(await oa.stepAsync(() => 7)).toBe(7);
    ob.step();
  }
  expect(bits(ta[0].data)).toBe(bits(tb[0].data));
  a.dispose();
  b.dispose();
});

test('parameter averaging (SWA, then swap) and clipGradValue() over a split group equal one thread bit for bit', async () => {
  const [a, b] = await Promise.all([createRavine({ backend: 'simd', threads: 2 }), createRavine({ backend: 'simd' })]);
  const out = [a, b].map((rv) => {
    const ts = tensors(rv, [T + 9, 3], 8);
    const opt = new trainingClasses.SGD(ts, { lr: 0.1, momentum: 0.9 });
    const swa = new AveragedParams(opt, { mode: 'swa' });
    for (let k = 0; k < 5; k++) {
      clipGradValue(ts, 0.25);
      opt.step();
      swa.update();
    }
    swa.swap();
    return ts.map((t) => bits(t.data) + bits(t.grad)).join();
  });
  expect(out[0]).toBe(out[1]);
  a.dispose();
  b.dispose();
});

test('a context on a plain (unshared) memory cannot have threads: one thread, and the reason', async () => {
  const plain = readFileSync(new URL('../build/ravine.wasm', import.meta.url));
  const rv = await createRavine({ backend: 'simd', wasm: plain, threads: 2 });
  expect(rv.threads).toBe(1);
  expect(rv.threadsReason).toMatch(/cannot share memory between threads/);
  rv.dispose();
});

test('a step after a worker ended changes nothing, not even the groups that are not split', async () => {
  const rv = await createRavine({ backend: 'simd', threads: 2 });
  const [small, big] = [tensors(rv, [8], 30), tensors(rv, [2 * T], 31)];
  const opt = new trainingClasses.SGD([{ params: small }, { params: big }], { lr: 0.1, momentum: 0.9 });
  opt.step();
  const before = bits(small[0].data) + bits(big[0].data) + JSON.stringify(opt.stateDict().state, (_, v) => (v instanceof Float32Array ? bits(v) : v));
  await (rv._context.backend as WasmBackend).pool!.terminate(1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(() => opt.step()).toThrow(/worker thread 1 exited.*\(nothing was stepped\)/);
  expect(bits(small[0].data) + bits(big[0].data) + JSON.stringify(opt.stateDict().state, (_, v) => (v instanceof Float32Array ? bits(v) : v))).toBe(before);
  rv.dispose();
}, 20_000);

test('disposing swapped averages after one of their tensors was disposed writes nowhere else, on a split group too', async () => {
  const rv = await createRavine({ backend: 'simd', threads: 2 });
  const [a] = tensors(rv, [T + 100], 40);
  const avg = new AveragedParams([a], { mode: 'swa' });
  avg.update();
  avg.swap();
  a.dispose();
  const c = rv.tensor('c', T + 100);
  c.data.fill(7);
  avg.dispose();
  expect(c.data.every((v) => v === 7)).toBe(true);
  rv.dispose();
});
