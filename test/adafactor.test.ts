// Adafactor against torch 2.13's torch.optim.Adafactor, bit for bit: the shared recording's three cases
// (a [7] vector and a [6, 9] matrix over 60 steps: test/fixtures/reference/torch-2.13/matrix-optimizers.json)
// and three recorded here over shapes that reach the rest of torch's reduction orders (a row mean over 600
// rows, a stack of matrices, rows with a tail: adafactor-shapes.json, recorded by record_adafactor.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Adafactor, clipGradNorm, createRavine, type Ravine } from '../src/index.js';
import { bitDifferences, type Case213, f32, rng } from './helpers/cases.js';

interface ShapesCase {
  name: string;
  seed: number;
  shapes: number[][];
  options: Record<string, unknown>;
  steps: number;
  params: Record<string, string[]>;
  finalState: Record<string, { shape: number[]; data: string } | number>[];
}

const read = <T>(file: string) => JSON.parse(readFileSync(new URL(`./fixtures/reference/torch-2.13/${file}`, import.meta.url), 'utf8')) as T;
const shared = read<{ torch: string; cases: Case213[] }>('matrix-optimizers.json');
const recorded = read<{ torch: string; aten_cpu_capability: string; cases: ShapesCase[] }>('adafactor-shapes.json');
const sharedCases = shared.cases.filter((c) => c.optimizer === 'Adafactor');
const size = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);
const camel = (key: string) => key.replace(/_(.)/g, (_, c: string) => c.toUpperCase());

/** record_adafactor.py's inputs: mulberry32's u32 >> 8, over 2^23, less 1 (exact in float32). */
function uniform(next: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => Math.floor(next() * 2 ** 24) / 2 ** 23 - 1);
}

describe("Adafactor is torch 2.13's, bit for bit", () => {
  it('the fixtures hold the shared cases (defaults; lr, decay and beta2Decay; eps1, d and maximize) and the recorded shapes', () => {
    expect(sharedCases.map((c) => c.name)).toEqual(['adafactor-p32', 'adafactor-p33', 'adafactor-p34']);
    expect(sharedCases[0].groups[0].shapes).toEqual([[7], [6, 9]]);
    expect(recorded.torch).toBe('2.13.0+cpu');
    expect(recorded.aten_cpu_capability).toBe('default');
    expect(recorded.cases[0].shapes).toEqual([[33], [40, 27], [3, 20, 9], [600, 3]]);
  });

  for (const c of sharedCases) {
    it(`${c.name} ${JSON.stringify(c.groups[0].options)}: every parameter every step, and the final factors, on simd and js`, async () => {
      const finals: Float32Array[][] = [];
      for (const backend of ['simd', 'js'] as const) {
        const rv = await createRavine({ backend });
        const g = c.groups[0];
        const tensors = g.shapes.map((shape, i) => rv.tensor(`p${i}`, f32(g.initial[i]).subarray(0, size(shape)), { shape }));
        const opt = new Adafactor([{ params: tensors, ...g.options }] as never);
        for (let t = 1; t <= c.steps; t++) {
          tensors.forEach((x, i) => x.grad.set(f32(c.grads[t - 1][i])));
          opt.step();
          tensors.forEach((x, i) => expect(bitDifferences(x.data, f32(c.params[String(t)][i])), `${backend} step ${t}: ${x.name}`).toEqual([]));
        }
        const state = opt.stateDict().state;
        tensors.forEach((x, i) => {
          const theirs = c.finalState[i];
          const keys = Object.keys(theirs).filter((k) => k !== 'step');
          expect(Object.keys(state[x.name]).sort()).toEqual(['step', ...keys.map(camel)].sort());
          for (const key of keys)
            expect(bitDifferences(state[x.name][camel(key)] as Float32Array, f32(theirs[key] as string)), `${backend}: ${x.name}.${key}`).toEqual([]);
        });
        finals.push(tensors.map((x) => x.data.slice()));
        rv.dispose();
      }
      finals[0].forEach((a, i) => expect(bitDifferences(a, finals[1][i]), `tensor ${i}: simd against js`).toEqual([]));
    });
  }

  for (const c of recorded.cases) {
    it(`${c.name} ${JSON.stringify(c.options)} over ${c.shapes.map((s) => `[${s}]`).join(', ')}: torch's parameters and state, simd and js`, async () => {
      for (const backend of ['simd', 'js'] as const) {
        const rv = await createRavine({ backend });
        const next = rng(c.seed);
        const tensors = c.shapes.map((shape, i) => rv.tensor(`p${i}`, uniform(next, size(shape)), { shape }));
        const opt = new Adafactor(tensors, c.options as never);
        for (let t = 1; t <= c.steps; t++) {
          const scale = 2 ** ((t % 5) - 2);
          for (const x of tensors) x.grad.set(uniform(next, x.size).map((v) => v * scale));
          opt.step();
          const theirs = c.params[String(t)];
          if (theirs) tensors.forEach((x, i) => expect(bitDifferences(x.data, f32(theirs[i])), `${backend} step ${t}: ${x.name} [${x.shape}]`).toEqual([]));
        }
        const state = opt.stateDict().state;
        tensors.forEach((x, i) => {
          for (const [key, value] of Object.entries(c.finalState[i])) {
            if (typeof value === 'number') expect(state[x.name][key]).toBe(value);
            else expect(bitDifferences(state[x.name][camel(key)] as Float32Array, f32(value.data)), `${backend}: ${x.name}.${key}`).toEqual([]);
          }
        });
        rv.dispose();
      }
    });
  }
});

describe('Adafactor keeps factored state', () => {
  let rv: Ravine;
  const make = async () => {
    rv = await createRavine({ backend: 'simd' });
    return [rv.tensor('w', 12 * 5, { shape: [12, 5] }), rv.tensor('b', 5), rv.tensor('k', 2 * 3 * 4, { shape: [2, 3, 4] })];
  };

  it('a matrix keeps rows + cols floats (torch: row_var [r, 1], col_var [1, c]), a vector its variance, a stack a pair per matrix', async () => {
    const [w, b, k] = await make();
    const opt = new Adafactor([w, b, k]);
    for (const t of [w, b, k]) t.grad.fill(0.5);
    opt.step();
    const state = opt.stateDict().state;
    expect(Object.keys(state.w).sort()).toEqual(['colVar', 'rowVar', 'step']);
    expect([(state.w.rowVar as Float32Array).length, (state.w.colVar as Float32Array).length]).toEqual([12, 5]);
    expect(Object.keys(state.b).sort()).toEqual(['step', 'variance']);
    expect((state.b.variance as Float32Array).length).toBe(5);
    expect([(state.k.rowVar as Float32Array).length, (state.k.colVar as Float32Array).length]).toEqual([2 * 3, 2 * 4]);
    rv.dispose();
  });

  it('a checkpoint round-trips (JSON) and the run continues bit for bit; a factor of the wrong length is refused, naming it', async () => {
    const [w, b, k] = await make();
    const opt = new Adafactor([w, b, k], { weightDecay: 0.01 });
    const feed = (t: number) => [w, b, k].forEach((x, i) => x.grad.set(uniform(rng(100 * t + i), x.size)));
    for (let t = 1; t <= 3; t++) {
      feed(t);
      opt.step();
    }
    const saved = JSON.parse(JSON.stringify(opt.stateDict()));
    const params = [w, b, k].map((x) => x.data.slice());
    for (let t = 4; t <= 6; t++) {
      feed(t);
      opt.step();
    }
    const after = [w, b, k].map((x) => x.data.slice());
    const bad = JSON.parse(JSON.stringify(saved));
    bad.state.w.rowVar = [1, 2, 3];
    expect(() => opt.loadStateDict(bad)).toThrow(/'w'\.rowVar.*12/);
    const stray = JSON.parse(JSON.stringify(saved));
    stray.state.b.rowVar = null;
    expect(() => opt.loadStateDict(stray)).toThrow(/unknown state key 'b'\."rowVar"/);
    opt.loadStateDict(saved);
    [w, b, k].forEach((x, i) => x.data.set(params[i]));
    for (let t = 4; t <= 6; t++) {
      feed(t);
      opt.step();
    }
    [w, b, k].forEach((x, i) => expect(bitDifferences(x.data, after[i]), x.name).toEqual([]));
    rv.dispose();
  });

  it('clipping by norm scales the gradient first: the step equals one on gradients clipped in place', async () => {
    const runs: Float32Array[][] = [];
    for (const inPlace of [false, true]) {
      const [w, b, k] = await make();
      const opt = new Adafactor([w, b, k], {}, inPlace ? undefined : { clipGradNorm: 0.5 });
      for (let t = 1; t <= 3; t++) {
        [w, b, k].forEach((x, i) => x.grad.set(uniform(rng(7 * t + i), x.size)));
        if (inPlace) clipGradNorm([w, b, k], 0.5);
        opt.step();
      }
      runs.push([w, b, k].map((x) => x.data.slice()));
      rv.dispose();
    }
    runs[0].forEach((a, i) => expect(bitDifferences(a, runs[1][i]), `tensor ${i}`).toEqual([]));
  });

  it('a group refused because its tensor is taken, or because the optimizer is disposed, reserves no scratch', async () => {
    const [w] = await make();
    const arena = (rv as unknown as { _context: { arena: { bytesInUse: number } } })._context.arena;
    const big = rv.tensor('big', 100_000);
    const other = new Adafactor([big]);
    const opt = new Adafactor([w]);
    const before = arena.bytesInUse;
    expect(() => opt.addParamGroup({ params: [big] })).toThrow(/'big' already belongs to an optimizer/);
    expect(arena.bytesInUse).toBe(before);
    other.dispose();
    opt.dispose();
    const afterDispose = arena.bytesInUse;
    expect(() => opt.addParamGroup({ params: [big] })).toThrow(/disposed/);
    expect(arena.bytesInUse).toBe(afterDispose);
    rv.dispose();
  });

  it('refuses bad options with the option named, and changes nothing', async () => {
    const [w] = await make();
    expect(() => new Adafactor([w], { beta2Decay: 0.5 })).toThrow(/beta2Decay = 0\.5: must be <= 0/);
    expect(() => new Adafactor([w], { eps: [null, -1] })).toThrow(RangeError);
    expect(() => new Adafactor([w], { d: 0.9 })).toThrow(/d = 0\.9/);
    expect(() => new Adafactor([w], { eps: [1e-30] as never })).toThrow(/eps must be an array \[eps1, eps2\]/);
    // Refused at construction, w is free again, its values as they were.
    expect(Array.from(w.data)).toEqual(new Array(60).fill(0));
    const opt = new Adafactor([w]);
    expect(opt.paramGroups[0].eps).toEqual([null, 1e-3]);
    rv.dispose();
  });
});
