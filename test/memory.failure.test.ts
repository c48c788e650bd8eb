// All or nothing, and nothing after dispose. A heap with a small maximum (createRavine({ maxBytes }))
// makes allocations fail on demand: every operation that allocates either completes or leaves the
// heap's bytes, every tensor, every group and all state exactly as they were, and a later allocation
// that fits succeeds. A disposed tensor, optimizer or context throws, naming what was disposed.
import { describe, expect, it } from 'vitest';
import { Adam, createRavine, LBFGS, minimize, SGD, surfaces, type Ravine } from '../src/index.js';

const backends = ['simd', 'js'] as const;
const MAX = 1 << 20; // 1 MiB of heap at most

/** Everything observable: the heap's bytes up to the high-water mark, and the arena's accounting. */
function snapshot(rv: Ravine) {
  const ctx = rv._context;
  return { bytes: new Uint8Array(ctx.backend.buffer, 0, ctx.arena.highWater).slice(), highWater: ctx.arena.highWater, inUse: ctx.arena.bytesInUse };
}

function expectUnchanged(rv: Ravine, before: ReturnType<typeof snapshot>) {
  const after = snapshot(rv);
  expect(after.highWater).toBe(before.highWater);
  expect(after.inUse).toBe(before.inUse);
  expect(Buffer.compare(Buffer.from(after.bytes), Buffer.from(before.bytes))).toBe(0);
  // Above the high-water mark memory has never been handed out and must still be zero: a new tensor
  // there is not cleared again.
  const above = new Uint8Array(rv._context.backend.buffer, after.highWater);
  expect(above.findIndex((b) => b !== 0)).toBe(-1);
}

describe.each(backends)('a failed allocation on %s changes nothing', (backend) => {
  it('rv.tensor too large: RangeError saying out of memory; the arena as before; a tensor that fits is then made', async () => {
    const rv = await createRavine({ backend, maxBytes: MAX });
    const w = rv.tensor('w', [1, 2, 3]);
    const before = snapshot(rv);
    expect(() => rv.tensor('huge', 300_000)).toThrow(
      /^ravine: out of memory: tensor 'huge' needs 2400000 bytes, but the heap holds \d+ bytes \(\d+ in use\) and can grow to at most 1048576 \(createRavine's maxBytes\)$/,
    );
    expectUnchanged(rv, before);
    expect(() => rv.tensor('huge', 3)).not.toThrow(); // the name was not taken by the failure
    expect(Array.from(w.data)).toEqual([1, 2, 3]);
  });

  it('rv.tensor with values that cannot be read as numbers throws before allocating: nothing changes, the name stays free', async () => {
    const rv = await createRavine({ backend, maxBytes: MAX });
    const before = snapshot(rv);
    const bad = { length: 2, 0: 1, 1: Symbol('x') } as unknown as ArrayLike<number>;
    expect(() => rv.tensor('w', bad)).toThrow(TypeError);
    expectUnchanged(rv, before);
    expect(Array.from(rv.tensor('w', [4, 5]).data)).toEqual([4, 5]);
  });

  it("an optimizer whose second group does not fit: no optimizer, the first group's tensors free for another, every byte as before", async () => {
    const rv = await createRavine({ backend, maxBytes: MAX });
    const a = rv.tensor('a', [1, 2, 3]);
    const b = rv.tensor('b', 100_000); // 800 KB: its Adam state (two more 400 KB buffers) cannot fit
    a.grad.fill(1);
    const before = snapshot(rv);
    expect(() => new Adam([{ params: [a] }, { params: [b] }])).toThrow(/^ravine: out of memory: Adam param group 1 state 'exp(Avg|AvgSq)' needs 400000 bytes/);
    expectUnchanged(rv, before);
    const sgd = new SGD([a], { lr: 0.5 }); // `a` was not left owned by an optimizer that does not exist
    sgd.step();
    expect(Array.from(a.data)).toEqual([0.5, 1.5, 2.5]);
  });

  it('addParamGroup that does not fit: the optimizer keeps its groups and steps as before', async () => {
    const rv = await createRavine({ backend, maxBytes: MAX });
    const a = rv.tensor('a', [1, 2, 3]);
    const b = rv.tensor('b', 100_000);
    const opt = new Adam([a], { lr: 0.1 });
    a.grad.fill(1);
    opt.step();
    const before = snapshot(rv);
    expect(() => opt.addParamGroup({ params: [b] })).toThrow(/out of memory/);
    expectUnchanged(rv, before);
    expect(opt.paramGroups.length).toBe(1);
    expect(() => b.dispose()).not.toThrow(); // not owned
    opt.step();
    expect(opt.steps).toBe(2);
  });

  it('step() after switching amsgrad on, when its buffer does not fit: throws before any kernel runs; parameters, state and step count unchanged', async () => {
    const rv = await createRavine({ backend, maxBytes: MAX });
    const w = rv.tensor('w', 60_000); // 480 KB; Adam's two buffers 480 KB more; a third does not fit
    w.grad.fill(0.25);
    const opt = new Adam([w], { lr: 0.1 });
    opt.step();
    const state = JSON.stringify(opt.stateDict());
    const before = snapshot(rv);
    opt.paramGroups[0].amsgrad = true;
    expect(() => opt.step()).toThrow(/out of memory/);
    expectUnchanged(rv, before);
    expect(opt.steps).toBe(1);
    opt.paramGroups[0].amsgrad = false;
    expect(JSON.stringify(opt.stateDict())).toBe(state);
    opt.step(); // and it goes on
    expect(opt.steps).toBe(2);
  });

  it('LBFGS whose history does not fit: no optimizer, tensors free, every byte as before', async () => {
    const rv = await createRavine({ backend, maxBytes: MAX });
    const w = rv.tensor('w', 5000); // history 100: 202 pairs of 40 KB = 8 MB
    const before = snapshot(rv);
    expect(() => new LBFGS([w])).toThrow(/^ravine: out of memory: LBFGS \(historySize 100\) \(float64 vectors of 5000\) needs 40000 bytes/);
    expectUnchanged(rv, before);
    expect(() => new LBFGS([w], { historySize: 5 })).not.toThrow();
  });
});

describe.each(backends)('no allocation inside a step on %s', (backend) => {
  it('LBFGS.step(): the high-water mark and bytes in use are the same after 1 step and after 30', async () => {
    const rv = await createRavine({ backend });
    const surface = surfaces.rosenbrock(50);
    const w = rv.tensor('w', surface.start);
    const opt = new LBFGS([w], { historySize: 7, maxIter: 5, lineSearchFn: 'strongWolfe' });
    const x = new Float64Array(50),
      g = new Float64Array(50);
    const closure = () => (x.set(w.data), surface.grad(x, g), w.grad.set(g), surface.f(x));
    const setup = { highWater: rv.highWaterBytes, inUse: rv._context.arena.bytesInUse };
    opt.step(closure);
    for (let i = 0; i < 29; i++) opt.step(closure);
    expect(opt.nIter).toBeGreaterThan(20); // the history filled and wrapped
    expect({ highWater: rv.highWaterBytes, inUse: rv._context.arena.bytesInUse }).toEqual(setup);
  });

  for (const method of ['lbfgs', 'newtonCG', 'newton', 'adam', 'sgd'] as const) {
    it(`minimize(${method}): the high-water mark is the same at every iteration`, async () => {
      const rv = await createRavine({ backend });
      const marks = new Set<number>();
      const result = minimize(surfaces.rosenbrock(20), undefined, {
        method,
        ravine: rv,
        maxIter: 200,
        optimizer: method === 'sgd' ? { lr: 1e-4 } : undefined,
        onIteration: () => void marks.add(rv.highWaterBytes),
      });
      expect(result.iterations).toBeGreaterThan(5);
      expect(marks.size).toBe(1);
    });
  }
});

describe.each(backends)('use after dispose throws on %s', (backend) => {
  it('a disposed tensor: data, grad and handing it to an optimizer throw, naming it', async () => {
    const rv = await createRavine({ backend });
    const t = rv.tensor('weights', 4);
    t.dispose();
    expect(() => t.data).toThrow("tensor 'weights' has been disposed: its data is gone");
    expect(() => t.grad).toThrow("tensor 'weights' has been disposed: its grad is gone");
    expect(() => new SGD([t], { lr: 1 })).toThrow(/tensor 'weights' has been disposed/);
    expect(() => t.dispose()).not.toThrow(); // twice is fine
  });

  it("a disposed tensor's block, reused by the next tensor, cannot be written through the tensor", async () => {
    const rv = await createRavine({ backend });
    const old = rv.tensor('old', 4);
    old.dispose();
    const next = rv.tensor('next', 4);
    expect(() => {
      old.data[0] = -123;
    }).toThrow(/disposed/);
    expect(next.data[0]).toBe(0);
  });

  it('a disposed context: tensors, optimizers and the context throw, naming what was disposed', async () => {
    const rv = await createRavine({ backend });
    const t = rv.tensor('w', 4);
    const opt = new Adam([t]);
    rv.dispose();
    expect(() => t.data).toThrow("tensor 'w': its Ravine context has been disposed, so its data is gone");
    expect(() => opt.step()).toThrow('the Ravine context of this Adam optimizer has been disposed');
    expect(() => opt.zeroGrad()).toThrow(/disposed/);
    expect(() => opt.stateDict()).toThrow(/disposed/);
    expect(() => rv.tensor('x', 1)).toThrow('this Ravine context has been disposed');
    expect(() => rv.memoryBytes).toThrow('this Ravine context has been disposed');
    expect(() => rv.adopt('y', new Float32Array(1))).toThrow('this Ravine context has been disposed');
  });

  it('a disposed optimizer throws from every method; its tensors remain usable', async () => {
    const rv = await createRavine({ backend });
    const t = rv.tensor('w', [1, 2]);
    const opt = new Adam([t]);
    opt.dispose();
    for (const call of [() => opt.step(), () => opt.zeroGrad(), () => opt.stateDict(), () => opt.addParamGroup({ params: [rv.tensor('v', 1)] })]) {
      expect(call).toThrow('this Adam optimizer has been disposed');
    }
    expect(Array.from(t.data)).toEqual([1, 2]);
  });
});

describe('the JS backend grows in place', () => {
  it('a view cached before 200 tensors of 64K floats (100 MB) still reads and writes the tensor', async () => {
    const rv = await createRavine({ backend: 'js' });
    const w = rv.tensor('w', [1, 2, 3]);
    const data = w.data;
    for (let i = 0; i < 200; i++) rv.tensor(`t${i}`, 65536);
    expect(rv.memoryBytes).toBeGreaterThan(100e6);
    data[1] = 42;
    expect(w.data[1]).toBe(42);
    expect(data.buffer).toBe(w.data.buffer);
  });
});
