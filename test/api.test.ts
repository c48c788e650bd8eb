// The torch-shaped API: param groups with their own options, zeroGrad, step counting, options changed
// between steps, closures, state dicts, the adopt path, dispose, and non-finite gradients.
import { describe, expect, it } from 'vitest';
import { Adam, AdamW, createRavine, SGD, type Ravine } from '../src/index.js';
import { bitDifferences, gradientPool } from './helpers/cases.js';

const grads = gradientPool(4096, 5);

function feed(tensors: { grad: Float32Array; size: number }[], t: number) {
  let at = (t * 97) % 2048;
  for (const x of tensors) {
    x.grad.set(grads.subarray(at, at + x.size));
    at += x.size;
  }
}

describe.each(['simd', 'js'] as const)('optimizer API on %s', (backend) => {
  let rv: Ravine;
  const make = async () => (rv = await createRavine({ backend }));

  it('per-group options: a group with weightDecay 0 matches a separate optimizer run with the same options', async () => {
    await make();
    const wInit = Float32Array.from({ length: 9 }, (_, j) => Math.cos(j));
    const bInit = Float32Array.from({ length: 4 }, (_, j) => Math.sin(j));
    const [w1, b1, w2, b3] = [rv.tensor('w1', wInit), rv.tensor('b1', bInit), rv.tensor('w2', wInit), rv.tensor('b3', bInit)];
    const together = new Adam([{ params: [w1] }, { params: [b1], weightDecay: 0, lr: 0.1 }], { lr: 0.01, weightDecay: 0.1 });
    const wOnly = new Adam([w2], { lr: 0.01, weightDecay: 0.1 });
    const bOnly = new Adam([b3], { lr: 0.1, weightDecay: 0 });
    expect(together.paramGroups[1].lr).toBe(0.1);
    expect(together.paramGroups[1].weightDecay).toBe(0);
    expect(together.paramGroups[0].betas).toEqual([0.9, 0.999]);
    for (let t = 0; t < 20; t++) {
      feed([w1, b1], t);
      feed([w2, b3], t);
      expect(b1.data).not.toEqual(w1.data);
      together.step();
      wOnly.step();
      bOnly.step();
    }
    expect(bitDifferences(w1.data, w2.data)).toEqual([]);
    expect(bitDifferences(b1.data, b3.data)).toEqual([]);
  });

  it('zeroGrad zeroes every gradient of every group; steps counts step() calls', async () => {
    await make();
    const a = rv.tensor('a', 5),
      b = rv.tensor('b', 7);
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    a.grad.fill(3);
    b.grad.fill(4);
    opt.step();
    opt.step();
    expect(opt.steps).toBe(2);
    expect(opt.stateDict().state.a.step).toBe(2);
    opt.zeroGrad();
    expect([...a.grad, ...b.grad].every((g) => g === 0)).toBe(true);
  });

  it('an lr changed between steps takes effect at the next step', async () => {
    await make();
    const w = rv.tensor('w', [1, 1]);
    const opt = new SGD([w], { lr: 0.5 });
    w.grad.fill(1);
    opt.step();
    opt.paramGroups[0].lr = 0.25;
    opt.step();
    expect(Array.from(w.data)).toEqual([0.25, 0.25]);
  });

  it('step(closure) calls the closure first and returns its loss', async () => {
    await make();
    const w = rv.tensor('w', [3]);
    const opt = new SGD([w], { lr: 0.25 });
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const loss = opt.step(() => {
        const x = w.data[0];
        w.grad[0] = 2 * x; // d/dx x²
        return x * x;
      });
      losses.push(loss!);
    }
    expect(losses).toEqual([9, 2.25, 0.5625]);
    expect(w.data[0]).toBe(0.375);
  });

  it('stateDict/loadStateDict: a restored optimizer continues bit-identically, in a fresh context too', async () => {
    await make();
    const init = Float32Array.from({ length: 33 }, (_, j) => Math.sin(j));
    const w = rv.tensor('w', init);
    const opt = new AdamW([w], { lr: 0.01, amsgrad: true });
    for (let t = 0; t < 10; t++) {
      feed([w], t);
      opt.step();
    }
    const saved = opt.stateDict();
    const other = await createRavine({ backend });
    const w2 = other.tensor('w', w.data);
    const restored = new AdamW([w2], { lr: 0.5 });
    restored.loadStateDict(saved);
    expect(restored.paramGroups[0].lr).toBe(0.01);
    for (let t = 10; t < 20; t++) {
      feed([w], t);
      opt.step();
      feed([w2], t);
      restored.step();
    }
    expect(bitDifferences(w.data, w2.data)).toEqual([]);
    expect(bitDifferences(opt.stateDict().state.w.maxExpAvgSq as Float32Array, restored.stateDict().state.w.maxExpAvgSq as Float32Array)).toEqual([]);
  });

  it("adopt: the user's own arrays are updated in place, bit-identically to tensors in linear memory", async () => {
    await make();
    const mine = Float32Array.from({ length: 21 }, (_, j) => j / 10);
    const myGrad = new Float32Array(21);
    const adopted = rv.adopt('mine', mine, myGrad);
    const inside = rv.tensor('inside', mine);
    const a = new Adam([adopted], { lr: 0.05 });
    const b = new Adam([inside], { lr: 0.05 });
    for (let t = 0; t < 15; t++) {
      feed([{ grad: myGrad, size: 21 }], t);
      feed([inside], t);
      a.step();
      b.step();
    }
    expect(adopted.data).toBe(mine);
    expect(bitDifferences(mine, inside.data)).toEqual([]);
    a.zeroGrad();
    expect(myGrad.every((g) => g === 0)).toBe(true);
  });

  it('dispose: the tensors keep their values; a disposed optimizer or context refuses to step', async () => {
    await make();
    const w = rv.tensor('w', [1, 2, 3]);
    const opt = new SGD([w], { lr: 1 });
    w.grad.fill(1);
    opt.step();
    opt.dispose();
    expect(Array.from(w.data)).toEqual([0, 1, 2]);
    expect(() => opt.step()).toThrow(/has been disposed/);
    rv.dispose();
    expect(() => rv.tensor('x', 1)).toThrow(/has been disposed/);
  });

  it('non-finite gradients propagate as in torch: NaN in, NaN out at that element only', async () => {
    await make();
    const w = rv.tensor('w', [1, 1, 1, 1, 1]);
    const opt = new Adam([w], { lr: 0.1 });
    w.grad.set([0.5, NaN, Infinity, -0.5, 0]);
    opt.step();
    expect(Number.isNaN(w.data[1])).toBe(true);
    expect(Number.isNaN(w.data[2])).toBe(true); // m/√v = ∞/∞
    expect(w.data[0]).toBeCloseTo(0.9, 6);
    expect(w.data[3]).toBeCloseTo(1.1, 6);
    expect(w.data[4]).toBe(1);
  });
});
