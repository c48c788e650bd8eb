// Bad input gets a TypeError or RangeError that names the option (or argument) and the value, and
// changes nothing: parameters and state are exactly as they were.
import { describe, expect, it } from 'vitest';
import { Adam, createRavine, SGD, type Ravine } from '../src/index.js';
import { optimizerTable } from '../src/optim/table.js';
import { bitDifferences, gradientPool, optimizers, tensorFor } from './helpers/cases.js';

const describeValue = (v: unknown) => (Array.isArray(v) ? `[${v.join(', ')}]` : typeof v === 'string' ? `"${v}"` : String(v));

type Bad = [optimizer: string, options: Record<string, unknown>, error: typeof TypeError | typeof RangeError, message: RegExp];

const valid: Record<string, Record<string, unknown>> = {};
const ERRORS = { TypeError, RangeError } as const;
/** What every optimizer refuses, then what each row of the optimizer table says its own constructor refuses. */
const badOptions: Bad[] = Object.values(optimizerTable).flatMap((row): Bad[] => [
  [row.name, { lr: -1 }, RangeError, /lr = -1/],
  [row.name, { lr: NaN }, RangeError, /lr = NaN/],
  [row.name, { lr: Infinity }, RangeError, /lr = Infinity/],
  [row.name, { lr: '0.1' }, TypeError, /lr .*"0\.1"/],
  // An optimizer without weightDecay (torch's Rprop) says so in its row.
  ...(row.badOptions.some(([o]) => 'weightDecay' in o) ? [] : [[row.name, { weightDecay: -0.5 }, RangeError, /weightDecay = -0\.5/] as Bad]),
  [row.name, { lR: 0.1 }, TypeError, /unknown option "lR"/],
  ...row.badOptions.map(([options, error, message]): Bad => [row.name, options, ERRORS[error], message]),
]);

async function trained(rv: Ravine, name: string) {
  const w = tensorFor(
    rv,
    name,
    'w',
    Float32Array.from({ length: 13 }, (_, i) => i / 7 - 1),
  );
  const b = tensorFor(rv, name, 'b', 5);
  const opt = new optimizers[name]([{ params: [w] }, { params: [b] }], valid[name] ?? {});
  const grads = gradientPool(18, 11);
  for (let t = 0; t < 3; t++) {
    w.grad.set(grads.subarray(0, 13));
    b.grad.set(grads.subarray(13));
    opt.step();
  }
  return { w, b, opt };
}

function snapshot(rv: Ravine, t: { w: { data: Float32Array }; b: { data: Float32Array }; opt: { stateDict(): unknown } }) {
  return { w: Float32Array.from(t.w.data), b: Float32Array.from(t.b.data), state: (t.opt.stateDict() as { state: unknown }).state, bytes: rv.memoryBytes };
}

describe.each(['simd', 'js'] as const)('bad input on %s', (backend) => {
  for (const [name, options, error, message] of badOptions) {
    const shown = `${name} {${Object.entries(options)
      .map(([k, v]) => `${k}: ${describeValue(v)}`)
      .join(', ')}}`;
    it(`${shown} at construction: ${error.name} naming it; the tensor stays free and unchanged`, async () => {
      const rv = await createRavine({ backend });
      const w = tensorFor(rv, name, 'w', [1, 2, 3]);
      expect(() => new optimizers[name]([w], { ...valid[name], ...options })).toThrow(error);
      expect(() => new optimizers[name]([w], { ...valid[name], ...options })).toThrow(message);
      expect(Array.from(w.data)).toEqual([1, 2, 3]);
      expect(() => new optimizers[name]([w], valid[name] ?? {})).not.toThrow(); // w was not claimed
    });

    // An unknown key (misspelt, or an option this optimizer lacks) set on a group is not seen by step() (as in torch); the others must be.
    if (/unknown option/.test(message.source)) continue;
    it(`${shown} set between steps: step() throws ${error.name} and changes nothing`, async () => {
      const rv = await createRavine({ backend });
      const t = await trained(rv, name);
      const before = snapshot(rv, t);
      Object.assign(t.opt.paramGroups[1], options);
      expect(() => t.opt.step()).toThrow(error);
      expect(() => t.opt.step()).toThrow(message);
      const after = snapshot(rv, t);
      expect(bitDifferences(after.w, before.w)).toEqual([]);
      expect(bitDifferences(after.b, before.b)).toEqual([]);
      expect(after.state).toEqual(before.state);
      expect(t.opt.steps).toBe(3);
    });
  }

  it("SGD without lr takes torch 2.13's default, 1e-3", async () => {
    const rv = await createRavine({ backend });
    expect(new SGD([rv.tensor('w', 3)]).paramGroups[0].lr).toBe(1e-3);
    expect(new SGD([rv.tensor('v', 3)], {}).paramGroups[0].lr).toBe(1e-3);
  });

  it('tensors: negative, fractional or non-numeric sizes, empty or duplicate names are refused', async () => {
    const rv = await createRavine({ backend });
    expect(() => rv.tensor('a', -1)).toThrow(RangeError);
    expect(() => rv.tensor('a', -1)).toThrow(/size .*-1/);
    expect(() => rv.tensor('a', 1.5)).toThrow(/size .*1\.5/);
    expect(() => rv.tensor('a', 'abc' as unknown as number)).toThrow(TypeError);
    expect(() => rv.tensor('', 3)).toThrow(/name .*""/);
    rv.tensor('a', 3);
    expect(() => rv.tensor('a', 3)).toThrow(/'a' is already in use/);
  });

  it('adopt: wrong array types and mismatched lengths are refused', async () => {
    const rv = await createRavine({ backend });
    expect(() => rv.adopt('x', new Float64Array(3) as unknown as Float32Array)).toThrow(/data must be a Float32Array, got Float64Array/);
    expect(() => rv.adopt('x', new Float32Array(3), [0, 0, 0] as unknown as Float32Array)).toThrow(/grad must be a Float32Array, got \[0, 0, 0\]/);
    expect(() => rv.adopt('x', new Float32Array(3), new Float32Array(4))).toThrow(RangeError);
    expect(() => rv.adopt('x', new Float32Array(3), new Float32Array(4))).toThrow(/grad has length 4, data has length 3/);
  });

  it('params: empty lists, non-tensors, duplicates, foreign or claimed tensors are refused before anything moves', async () => {
    const rv = await createRavine({ backend });
    const other = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    expect(() => new Adam([])).toThrow(/non-empty array/);
    expect(() => new Adam([{}] as never)).toThrow(/param group must be/);
    expect(() => new Adam([1, 2] as never)).toThrow(/param group must be/);
    expect(() => new Adam([w, w])).toThrow(/'w' appears more than once/);
    expect(() => new Adam([{ params: [w] }, { params: [other.tensor('v', 2)] }])).toThrow(/another Ravine context/);
    expect(Array.from(w.data)).toEqual([1, 2]);
    const opt = new Adam([w]);
    expect(() => new Adam([w])).toThrow(/'w' already belongs to an optimizer/);
    expect(() => opt.step(42 as never)).toThrow(/closure must be a function, got 42/);
    expect(() => w.dispose()).toThrow(/dispose the optimizer first/);
  });

  it('loadStateDict: a state of the wrong size or optimizer is refused and nothing changes', async () => {
    const rv = await createRavine({ backend });
    const t = await trained(rv, 'Adam');
    const before = snapshot(rv, t);
    const dict = t.opt.stateDict();
    const wrongSize = { ...dict, state: { ...dict.state, b: { ...dict.state.b, expAvg: new Float32Array(4) } } };
    expect(() => t.opt.loadStateDict(wrongSize)).toThrow(RangeError);
    expect(() => t.opt.loadStateDict(wrongSize)).toThrow(/'b'\.expAvg must hold 5 floats/);
    expect(() => t.opt.loadStateDict({ ...dict, optimizer: 'SGD' })).toThrow(/is for "SGD", not Adam/);
    const badLr = { ...dict, paramGroups: [dict.paramGroups[0], { ...dict.paramGroups[1], lr: -2 }] };
    expect(() => t.opt.loadStateDict(badLr)).toThrow(/lr = -2/);
    expect(snapshot(rv, t).state).toEqual(before.state);
    expect(t.opt.paramGroups[1].lr).toBe(1e-3);
  });

  it('createRavine: an unknown backend is a RangeError naming it', async () => {
    await expect(createRavine({ backend: 'gpu' as never })).rejects.toThrow(/'auto', 'simd' or 'js', got "gpu"/);
  });
});
