// PyTorch parity for Rprop and ASGD, bit for bit: every case in more-optimizers.json (torch.optim 1.13,
// non-FMA CPU kernels, float32) at every recorded step, and the final state — Rprop's prev and
// step_size, ASGD's ax and its 0-dim float32 eta and mu — on both backends. Then the behaviours the
// cases do not reach: torch's state starts at the first step, sign(NaN) is 0, and a checkpoint's
// scalars are checked.
import { describe, expect, it } from 'vitest';
import { ASGD, createRavine, Rprop, type StateDict } from '../src/index.js';
import { bitDifferences, camel, f32, loadReference, replayTorchCase, type TorchCase } from './helpers/cases.js';

const reference = loadReference<{ torch: string; cases: TorchCase[] }>('more-optimizers.json');
const classes = { Rprop, ASGD } as unknown as Record<string, new (params: unknown) => Rprop>;
const bits = (values: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(values).buffer));

describe.each(['simd', 'js'] as const)('torch.optim 1.13 parity for Rprop and ASGD on %s', (backend) => {
  it('the data holds Rprop and ASGD cases, with maximize and non-default options', () => {
    expect(reference.torch).toMatch(/^1\.13/);
    expect(new Set(reference.cases.map((c) => c.optimizer))).toEqual(new Set(['Rprop', 'ASGD']));
    const options = reference.cases.flatMap((c) => c.groups.map((g) => Object.keys(g.options))).flat();
    for (const key of ['etas', 'stepSizes', 'maximize', 'lambd', 'alpha', 't0', 'weightDecay']) expect(options).toContain(key);
  });

  for (const c of reference.cases) {
    it(`${c.name} (${c.optimizer} ${JSON.stringify(c.groups.map((g) => g.options))}): bit-identical at every recorded step and in its final state`, async () => {
      const { rv, opt, tensors, checked } = await replayTorchCase(c, backend, classes[c.optimizer] as never, (t, i, ours, torch) => {
        expect(bitDifferences(ours, torch), `step ${t} tensor ${i}`).toEqual([]);
      });
      expect(checked).toBe(Object.keys(c.params).length * tensors.length);
      const state = opt.stateDict().state;
      tensors.forEach((x, i) => {
        const keys = Object.keys(c.finalState[i]);
        expect(Object.keys(state[x.name]).sort(), `state keys of tensor ${i}`).toEqual(keys.map(camel).sort());
        for (const key of keys) {
          const ours = state[x.name][camel(key)];
          const value = c.finalState[i][key];
          if (key === 'step') expect(ours).toBe(value);
          // torch's 0-dim float32 tensors: one float, here a number.
          else if (key === 'eta' || key === 'mu') expect(ours, key).toBe(f32(value as string)[0]);
          else expect(bitDifferences(ours as Float32Array, f32(value as string)), `${key} of tensor ${i}`).toEqual([]);
        }
      });
      rv.dispose();
    });
  }

  it('Rprop starts each step size at the lr of its first step, as torch initialises its state then, not at construction', async () => {
    const rv = await createRavine({ backend });
    const [a, b] = [rv.tensor('a', [1, -1, 0.5]), rv.tensor('b', [1, -1, 0.5])];
    const late = new Rprop([a], { lr: 0.1 });
    const direct = new Rprop([b], { lr: 0.25 });
    late.paramGroups[0].lr = 0.25;
    for (const t of [a, b]) t.grad.set([1, -2, 0]);
    late.step();
    direct.step();
    expect(bits(a.data)).toEqual(bits(b.data));
    expect(Array.from(late.stateDict().state.a.stepSize as Float32Array)).toEqual([0.25, 0.25, 0.25]);
    expect(Array.from(a.data)).toEqual([0.75, -0.75, 0.5]);
  });

  it("Rprop: a NaN gradient leaves its element where it is (torch's sign(NaN) is 0), prev keeps the NaN, and the next step size is unchanged", async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2, 3, 4, 5]);
    const opt = new Rprop([w], { lr: 0.5 });
    w.grad.set([1, 1, 1, 1, 1]);
    opt.step();
    w.grad.set([NaN, 1, -1, Infinity, 0]);
    opt.step();
    // element 0: unchanged; 1: same sign, step 0.5·1.2; 2: flipped, step halved and no move; 3: +∞ moves as +1; 4: g = 0, no move.
    expect(Array.from(w.data)).toEqual([0.5, Math.fround(1.5 - Math.fround(0.6)), 2.5, Math.fround(3.5 - Math.fround(0.6)), 4.5]);
    const state = opt.stateDict().state.w;
    expect(Array.from(state.prev as Float32Array)).toEqual([NaN, 1, 0, Infinity, 0]);
    expect(Array.from(state.stepSize as Float32Array)).toEqual([0.5, Math.fround(0.6), 0.25, Math.fround(0.6), 0.5]);
    w.grad.set([1, 1, 1, 1, 1]);
    opt.step();
    expect((opt.stateDict().state.w.stepSize as Float32Array)[0]).toBe(0.5); // NaN·1 has sign 0: factor 1
  });

  it('Rprop: an element at −0 with a zero gradient stays −0 (addcmul adds (−1·sign(0))·step = −0)', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', Float32Array.from([-0, 0, -0, -0, -0]));
    const opt = new Rprop([w]);
    w.grad.set([0, 0, -0, 0, 0]);
    opt.step();
    expect(Array.from(w.data).map((x) => Object.is(x, -0))).toEqual([true, false, true, true, true]);
  });

  it("ASGD: eta and mu are torch's float32 scalars, f32(lr / (1 + λ·lr·t)^α) and f32(1 / max(1, t − t0)); ax copies p until mu leaves 1", async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, -2, 3]);
    const options = { lr: 0.05, lambd: 0.01, alpha: 0.6, t0: 2 };
    const opt = new ASGD([w], options);
    expect(opt.stateDict().state.w).toEqual({ step: 0, eta: 0, mu: 1, ax: null });
    for (let t = 1; t <= 5; t++) {
      w.grad.set([0.5, -0.25, 1]);
      opt.step();
      const s = opt.stateDict().state.w;
      expect(s.eta).toBe(Math.fround(options.lr / Math.pow(1 + options.lambd * options.lr * t, options.alpha)));
      expect(s.mu).toBe(Math.fround(1 / Math.max(1, t - options.t0)));
      // μ used at step t is the one formed at step t − 1: 1 through step 4 (t − t0 ≤ 1 until t = 3).
      if (t <= 4) expect(bits(s.ax as Float32Array)).toEqual(bits(w.data));
      else expect(bits(s.ax as Float32Array)).not.toEqual(bits(w.data));
    }
  });

  it("a checkpoint's eta must be ≥ 0 and its mu in [0, 1]; within range they load and take effect", async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new ASGD([w]);
    w.grad.fill(1);
    opt.step();
    for (const [key, bad, message] of [
      ['eta', -1e-3, /'w'\.eta must be a number >= 0, finite in float32, got -0\.001/],
      ['eta', Infinity, /'w'\.eta must be a number >= 0, finite in float32, got Infinity/],
      ['eta', NaN, /'w'\.eta must be a number >= 0/],
      ['mu', 1.5, /'w'\.mu must be a number in \[0, 1\], got 1\.5/],
      ['mu', '0.5', /'w'\.mu must be a number in \[0, 1\], got "0\.5"/],
    ] as const) {
      const dict = JSON.parse(JSON.stringify(opt.stateDict()));
      dict.state.w[key] = bad;
      expect(() => opt.loadStateDict(dict as StateDict)).toThrow(message);
    }
    const dict = JSON.parse(JSON.stringify(opt.stateDict()));
    dict.state.w.eta = 0;
    dict.state.w.mu = 0.5;
    dict.state.w.ax = [0.25, -1];
    opt.loadStateDict(dict as StateDict);
    const before = Array.from(w.data);
    const ax = [0.25, -1];
    w.grad.fill(1);
    opt.step();
    // η = 0: p only decays by 1 − λ·0 = 1, so it stays; ax moves halfway to it.
    expect(Array.from(w.data)).toEqual(before);
    expect(Array.from(opt.stateDict().state.w.ax as Float32Array)).toEqual(ax.map((a, i) => Math.fround(a + Math.fround(Math.fround(before[i] - a) * 0.5))));
  });
});
