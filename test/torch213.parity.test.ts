// torch 2.13's recorded element-wise cases (test/fixtures/reference/torch-2.13/optimizers.json), replayed
// on both backends: every recorded step's parameters and the final state, bit for bit. These are the
// optimizers whose single-tensor update torch 2.13 left as 1.13 had it (SGD, Adagrad, Adadelta, Rprop, ASGD,
// RMSprop without `centered`) and those ravine has moved to 2.13's arithmetic (Adam, AdamW, Adamax, RAdam,
// NAdam: their first moment a lerp, and NAdam's next momentum product; centered RMSprop's gradient average
// a lerp): every element-wise case of the recording.
import { describe, expect, it } from 'vitest';
import { createRavine, type Optimizer } from '../src/index.js';
import { bitDifferences, type Case213, camel, f32, MOVED_TO_2_13, optimizers } from './helpers/cases.js';
import { readFileSync } from 'node:fs';

const data = JSON.parse(readFileSync(new URL('./fixtures/reference/torch-2.13/optimizers.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: Case213[];
};
/** The optimizers 2.13 left unchanged, and those ravine has moved to 2.13's arithmetic. */
const ON_2_13 = new Set(['SGD', 'Adagrad', 'Adadelta', 'Rprop', 'ASGD', 'RMSprop', ...MOVED_TO_2_13]);
const chosen = data.cases.filter((c) => ON_2_13.has(c.optimizer));
const elements = (shape: number[]) => shape.reduce((n, d) => n * d, 1);

describe.each(['simd', 'js'] as const)("%s: torch 2.13, bit for bit, where its update is 1.13's", (backend) => {
  it("the fixture is torch 2.13's, and every one of its 29 element-wise cases, for all eleven optimizers, is replayed here", () => {
    expect(chosen.length).toBe(29);
    expect(data.torch).toBe('2.13.0+cpu');
    expect(new Set(chosen.map((c) => c.optimizer))).toEqual(ON_2_13);
  });

  for (const c of chosen) {
    it(`${c.name} (${c.optimizer} ${JSON.stringify(c.groups.map((g) => g.options))}): every recorded step and the final state`, async () => {
      const rv = await createRavine({ backend });
      let k = 0;
      const groups = c.groups.map((g) => ({ params: g.shapes.map((s, i) => rv.tensor(`p${k++}`, f32(g.initial[i]).subarray(0, elements(s)))), ...g.options }));
      const opt = new optimizers[c.optimizer](groups as never) as Optimizer<object>;
      const tensors = groups.flatMap((g) => g.params);
      let checked = 0;
      for (let t = 1; t <= c.steps; t++) {
        tensors.forEach((x, i) => x.grad.set(f32(c.grads[t - 1][i])));
        opt.step();
        const want = c.params[String(t)];
        if (!want) continue;
        tensors.forEach((x, i) => {
          expect(bitDifferences(x.data, f32(want[i])), `step ${t}, tensor ${i}`).toEqual([]);
          checked++;
        });
      }
      expect(checked).toBeGreaterThan(0);
      const state = opt.stateDict().state;
      c.finalState.forEach((saved, i) => {
        for (const [key, value] of Object.entries(saved)) {
          const ours = state[`p${i}`][camel(key)];
          if (typeof value === 'number') expect(ours, `${key} of tensor ${i}`).toBe(value);
          else if (ours instanceof Float32Array) expect(bitDifferences(ours, f32(value)), `${key} of tensor ${i}`).toEqual([]);
          else expect(Math.fround(ours as number), `${key} of tensor ${i}`).toBe(f32(value)[0]); // ASGD's eta, mu: 0-dim tensors in torch, per-group scalars here
        }
      });
    });
  }
});

describe("torch 2.13's lerp from its other side: β1 <= 0.5 (w = 1 − β1 >= 0.5)", () => {
  /** torch's portable lerp with a float32 scalar weight w (the shared README's formula), every op rounded. */
  const lerp = (a: number, b: number, w: number) =>
    w < 0.5 ? Math.fround(a + Math.fround(w * Math.fround(b - a))) : Math.fround(b - Math.fround(Math.fround(b - a) * Math.fround(1 - w)));

  // Each moved optimizer's lerped buffer and the option that makes its weight 0.7.
  const lerped = (name: string) =>
    name === 'RMSprop' ? { key: 'gradAvg', options: { lr: 0.01, alpha: 0.3, centered: true } } : { key: 'expAvg', options: { lr: 0.01, betas: [0.3, 0.999] } };
  const runs = (['simd', 'js'] as const).flatMap((backend) => [...MOVED_TO_2_13].map((name) => [backend, name] as const));
  it.each(runs)('%s: %s with a weight of f32(0.7) keeps its running average = m.lerp(g, w) bit for bit over 30 steps on 67 floats', async (backend, name) => {
    const rv = await createRavine({ backend });
    const t = rv.tensor(
      't',
      Array.from({ length: 67 }, (_, i) => Math.sin(i)),
    );
    const { key, options } = lerped(name);
    const opt = new optimizers[name]([t] as never, options as never) as Optimizer<object>;
    const m = new Float32Array(67);
    const w = Math.fround(1 - 0.3);
    for (let k = 0; k < 30; k++) {
      const g = Float32Array.from({ length: 67 }, (_, i) => Math.cos(0.9 * k + 2.3 * i) * (1 + (i % 5)));
      t.grad.set(g);
      opt.step();
      for (let i = 0; i < 67; i++) m[i] = lerp(m[i], g[i], w);
      expect(bitDifferences(opt.stateDict().state.t[key] as Float32Array, m), `step ${k + 1}`).toEqual([]);
    }
  });
});

describe('torch 2.13 with threads: a split group', () => {
  // The recorded tensors are small (5, 12 and 1 floats), far under the split threshold: the test lowers
  // the threshold of a two-thread context so that the first group (17 floats) is split across both
  // threads, slices at multiples of four floats, and checks every case still lands on torch's bits.
  it('every one of the 29 cases, its first group split across two threads, bit for bit', async () => {
    const rv = await createRavine({ backend: 'simd', threads: 2 });
    expect(rv.threads).toBe(2);
    (rv._context.backend as { splitThreshold?: number }).splitThreshold = 16;
    let k = 0;
    for (const c of chosen) {
      const groups = c.groups.map((g) => ({ params: g.shapes.map((s, i) => rv.tensor(`p${k++}`, f32(g.initial[i]).subarray(0, elements(s)))), ...g.options }));
      const opt = new optimizers[c.optimizer](groups as never) as Optimizer<object>;
      expect((rv._context.backend as { plans?: Map<number, number> }).plans!.size, `${c.name}: a split group`).toBe(1);
      const tensors = groups.flatMap((g) => g.params);
      for (let t = 1; t <= c.steps; t++) {
        tensors.forEach((x, i) => x.grad.set(f32(c.grads[t - 1][i])));
        opt.step();
      }
      const last = c.params[String(c.steps)];
      tensors.forEach((x, i) => expect(bitDifferences(x.data, f32(last[i])), `${c.name}, tensor ${i}`).toEqual([]));
      opt.dispose();
      tensors.forEach((x) => x.dispose());
    }
    rv.dispose();
  }, 60_000);
});
