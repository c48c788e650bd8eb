// torch 2.13's recorded element-wise cases (test/fixtures/reference/torch-2.13/optimizers.json), replayed
// on both backends: every recorded step's parameters and the final state, bit for bit. These are the
// optimizers whose single-tensor update torch 2.13 left as 1.13 had it (SGD, Adagrad, Adadelta, Rprop, ASGD,
// RMSprop without `centered`); the others (running averages as lerps, NAdam's momentum product) follow
// when ravine's kernels move to torch 2.13's arithmetic (issue 20).
import { describe, expect, it } from 'vitest';
import { createRavine, type Optimizer } from '../src/index.js';
import { bitDifferences, camel, f32, optimizers } from './helpers/cases.js';
import { readFileSync } from 'node:fs';

interface Case213 {
  name: string;
  optimizer: string;
  groups: { shapes: number[][]; options: Record<string, unknown>; initial: string[] }[];
  steps: number;
  grads: string[][];
  params: Record<string, string[]>;
  finalState: Record<string, string | number>[];
}

const data = JSON.parse(readFileSync(new URL('./fixtures/reference/torch-2.13/optimizers.json', import.meta.url), 'utf8')) as { torch: string; cases: Case213[] };
const SAME_SINCE_1_13 = new Set(['SGD', 'Adagrad', 'Adadelta', 'Rprop', 'ASGD', 'RMSprop']);
const chosen = data.cases.filter((c) => SAME_SINCE_1_13.has(c.optimizer) && !c.groups.some((g) => g.options.centered === true));
const elements = (shape: number[]) => shape.reduce((n, d) => n * d, 1);

describe.each(['simd', 'js'] as const)('%s: torch 2.13, bit for bit, where its update is 1.13\'s', (backend) => {
  it('the fixture is torch 2.13\'s, and the cases replayed here cover SGD, Adagrad, Adadelta, Rprop, ASGD and RMSprop', () => {
    expect(data.torch).toBe('2.13.0+cpu');
    expect(new Set(chosen.map((c) => c.optimizer))).toEqual(SAME_SINCE_1_13);
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
