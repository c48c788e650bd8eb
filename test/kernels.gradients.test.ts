// The gradient kernels (assembly/gradients.ts and its JS mirror): on one group of tensors of lengths
// 0..9, 1023 and 4097 (every tail of the 4-wide blocks), SIMD and JS leave the same bits and return the
// same f64, and each equals a reference written here in the documented order, so the order is proven
// and not only shared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRavine, type Ravine } from '../src/index.js';
import type { Kernels } from '../src/backend/kernels.js';
import { AccumulateFlag, ProspectFlag } from '../src/kernels/gradients.js';
import { bitDifferences, rng } from './helpers/cases.js';

const LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1023, 4097];
const COUNT = LENGTHS.length;
const f = Math.fround;
const FLT_MAX = 3.4028234663852886e38;

/** Random sign, magnitudes over 2^±40, 8% +0 and 8% −0: the summation order shows in the last bits. */
function mixed(seed: number, n: number): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = next();
    if (u < 0.08) return 0;
    if (u < 0.16) return -0;
    return (next() < 0.5 ? -1 : 1) * 2 ** (80 * next() - 40) * (1 + next());
  });
}

/** A group's contents: per tensor its values and gradient, and per state buffer one slice per tensor. */
interface Contents {
  params: Float32Array[];
  grads: Float32Array[];
  states: Float32Array[][];
}

function contents(seed: number, buffers = 2): Contents {
  const per = (s: number) => LENGTHS.map((n, k) => mixed(s * 1000 + k, n));
  return { params: per(seed), grads: per(seed + 1), states: Array.from({ length: buffers }, (_, b) => per(seed + 2 + b)) };
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);
const align16 = (x: number) => (x + 15) & ~15;

/** Byte offsets, relative to the region's start, laid out as src/memory/group.ts does. */
interface Layout {
  segments: number;
  values: number[];
  grads: number[];
  /** Each tensor's slice offset within every state buffer (16-byte aligned, as the group pads them). */
  slices: number[];
  states: number[];
  out: number;
  bytes: number;
}

function layout(buffers: number): Layout {
  let at = 0;
  // Odd tensors' values and every third gradient start off a 16-byte boundary: unaligned SIMD loads.
  const take = (bytes: number, offset = 0) => {
    const o = align16(at) + offset;
    at = o + bytes;
    return o;
  };
  const segments = take(16 * COUNT);
  const values = LENGTHS.map((n, k) => take(4 * n, k % 2 ? 4 : 0));
  const grads = LENGTHS.map((n, k) => take(4 * n, k % 3 ? 0 : 8));
  const slices: number[] = [];
  let stateBytes = 0;
  for (const n of LENGTHS) {
    slices.push(stateBytes);
    stateBytes += align16(4 * n);
  }
  const states = Array.from({ length: buffers }, () => take(stateBytes));
  const out = take(24);
  return { segments, values, grads, slices, states, out, bytes: align16(at) };
}

const BUFFERS = 2;
const REL = layout(BUFFERS);

/** One backend with the group's region allocated; `at` holds absolute byte offsets. */
class Side {
  readonly at: Layout;
  constructor(
    readonly rv: Ravine,
    base: number,
  ) {
    const shift = (x: number) => x + base;
    this.at = {
      segments: shift(REL.segments),
      values: REL.values.map(shift),
      grads: REL.grads.map(shift),
      slices: REL.slices,
      states: REL.states.map(shift),
      out: shift(REL.out),
      bytes: REL.bytes,
    };
  }

  get kernels(): Kernels {
    return this.rv._context.backend.kernels;
  }

  private u32(): Uint32Array {
    return new Uint32Array(this.rv._context.backend.buffer);
  }

  private put(at: number, a: Float32Array) {
    this.u32().set(bits(a), at >>> 2);
  }

  private get(at: number, n: number): Float32Array {
    return new Float32Array(this.rv._context.backend.buffer.slice(at, at + 4 * n));
  }

  /** Writes the segment table and every value, gradient and state slice (NaN payloads as they are); clears `out`. */
  write(c: Contents): void {
    const u = this.u32(),
      a = this.at;
    LENGTHS.forEach((n, k) => u.set([a.values[k], a.grads[k], n, a.slices[k]], (a.segments >>> 2) + 4 * k));
    this.writeGrads(c.grads);
    LENGTHS.forEach((_, k) => this.put(a.values[k], c.params[k]));
    c.states.forEach((slices, b) => slices.forEach((s, k) => this.put(a.states[b] + a.slices[k], s)));
    u.fill(0, a.out >>> 2, (a.out >>> 2) + 6);
  }

  writeGrads(grads: Float32Array[]): void {
    grads.forEach((g, k) => this.put(this.at.grads[k], g));
  }

  read(): Contents & { out: Float64Array } {
    const a = this.at;
    return {
      params: LENGTHS.map((n, k) => this.get(a.values[k], n)),
      grads: LENGTHS.map((n, k) => this.get(a.grads[k], n)),
      states: a.states.map((at) => LENGTHS.map((n, k) => this.get(at + a.slices[k], n))),
      out: new Float64Array(this.rv._context.backend.buffer.slice(a.out, a.out + 24)),
    };
  }
}

let sides: Side[] = [];

beforeAll(async () => {
  sides = [];
  for (const backend of ['simd', 'js'] as const) {
    const rv = await createRavine({ backend });
    expect(rv.backend).toBe(backend);
    sides.push(new Side(rv, align16(rv._context.arena.alloc(REL.bytes + 16))));
  }
});

afterAll(() => sides.forEach((s) => s.rv.dispose()));

/** Runs `body` on both backends, from the same contents; returns [simd, js]: what it returned, and the memory after. */
function onBoth<T>(c: Contents, body: (k: Kernels, at: Layout, s: Side) => T) {
  return sides.map((s) => {
    s.write(c);
    const value = body(s.kernels, s.at, s);
    return { value, ...s.read() };
  });
}

/** Every word equal, NaN payloads included. */
function expectSameWords(a: Float32Array[], b: Float32Array[], what: string) {
  a.forEach((x, k) => {
    const differing = bits(x).findIndex((w, i) => w !== bits(b[k])[i]);
    expect(differing, `${what}, tensor ${k} (n=${LENGTHS[k]}): first differing word`).toBe(-1);
  });
}

/** Every word equal except that two NaNs match whatever their payloads. */
function expectSameValues(a: Float32Array[], b: Float32Array[], what: string) {
  a.forEach((x, k) => expect(bitDifferences(x, b[k]), `${what}, tensor ${k} (n=${LENGTHS[k]})`).toEqual([]));
}

/** Σ term(k, i) in the documented order: per tensor, lanes i ≡ 0..3 (mod 4) of the 4-wide blocks and the tail apart, ((a0 + a1) + (a2 + a3)) + t; tensors in table order. */
function documentedSum(term: (k: number, i: number) => number): number {
  let total = 0;
  LENGTHS.forEach((n, k) => {
    const lane = [0, 0, 0, 0];
    let tail = 0;
    const blocks = n - (n % 4);
    for (let i = 0; i < blocks; i++) lane[i % 4] += term(k, i);
    for (let i = blocks; i < n; i++) tail += term(k, i);
    total += lane[0] + lane[1] + (lane[2] + lane[3]) + tail;
  });
  return total;
}

function naiveSum(term: (k: number, i: number) => number): number {
  let total = 0;
  LENGTHS.forEach((n, k) => {
    for (let i = 0; i < n; i++) total += term(k, i);
  });
  return total;
}

function expectValue(simd: number, js: number, expected: number, what: string) {
  expect(Object.is(simd, js), `${what}: simd ${simd} vs js ${js}`).toBe(true);
  expect(Object.is(js, expected), `${what}: ${js} vs reference ${expected}`).toBe(true);
}

const map = (arrays: Float32Array[], fn: (x: number, k: number, i: number) => number) => arrays.map((a, k) => Float32Array.from(a, (x, i) => fn(x, k, i)));

describe('gradNorm_f32', () => {
  const c = contents(1);
  const g = c.grads;
  const references: Record<number, number> = {
    2: documentedSum((k, i) => g[k][i] * g[k][i]),
    1: documentedSum((k, i) => Math.abs(g[k][i])),
    0: g.reduce((m, a) => a.reduce((mm, x) => Math.max(mm, Math.abs(x)), m), 0),
  };

  for (const type of [2, 1, 0]) {
    it(`normType ${type} over mixed scales, zeros and −0 at lengths 0..9, 1023, 4097: simd and js return the documented-order value, gradients untouched`, () => {
      const [simd, js] = onBoth(c, (k, at) => k.gradNorm_f32(at.segments, COUNT, type));
      expectValue(simd.value, js.value, references[type], `normType ${type}`);
      expectSameWords(simd.grads, c.grads, 'simd grads');
      expectSameWords(js.grads, c.grads, 'js grads');
    });
  }

  it('the summation order is observable on these gradients: a left-to-right sum of the same squares and magnitudes differs', () => {
    expect(naiveSum((k, i) => g[k][i] * g[k][i])).not.toBe(references[2]);
    expect(naiveSum((k, i) => Math.abs(g[k][i]))).not.toBe(references[1]);
  });

  it('an unknown normType returns NaN in both backends', () => {
    const [simd, js] = onBoth(c, (k, at) => k.gradNorm_f32(at.segments, COUNT, 3));
    expect(Number.isNaN(simd.value) && Number.isNaN(js.value)).toBe(true);
  });

  // [tensor index, element]: lanes 0..3 of a block and the tail, in short and long tensors.
  const positions: [number, number][] = [
    [1, 0],
    [4, 0],
    [5, 1],
    [5, 2],
    [5, 3],
    [5, 4],
    [10, 3],
    [10, 1022],
    [11, 2050],
    [11, 4096],
  ];
  const specials: [string, number][] = [
    ['NaN', 0x7fc00000],
    ['+∞', 0x7f800000],
    ['−∞', 0xff800000],
    ['NaN with a payload', 0xffc01234],
  ];

  it('is non-finite exactly when some gradient is: NaN gives NaN and ±∞ gives +∞, for every norm type, at every lane, in the tail, in any tensor', () => {
    for (const type of [2, 1, 0]) {
      const [simd, js] = onBoth(c, (k, at) => k.gradNorm_f32(at.segments, COUNT, type));
      expect(Number.isFinite(simd.value) && Number.isFinite(js.value), `finite gradients, normType ${type}`).toBe(true);
      for (const [k, i] of positions) {
        for (const [name, word] of specials) {
          const grads = c.grads.map((a) => a.slice());
          bits(grads[k])[i] = word;
          const [s, j] = onBoth({ ...c, grads }, (kk, at) => kk.gradNorm_f32(at.segments, COUNT, type));
          const what = `${name} at tensor ${k}[${i}], normType ${type}`;
          expect(Object.is(s.value, j.value), `${what}: simd ${s.value} vs js ${j.value}`).toBe(true);
          expect(s.value, what).toBe(name.startsWith('NaN') ? NaN : Infinity);
        }
      }
    }
  });

  it('NaN wins over ±∞ in any order of appearance, for every norm type', () => {
    for (const type of [2, 1, 0]) {
      for (const [first, second] of [
        [0x7f800000, 0x7fc00000],
        [0x7fc00000, 0xff800000],
      ]) {
        const grads = c.grads.map((a) => a.slice());
        bits(grads[10])[5] = first;
        bits(grads[11])[6] = second;
        const [s, j] = onBoth({ ...c, grads }, (k, at) => k.gradNorm_f32(at.segments, COUNT, type));
        expect(Number.isNaN(s.value) && Number.isNaN(j.value), `normType ${type}`).toBe(true);
      }
    }
  });

  it('stays finite with every gradient at ±FLT_MAX (f32 squares cannot overflow f64), at the documented-order value', () => {
    const grads = map(c.grads, (_, k, i) => ((k + i) % 2 ? -FLT_MAX : FLT_MAX));
    for (const type of [2, 1, 0]) {
      const [s, j] = onBoth({ ...c, grads }, (k, at) => k.gradNorm_f32(at.segments, COUNT, type));
      const expected = type === 2 ? documentedSum(() => FLT_MAX * FLT_MAX) : type === 1 ? documentedSum(() => FLT_MAX) : FLT_MAX;
      expect(Number.isFinite(s.value), `normType ${type}`).toBe(true);
      expectValue(s.value, j.value, expected, `±FLT_MAX, normType ${type}`);
    }
  });
});

describe('scaleGrads_f32', () => {
  const c = contents(11);

  for (const scale of [0.1, 1e-30, 3e10, -1]) {
    it(`scale ${scale} (subnormal results and overflow to ±∞ included): every gradient becomes f32(g·scale), simd and js bit for bit, values untouched`, () => {
      const [simd, js] = onBoth(c, (k, at) => k.scaleGrads_f32(at.segments, COUNT, scale));
      const expected = map(c.grads, (x) => f(x * f(scale)));
      expectSameWords(simd.grads, js.grads, 'simd vs js');
      expectSameWords(js.grads, expected, 'js vs reference');
      expectSameWords(simd.params, c.params, 'values');
    });
  }

  it('NaN and ±∞ gradients: ±∞ scale to ±∞, NaN stays NaN (payload unspecified), every other element bit for bit', () => {
    const grads = c.grads.map((a) => a.slice());
    [
      [5, 2, 0x7fc00000],
      [10, 1021, 0x7f800000],
      [11, 7, 0xff800000],
      [11, 4096, 0x7fc01234],
    ].forEach(([k, i, w]) => (bits(grads[k])[i] = w));
    const [simd, js] = onBoth({ ...c, grads }, (k, at) => k.scaleGrads_f32(at.segments, COUNT, 0.1));
    const expected = map(grads, (x) => f(x * f(0.1)));
    expectSameValues(simd.grads, js.grads, 'simd vs js');
    expectSameValues(js.grads, expected, 'js vs reference');
    expect([simd.grads[5][2], simd.grads[10][1021], simd.grads[11][7], simd.grads[11][4096]]).toEqual([NaN, Infinity, -Infinity, NaN]);
  });
});

describe('clampGrads_f32', () => {
  const c = contents(21);

  for (const clip of [1e-3, 3, 1e5, 0]) {
    it(`clip ${clip}: every gradient becomes min(max(g, −clip), clip) as Math.min/max give it (−0 kept as −0), simd and js bit for bit`, () => {
      const [simd, js] = onBoth(c, (k, at) => k.clampGrads_f32(at.segments, COUNT, clip));
      const c32 = f(clip);
      const expected = map(c.grads, (x) => Math.min(Math.max(x, -c32), c32));
      expectSameWords(simd.grads, js.grads, 'simd vs js');
      expectSameWords(js.grads, expected, 'js vs reference');
      expect(
        js.grads.some((a) => a.some((x) => Object.is(x, -0))),
        'some −0 survives',
      ).toBe(true);
    });
  }

  it("keeps every NaN's own bits (quiet, negative, signalling payloads) and clamps ±∞ to ±clip, in both backends", () => {
    const grads = c.grads.map((a) => a.slice());
    const nans = [0x7fc12345, 0xffc00001, 0x7f800001, 0x7fffffff];
    [
      [5, 0],
      [5, 4],
      [10, 1022],
      [11, 2051],
    ].forEach(([k, i], j) => (bits(grads[k])[i] = nans[j]));
    bits(grads[11])[0] = 0x7f800000;
    bits(grads[11])[4096] = 0xff800000;
    const [simd, js] = onBoth({ ...c, grads }, (k, at) => k.clampGrads_f32(at.segments, COUNT, 2));
    const expected = map(grads, (x) => (Number.isNaN(x) ? x : Math.min(Math.max(x, -2), 2)));
    [
      [5, 0],
      [5, 4],
      [10, 1022],
      [11, 2051],
    ].forEach(([k, i], j) => (bits(expected[k])[i] = nans[j]));
    expectSameWords(simd.grads, js.grads, 'simd vs js');
    expectSameWords(js.grads, expected, 'js vs reference');
    expect([js.grads[11][0], js.grads[11][4096]]).toEqual([2, -2]);
  });
});

describe('accumulate_f32', () => {
  const c = contents(31, 1);
  const micro = [c.grads, contents(41).grads, contents(51).grads];
  const invK = f(1 / 3);

  it('over 3 micro-batches (first, neither flag, finish): acc = g1, then f32(acc + g2), then g = f32(f32(acc + g3)·invK) with acc left as is; simd and js bit for bit', () => {
    const [simd, js] = onBoth(c, (k, at, s) => {
      k.accumulate_f32(at.segments, at.states[0], COUNT, AccumulateFlag.first, invK);
      const afterFirst = s.read().states[0];
      s.writeGrads(micro[1]);
      k.accumulate_f32(at.segments, at.states[0], COUNT, 0, invK);
      const afterSecond = s.read().states[0];
      s.writeGrads(micro[2]);
      k.accumulate_f32(at.segments, at.states[0], COUNT, AccumulateFlag.finish, invK);
      return { afterFirst, afterSecond };
    });
    const sum12 = map(micro[0], (x, k, i) => f(x + micro[1][k][i]));
    const mean = map(sum12, (x, k, i) => f(f(x + micro[2][k][i]) * invK));
    for (const side of [simd, js]) {
      expectSameWords(side.value.afterFirst, micro[0], 'acc after first');
      expectSameWords(side.value.afterSecond, sum12, 'acc after the second');
      expectSameWords(side.grads, mean, 'g after finish');
      expectSameWords(side.states[0], sum12, 'acc after finish');
    }
  });

  it('first | finish (k = 1): g = f32(g·invK), acc untouched; simd and js bit for bit', () => {
    const [simd, js] = onBoth(c, (k, at) => k.accumulate_f32(at.segments, at.states[0], COUNT, AccumulateFlag.first | AccumulateFlag.finish, 0.5));
    for (const side of [simd, js]) {
      expectSameWords(
        side.grads,
        map(c.grads, (x) => f(x * 0.5)),
        'g',
      );
      expectSameWords(side.states[0], c.states[0], 'acc');
    }
  });

  it('first copies gradients into acc bit for bit, NaN payloads and ±∞ included, in both backends', () => {
    const grads = c.grads.map((a) => a.slice());
    [
      [5, 1, 0x7fc12345],
      [10, 1022, 0xff800001],
      [11, 3, 0x7f800000],
      [11, 4096, 0xffc00000],
    ].forEach(([k, i, w]) => (bits(grads[k])[i] = w));
    const [simd, js] = onBoth({ ...c, grads }, (k, at) => k.accumulate_f32(at.segments, at.states[0], COUNT, AccumulateFlag.first, invK));
    expectSameWords(simd.states[0], grads, 'simd acc');
    expectSameWords(js.states[0], grads, 'js acc');
  });
});

describe('prospectiveNorm_f32', () => {
  const c = contents(71, 1);
  const invK = f(1 / 3);
  const clip = f(2 ** 10);
  const modes: [string, number, number][] = [
    ['g', 0, -1],
    ['the mean (acc + g)·invK', ProspectFlag.finish, AccumulateFlag.finish],
    ['g·invK', ProspectFlag.first | ProspectFlag.finish, AccumulateFlag.first | AccumulateFlag.finish],
  ];
  const withPlanted = (grads: Float32Array[]) => {
    const g = grads.map((a) => a.slice());
    g[9][8] = Infinity;
    g[10][1021] = 3e38;
    return g;
  };

  for (const [what, flags, accumulate] of modes) {
    for (const clamped of [false, true]) {
      it(`of ${what}${clamped ? ', clamped' : ''}: gradNorm_f32 of what accumulate_f32${clamped ? ' and clampGrads_f32' : ''} would leave, bit for bit, for norms 2, 1 and ∞, writing nothing; simd and js agree`, () => {
        for (const grads of [c.grads, withPlanted(c.grads)]) {
          for (const normType of [2, 1, 0]) {
            const all = flags | (clamped ? ProspectFlag.clamp : 0);
            const [simd, js] = onBoth({ ...c, grads }, (k, at) => k.prospectiveNorm_f32(at.segments, at.states[0], COUNT, normType, all, invK, clip));
            const [after] = onBoth({ ...c, grads }, (k, at) => {
              if (accumulate >= 0) k.accumulate_f32(at.segments, at.states[0], COUNT, accumulate, invK);
              if (clamped) k.clampGrads_f32(at.segments, COUNT, clip);
              return k.gradNorm_f32(at.segments, COUNT, normType);
            });
            expect(Object.is(simd.value, js.value), `norm ${normType}: simd ${simd.value}, js ${js.value}`).toBe(true);
            expect(Object.is(simd.value, after.value), `norm ${normType}: ${simd.value} before the passes, ${after.value} after`).toBe(true);
            expectSameWords(simd.grads, grads, 'simd g');
            expectSameWords(js.grads, grads, 'js g');
            expectSameWords(simd.states[0], c.states[0], 'simd acc');
          }
        }
      });
    }
  }

  it('finds a float32 overflow of the mean that no element shows: acc + g = Infinity though both are finite', () => {
    const grads = c.grads.map((a) => a.slice());
    const states = c.states.map((b) => b.map((a) => a.slice()));
    grads[10][5] = FLT_MAX;
    states[0][10][5] = FLT_MAX;
    const [s, j] = onBoth({ ...c, grads, states }, (k, at) => k.prospectiveNorm_f32(at.segments, at.states[0], COUNT, 1, ProspectFlag.finish, invK, 0));
    expect([s.value, j.value]).toEqual([Infinity, Infinity]);
    const [s0, j0] = onBoth({ ...c, grads, states }, (k, at) => k.prospectiveNorm_f32(at.segments, at.states[0], COUNT, 1, 0, invK, 0));
    expect(Number.isFinite(s0.value) && Object.is(s0.value, j0.value)).toBe(true);
  });
});

describe('diagnose_f32', () => {
  const c = contents(61);
  const [prevGrad, prevParams] = [0, 1];

  it('writes Σg², Σg·prev, Σprev² in the documented order, then copies g into prevGrad and the values into prevParams; simd and js bit for bit', () => {
    const [simd, js] = onBoth(c, (k, at) => k.diagnose_f32(at.segments, at.states[prevGrad], at.states[prevParams], COUNT, at.out));
    const g = c.grads,
      prev = c.states[prevGrad];
    const expected = [
      documentedSum((k, i) => g[k][i] * g[k][i]),
      documentedSum((k, i) => g[k][i] * prev[k][i]),
      documentedSum((k, i) => prev[k][i] * prev[k][i]),
    ];
    ['Σg²', 'Σg·prev', 'Σprev²'].forEach((name, j) => expectValue(simd.out[j], js.out[j], expected[j], name));
    for (const side of [simd, js]) {
      expectSameWords(side.states[prevGrad], c.grads, 'prevGrad');
      expectSameWords(side.states[prevParams], c.params, 'prevParams');
      expectSameWords(side.grads, c.grads, 'gradients untouched');
    }
  });

  it('NaN and ±∞ in g or prev: the sums agree between backends (NaN where either has NaN) and the copies keep NaN payloads bit for bit', () => {
    const grads = c.grads.map((a) => a.slice());
    const states = c.states.map((b) => b.map((a) => a.slice()));
    bits(grads[5])[4] = 0x7fc12345;
    bits(grads[11])[9] = 0x7f800000;
    bits(states[prevGrad][10])[1022] = 0xff800000;
    bits(states[prevParams][11])[0] = 0x7fc00042;
    const [simd, js] = onBoth({ ...c, grads, states }, (k, at) => k.diagnose_f32(at.segments, at.states[prevGrad], at.states[prevParams], COUNT, at.out));
    for (let j = 0; j < 3; j++) expect(Object.is(simd.out[j], js.out[j]), `sum ${j}`).toBe(true);
    expect([Number.isNaN(js.out[0]), Number.isNaN(js.out[1]), js.out[2]]).toEqual([true, true, Infinity]);
    for (const side of [simd, js]) expectSameWords(side.states[prevGrad], grads, 'prevGrad');
  });
});

describe('updateNorm_f32', () => {
  const c = contents(71);
  const p = c.params,
    prev = c.states[1];
  const squaredDifference = (k: number, i: number) => (p[k][i] - prev[k][i]) * (p[k][i] - prev[k][i]);

  it('returns Σ(p − prev)², difference and square in f64, in the documented order; simd and js bit for bit, memory untouched', () => {
    const [simd, js] = onBoth(c, (k, at) => k.updateNorm_f32(at.segments, at.states[1], COUNT));
    expectValue(simd.value, js.value, documentedSum(squaredDifference), 'Σ(p − prev)²');
    for (const side of [simd, js]) {
      expectSameWords(side.params, c.params, 'values');
      expectSameWords(side.states[1], c.states[1], 'prevParams');
    }
  });

  it('the difference is not rounded to f32 first: that would give another value on these parameters', () => {
    const roundedFirst = (k: number, i: number) => f(p[k][i] - prev[k][i]) * f(p[k][i] - prev[k][i]);
    expect(documentedSum(roundedFirst)).not.toBe(documentedSum(squaredDifference));
  });
});
