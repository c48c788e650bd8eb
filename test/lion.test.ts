// Lion against optax.lion (test/fixtures/reference/optax/optax.json, optax 0.2.8 on jax's CPU backend,
// float32): every one of the 50 recorded steps bit for bit, on both backends and with the group split
// across two threads; and what makes it a citizen like the others (defaults, the torch exchange's refusal).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRavine, exportSafetensors, Lion, type Ravine } from '../src/index.js';
import { bitDifferences, f32 } from './helpers/cases.js';

interface OptaxCase {
  name: string;
  optimizer: string;
  options: { lr: number; b1?: number; b2?: number; weightDecay?: number };
  sizes: number[];
  initial: string[];
  steps: number;
  grads: string[][];
  params: Record<string, string[]>;
}

const data = JSON.parse(readFileSync(new URL('./fixtures/reference/optax/optax.json', import.meta.url), 'utf8')) as { optax: string; cases: OptaxCase[] };
const cases = data.cases.filter((c) => c.optimizer === 'lion');

/** optax's options as Lion's: b1, b2 → betas; what the case leaves out takes optax's defaults, which are Lion's. */
function options(c: OptaxCase): Record<string, unknown> {
  const { lr, b1, b2, weightDecay } = c.options;
  return { lr, ...(b1 !== undefined || b2 !== undefined ? { betas: [b1 ?? 0.9, b2 ?? 0.99] } : {}), ...(weightDecay !== undefined ? { weightDecay } : {}) };
}

/** Replays case c on rv; returns the tensors and the count of tensors compared. */
function replay(rv: Ravine, c: OptaxCase, prefix: string) {
  const tensors = c.sizes.map((n, i) => rv.tensor(`${prefix}${i}`, f32(c.initial[i]).subarray(0, n)));
  const opt = new Lion(tensors, options(c));
  let checked = 0;
  const wrong: string[] = [];
  for (let t = 1; t <= c.steps; t++) {
    tensors.forEach((x, i) => x.grad.set(f32(c.grads[t - 1][i])));
    opt.step();
    tensors.forEach((x, i) => {
      const bad = bitDifferences(x.data, f32(c.params[String(t)][i]));
      if (bad.length > 0) wrong.push(`step ${t}, tensor ${i}: elements ${bad.slice(0, 5).join(', ')}`);
      checked++;
    });
  }
  return { tensors, opt, checked, wrong };
}

describe.each(['simd', 'js'] as const)('%s: Lion is optax.lion, bit for bit', (backend) => {
  it("the fixture is optax 0.2.8's, with two Lion cases (optax's defaults, and other betas with weight decay)", () => {
    expect(data.optax).toBe('0.2.8');
    expect(cases.map((c) => c.name)).toEqual(['lion-p0', 'lion-p1']);
  });

  for (const c of cases) {
    it(`${c.name} ${JSON.stringify(c.options)}: every one of ${c.steps} steps`, async () => {
      const rv = await createRavine({ backend });
      const { checked, wrong } = replay(rv, c, 'p');
      expect(wrong).toEqual([]);
      expect(checked).toBe(c.steps * c.sizes.length);
      rv.dispose();
    });
  }
});

describe('Lion with threads', () => {
  it('each case, its group split across two threads, bit for bit every step', async () => {
    const rv = await createRavine({ backend: 'simd', threads: 2 });
    expect(rv.threads).toBe(2);
    (rv._context.backend as { splitThreshold?: number }).splitThreshold = 16;
    for (const c of cases) {
      const { tensors, opt, wrong } = replay(rv, c, c.name);
      expect((rv._context.backend as { plans?: Map<number, number> }).plans!.size, `${c.name}: a split group`).toBe(1);
      expect(wrong, c.name).toEqual([]);
      opt.dispose();
      for (const t of tensors) t.dispose();
    }
    rv.dispose();
  }, 60_000);
});

describe("Lion's defaults and edges", () => {
  it("takes optax.lion's defaults (betas 0.9, 0.99; weight decay 1e-3, decoupled) and the paper's lr 1e-4", async () => {
    const rv = await createRavine();
    const opt = new Lion([rv.tensor('w', [1, -2])]);
    const { params: _, ...o } = opt.paramGroups[0];
    expect(o).toEqual({ lr: 1e-4, betas: [0.9, 0.99], weightDecay: 1e-3, maximize: false });
    rv.dispose();
  });

  it('moves every parameter by lr·(±1 + weightDecay·p), and not at all where the interpolation is ±0 (the sign of 0 is 0)', async () => {
    for (const backend of ['simd', 'js'] as const) {
      const rv = await createRavine({ backend });
      const w = rv.tensor('w', [1, 1, 1, 1, 1, 2, 0, 0]);
      const opt = new Lion([w], { lr: 0.5, weightDecay: 0 });
      w.grad.set([3, -3, 0, 1e-30, -0, 0, 0, -0]);
      opt.step();
      // sign(0.1·g + 0.9·0): 1, −1, 0, 1 (1e-31 is not 0 in float32), then 0 (−0 + 0 is +0): p − 0.5·sign.
      expect([...w.data], backend).toEqual([0.5, 1.5, 1, 0.5, 1, 2, 0, 0]);
      expect(Object.is(w.data[7], 0), `${backend}: 0 + (−0.5)·(+0) is +0`).toBe(true);
      rv.dispose();
    }
  });

  it('maximize climbs: the same step with the gradient negated', async () => {
    const rv = await createRavine();
    const [a, b] = [rv.tensor('a', [1, 2, 3]), rv.tensor('b', [1, 2, 3])];
    const up = new Lion([a], { lr: 0.1, maximize: true });
    const down = new Lion([b], { lr: 0.1 });
    a.grad.set([1, -2, 0.5]);
    b.grad.set([-1, 2, -0.5]);
    up.step();
    down.step();
    expect(bitDifferences(a.data, b.data)).toEqual([]);
    rv.dispose();
  });

  it('the torch exchange refuses it, saying torch.optim has no Lion and what to use instead', async () => {
    const rv = await createRavine();
    const opt = new Lion([rv.tensor('w', [1, 2])]);
    expect(() => exportSafetensors(opt)).toThrow(/torch\.optim has no Lion .*save it with stateDict\(\)/);
    rv.dispose();
  });
});
