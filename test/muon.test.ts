// Muon against torch 2.13's torch.optim.Muon (test/fixtures/reference/torch-2.13/matrix-optimizers.json:
// the shared recording's Muon and Adafactor cases). torch runs Newton–Schulz in bfloat16, ravine in
// float32: the parameters are checked within 1e-2 relative over 40 steps (the README measured 3.6e-3 for a
// float32 iteration), the momentum buffer bit for bit (it does not depend on the iteration), and the two
// backends bit for bit with each other.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clipGradNorm, createRavine, Muon } from '../src/index.js';
import { bitDifferences, type Case213, f32, relativeError, rng } from './helpers/cases.js';

const data = JSON.parse(readFileSync(new URL('./fixtures/reference/torch-2.13/matrix-optimizers.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: Case213[];
};
const cases = data.cases.filter((c) => c.optimizer === 'Muon');
const size = (shape: number[]) => shape.reduce((n, d) => n * d, 1);

/** torch's portable lerp with a scalar weight, in float32: the momentum buffer as torch 2.13 writes it. */
function lerp(a: number, b: number, w: number): number {
  const r = Math.fround;
  return Math.abs(w) < 0.5 ? r(a + r(w * r(b - a))) : r(b - r(r(b - a) * r(1 - w)));
}

describe("Muon is torch 2.13's, with the Newton–Schulz iteration in float32", () => {
  it('the fixture holds three Muon cases (defaults; no Nesterov, no decay; match_rms_adamw with decay) over an 8×5 and a 5×8 matrix', () => {
    expect(data.torch).toBe('2.13.0+cpu');
    expect(cases.map((c) => c.name)).toEqual(['muon-p29', 'muon-p30', 'muon-p31']);
    expect(cases[0].groups[0].shapes).toEqual([
      [8, 5],
      [5, 8],
    ]);
  });

  for (const c of cases) {
    it(`${c.name} ${JSON.stringify(c.groups[0].options)}: momentum bit for bit every step, parameters within 1e-2, simd = js`, async () => {
      const finals: Float32Array[][] = [];
      for (const backend of ['simd', 'js'] as const) {
        const rv = await createRavine({ backend });
        const g = c.groups[0];
        const tensors = g.shapes.map((shape, i) => rv.tensor(`w${i}`, f32(g.initial[i]).subarray(0, size(shape)), { shape }));
        const opt = new Muon([{ params: tensors, ...g.options }] as never);
        const momentum = 0.95;
        const w = Math.fround(1 - momentum);
        const buffers = tensors.map((t) => new Float32Array(t.size));
        let worst = 0;
        for (let t = 1; t <= c.steps; t++) {
          tensors.forEach((x, i) => x.grad.set(f32(c.grads[t - 1][i])));
          buffers.forEach((b, i) => b.forEach((m, j) => (b[j] = lerp(m, tensors[i].grad[j], w))));
          opt.step();
          const state = opt.stateDict().state;
          tensors.forEach((x, i) => {
            expect(bitDifferences(state[x.name].momentumBuffer as Float32Array, buffers[i]), `${backend} step ${t}: momentum of ${x.name}`).toEqual([]);
            worst = Math.max(worst, relativeError(x.data, f32(c.params[String(t)][i])));
          });
        }
        const state = opt.stateDict().state;
        tensors.forEach((x, i) =>
          expect(
            bitDifferences(state[x.name].momentumBuffer as Float32Array, f32(c.finalState[i].momentum_buffer as string)),
            `${backend}: torch's final momentum of ${x.name}`,
          ).toEqual([]),
        );
        expect(worst, `${backend}: parameters against torch's bfloat16 iteration`).toBeLessThan(1e-2);
        finals.push(tensors.map((x) => x.data.slice()));
        rv.dispose();
      }
      finals[0].forEach((a, i) => expect(bitDifferences(a, finals[1][i]), `tensor ${i}: simd against js`).toEqual([]));
    });
  }
});

describe('Muon with training options', () => {
  it('clipping by norm folded into the step is the step on gradients clipped in place (Nesterov reads the clipped gradient too)', async () => {
    const rv = await createRavine();
    const grads = [3, -1, 0.5, 2, -4, 1.5, 0.25, -2, 1, 3, -0.5, 2];
    const a = rv.tensor('a', 12, { shape: [3, 4] }),
      b = rv.tensor('b', 12, { shape: [3, 4] });
    a.data.set(grads.map((g) => g / 10));
    b.data.set(a.data);
    const folded = new Muon([a], { lr: 0.02 }, { clipGradNorm: 0.5 });
    const plain = new Muon([b], { lr: 0.02 });
    for (let t = 0; t < 5; t++) {
      a.grad.set(grads.map((g) => g * (t + 1)));
      b.grad.set(a.grad);
      folded.step();
      clipGradNorm([b], 0.5);
      plain.step();
      expect(bitDifferences(a.data, b.data), `step ${t + 1}`).toEqual([]);
    }
    rv.dispose();
  });
});

describe("Muon's scratch", () => {
  it('grows before a larger matrix joins: the new group steps as a Muon built over it alone', async () => {
    const rv = await createRavine();
    const small = rv.tensor('small', 4, { shape: [2, 2] });
    const big = rv.tensor('big', 48, { shape: [6, 8] });
    const alone = rv.tensor('alone', 48, { shape: [6, 8] });
    const values = Float32Array.from({ length: 48 }, (_, i) => Math.sin(i));
    big.data.set(values);
    alone.data.set(values);
    const opt = new Muon([small], { lr: 0.02 });
    opt.addParamGroup({ params: [big] });
    const ref = new Muon([alone], { lr: 0.02 });
    for (let t = 0; t < 3; t++) {
      small.grad.fill(0.1);
      big.grad.set(values.map((v) => v * (t + 1)));
      alone.grad.set(big.grad);
      opt.step();
      ref.step();
    }
    expect(bitDifferences(big.data, alone.data)).toEqual([]);
    rv.dispose();
  });
});

describe("Muon's scratch when memory runs out", () => {
  it('a group whose scratch does not fit is refused before it joins: the optimizer keeps its groups and steps as before', async () => {
    // A heap that holds the big tensor and its state, but not its Newton–Schulz scratch as well.
    const rv = await createRavine({ backend: 'js', maxBytes: 1 << 20 });
    const small = rv.tensor('small', 4, { shape: [2, 2] });
    const big = rv.tensor('big', 64 * 64, { shape: [64, 64] });
    const opt = new Muon([small], { lr: 0.02 });
    const filler = rv.tensor('filler', ((1 << 20) - rv.highWaterBytes) / 8 - 16 * 1024);
    expect(() => opt.addParamGroup({ params: [big] })).toThrow(/ravine: out of memory/);
    expect(opt.paramGroups.length).toBe(1);
    small.grad.fill(0.1);
    opt.step();
    filler.dispose();
    rv.dispose();
  });

  it('a Muon whose scratch does not fit is not made, and leaves its tensors free for another optimizer', async () => {
    const rv = await createRavine({ backend: 'js', maxBytes: 1 << 20 });
    const big = rv.tensor('big', 64 * 64, { shape: [64, 64] });
    const filler = rv.tensor('filler', ((1 << 20) - rv.highWaterBytes) / 8 - 8 * 1024);
    expect(() => new Muon([big])).toThrow(/ravine: out of memory: Muon's Newton–Schulz scratch/);
    filler.dispose();
    const other = new Muon([big]); // the tensor belongs to no one
    expect(other.paramGroups[0].params[0]).toBe(big);
    rv.dispose();
  });
});

describe("Muon's checks", () => {
  it('refuses a tensor that is not a matrix, saying to give it to AdamW, and refuses bad options by name', async () => {
    const rv = await createRavine();
    const bias = rv.tensor('bias', 4);
    const w = rv.tensor('w', 6, { shape: [2, 3] });
    expect(() => new Muon([w, bias])).toThrow(/Muon: tensor 'bias' has shape \[4\]: Muon steps 2-D weight matrices only .*give the others .* to AdamW/);
    const opt = new Muon([w]);
    expect(() => opt.addParamGroup({ params: [bias] })).toThrow(/Muon\.addParamGroup: tensor 'bias' has shape \[4\]/);
    expect(() => new Muon([rv.tensor('w2', 4, { shape: [2, 2] })], { nsSteps: 100 })).toThrow(/nsSteps = 100: must be an integer in \[0, 100\)/);
    expect(() => new Muon([rv.tensor('w3', 4, { shape: [2, 2] })], { adjustLrFn: 'other' as never })).toThrow(/adjustLrFn = "other"/);
    expect(() => new Muon([rv.tensor('w4', 4, { shape: [2, 2] })], { nsCoefficients: [1, 2] as never })).toThrow(
      /nsCoefficients must be an array of three numbers/,
    );
    rv.dispose();
  });
});

describe('Muon on two threads', () => {
  it('a 96×128 matrix (its Newton–Schulz products split by rows) steps to the bits of one thread, and of js', async () => {
    const finals: Float32Array[] = [];
    for (const config of [{ backend: 'simd', threads: 2 }, { backend: 'simd', threads: 1 }, { backend: 'js' }] as const) {
      const rv = await createRavine(config);
      expect(rv.threads).toBe(config.backend === 'simd' ? config.threads : 1);
      const next = rng(5);
      const w = rv.tensor(
        'w',
        Float32Array.from({ length: 96 * 128 }, () => next() - 0.5),
        { shape: [96, 128] },
      );
      const opt = new Muon([w], { lr: 0.02 });
      let jobs = 0;
      const pool = (rv as unknown as { _context: { backend: { pool?: { run(...a: unknown[]): void } } } })._context.backend.pool;
      if (pool) {
        const run = pool.run.bind(pool);
        pool.run = (...a: unknown[]) => {
          jobs++;
          run(...a);
        };
      }
      for (let t = 0; t < 3; t++) {
        w.grad.set(Float32Array.from({ length: w.size }, () => next() - 0.5));
        opt.step();
      }
      // Five iterations of three products each, three steps: all split with two threads, none with one.
      expect(jobs).toBe(rv.threads > 1 ? 45 : 0);
      finals.push(w.data.slice());
      rv.dispose();
    }
    expect(bitDifferences(finals[0], finals[1]), 'two threads against one').toEqual([]);
    expect(bitDifferences(finals[1], finals[2]), 'simd against js').toEqual([]);
  });
});
