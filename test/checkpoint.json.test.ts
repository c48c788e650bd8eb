// A checkpoint saved the obvious way, JSON.stringify(opt.stateDict()) to a file, loads back in a fresh
// context and the next 100 steps are bit-identical to a run that never stopped: for every optimizer
// and option set in the table, on both backends, with state holding NaN, ±Infinity and −0 (which JSON
// has no numbers for: each buffer is written as { float32: <base64 of its bytes> }). The specials are
// loaded into the state first — −0 and +∞ everywhere, NaN and −∞ only in the buffers that may hold
// any float (loadStateDict refuses them where torch keeps a buffer ≥ 0) — then saved and restored.
import { describe, expect, it } from 'vitest';
import { createRavine, type Optimizer, type Ravine, type StateDict } from '../src/index.js';
import { cases, gradientPool, label, optimizers, type Case, tensorFor } from './helpers/cases.js';

const SIZE = 19;
const pool = gradientPool(4096, 7);

/** The gradient of step t: the pool, with −0 in element 2 always. */
function gradient(t: number, out: Float32Array): void {
  for (let i = 0; i < SIZE; i++) out[i] = pool[(t * SIZE + i) % pool.length];
  out[2] = -0;
}

const NON_NEGATIVE = new Set(['expAvgSq', 'maxExpAvgSq', 'squareAvg', 'accDelta', 'sum', 'expInf', 'stepSize']);

/** The state with NaN, −∞, −0, +∞ written into tensor 'a''s buffers where loadStateDict allows them. */
function withSpecials(dict: StateDict): StateDict {
  const state = structuredClone(dict.state) as Record<string, Record<string, unknown>>;
  for (const [key, value] of Object.entries(state.a)) {
    if (!(value instanceof Float32Array)) continue;
    if (!NON_NEGATIVE.has(key)) value.set([NaN, -Infinity], 4);
    value.set([-0, Infinity], 6);
  }
  return { ...dict, state } as StateDict;
}

/** Two groups: 'a' (SIZE floats, the gradients above) and 'b' (3 floats, a smooth gradient). */
function build(rv: Ravine, c: Case) {
  const a = tensorFor(
    rv,
    c.optimizer,
    'a',
    Array.from({ length: SIZE }, (_, i) => Math.sin(i + 1)),
  );
  const b = tensorFor(
    rv,
    c.optimizer,
    'b',
    Array.from({ length: 3 }, (_, i) => Math.cos(i)),
  );
  const opt = new optimizers[c.optimizer]([{ params: [a] }, { params: [b], lr: 0.5 * (c.options.lr ?? 1) }], c.options);
  return { opt, a, b, data: () => Float32Array.of(...a.data, ...b.data) };
}

function run(job: ReturnType<typeof build>, from: number, steps: number): void {
  for (let t = from; t < from + steps; t++) {
    gradient(t, job.a.grad);
    job.b.grad.set([Math.sin(t), Math.cos(t), 1e-3]);
    job.opt.step();
  }
}

const bits = (values: Float32Array) => Array.from(new Uint32Array(Float32Array.from(values).buffer));

function stateBits(opt: Optimizer<object>): Record<string, unknown> {
  const { state } = opt.stateDict();
  return Object.fromEntries(
    Object.entries(state).map(([name, entry]) => [
      name,
      Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, v instanceof Float32Array ? bits(v) : v])),
    ]),
  );
}

describe.each(['simd', 'js'] as const)('%s backend: a JSON checkpoint resumes bit for bit', (backend) => {
  const specials = { nan: 0, infinity: 0, negativeZero: 0 };
  for (const c of cases) {
    it(`${label(c)}: JSON.parse(JSON.stringify(stateDict())) loads into a fresh context and the next 100 steps match an uninterrupted run`, async () => {
      const rv = await createRavine({ backend });
      const uninterrupted = build(rv, c);
      run(uninterrupted, 0, 20);
      uninterrupted.opt.loadStateDict(withSpecials(uninterrupted.opt.stateDict()));
      const saved = uninterrupted.opt.stateDict();
      const text = JSON.stringify(saved);
      for (const entry of Object.values(saved.state)) {
        for (const value of Object.values(entry)) {
          if (!(value instanceof Float32Array)) continue;
          for (const v of value) {
            if (Number.isNaN(v)) specials.nan++;
            else if (!Number.isFinite(v)) specials.infinity++;
            else if (Object.is(v, -0)) specials.negativeZero++;
          }
        }
      }
      const parameters = { a: Float32Array.from(uninterrupted.a.data), b: Float32Array.from(uninterrupted.b.data) };

      const rv2 = await createRavine({ backend });
      const resumed = build(rv2, c);
      resumed.a.data.set(parameters.a);
      resumed.b.data.set(parameters.b);
      resumed.opt.loadStateDict(JSON.parse(text));
      expect(stateBits(resumed.opt)).toEqual(stateBits(uninterrupted.opt));

      run(uninterrupted, 20, 100);
      run(resumed, 20, 100);
      expect(bits(resumed.data())).toEqual(bits(uninterrupted.data()));
      expect(stateBits(resumed.opt)).toEqual(stateBits(uninterrupted.opt));
      rv.dispose();
      rv2.dispose();
    });
  }

  it('the checkpoints above held NaN, ±Infinity and −0 in their state (so the encoding was exercised)', () => {
    expect(specials.nan).toBeGreaterThan(0);
    expect(specials.infinity).toBeGreaterThan(0);
    expect(specials.negativeZero).toBeGreaterThan(0);
  });
});

describe('the JSON encoding', () => {
  it('writes each buffer as { float32: base64 of its little-endian bytes }, and a spread or structuredClone keeps Float32Arrays', async () => {
    const rv = await createRavine({ backend: 'js' });
    const w = rv.tensor('w', [1, -2, 3]);
    const opt = new optimizers.SGD([w], { lr: 0.1, momentum: 0.9 });
    w.grad.set([-0, Infinity, NaN]);
    opt.step();
    const dict = opt.stateDict();
    const json = JSON.parse(JSON.stringify(dict));
    const buffer = Buffer.from(json.state.w.momentumBuffer.float32, 'base64');
    const decoded = new Float32Array(buffer.buffer, buffer.byteOffset, 3);
    expect(Object.is(decoded[0], -0)).toBe(true);
    expect(decoded[1]).toBe(Infinity);
    expect(decoded[2]).toBeNaN();
    expect(json.state.w.step).toBe(1);
    expect(structuredClone(dict).state.w.momentumBuffer).toBeInstanceOf(Float32Array);
    expect({ ...dict }.state.w.momentumBuffer).toBeInstanceOf(Float32Array);
  });
  it('a { float32 } that is not base64 or not whole floats is refused, naming the tensor and key, and nothing changes', async () => {
    const rv = await createRavine({ backend: 'js' });
    const w = rv.tensor('w', [1, -2, 3]);
    const opt = new optimizers.SGD([w], { lr: 0.1, momentum: 0.9 });
    w.grad.set([1, 1, 1]);
    opt.step();
    const before = JSON.stringify(opt.stateDict());
    const json = JSON.parse(before);
    json.state.w.momentumBuffer = { float32: 'AAAA' }; // 3 bytes
    expect(() => opt.loadStateDict(json)).toThrow("SGD.loadStateDict: state 'w'.momentumBuffer is { float32 } but 3 bytes, not a whole number of float32s");
    json.state.w.momentumBuffer = { float32: '***' };
    expect(() => opt.loadStateDict(json)).toThrow("SGD.loadStateDict: state 'w'.momentumBuffer is { float32 } but not base64");
    expect(JSON.stringify(opt.stateDict())).toBe(before);
  });
});
