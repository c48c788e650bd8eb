// Parameter averaging (torch.optim.swa_utils, torch 1.13): AveragedParams reproduces every swa and ema
// case of averaging.json bit for bit on both backends; the SIMD kernel and its JS mirror agree with each
// other and with torch's rounding written out here, on every tail length; swapping is an exact exchange;
// the averaged copy survives JSON and binary checkpoints and continues bit for bit; bad input changes
// nothing; memory comes back. SWALR matches every recorded SWALR case, alone and driving SGD's lr.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  AveragedParams,
  SGD,
  createRavine,
  decodeCheckpoint,
  encodeCheckpoint,
  constantLR,
  scheduleFromJSON,
  sequentialLR,
  swaLR,
  type AveragedStateDict,
  type Ravine,
  type Schedule,
  type Tensor,
} from '../src/index.js';
import { bitDifferences, f32, loadReference, rng } from './helpers/cases.js';

interface AverageCase {
  kind: 'swa' | 'ema';
  decay: number | null;
  sizes: number[];
  params: string[][];
  averaged: string[][];
}
interface SWALRCase {
  kind: 'SWALR';
  baseLr: number;
  swaLr: number;
  annealEpochs: number;
  annealStrategy: 'cos' | 'linear';
  lr: number[];
}
const reference = loadReference<{ torch: string; cases: (AverageCase | SWALRCase)[] }>('torch-2.13/averaging.json');
const averageCases = reference.cases.filter((c): c is AverageCase => c.kind === 'swa' || c.kind === 'ema');
const swalrCases = reference.cases.filter((c): c is SWALRCase => c.kind === 'SWALR');

const backends = ['simd', 'js'] as const;
const f = Math.fround;
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const optionsOf = (c: AverageCase) => (c.kind === 'ema' ? { mode: 'ema' as const, decay: c.decay! } : { mode: 'swa' as const });

/** Random sign, magnitudes over 2^±30, some ±0: rounding shows in the last bits. */
function mixed(next: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => {
    const u = next();
    if (u < 0.05) return u < 0.025 ? 0 : -0;
    return (next() < 0.5 ? -1 : 1) * 2 ** (60 * next() - 30) * (1 + next());
  });
}

/** torch's update_parameters written out per element (assembly/average.ts's header), for the kernels to be held to. */
function torchAverage(avg: Float32Array, p: Float32Array, n: number, decay: number | null): void {
  for (let i = 0; i < avg.length; i++) {
    if (n === 0) avg[i] = p[i];
    else if (decay === null) avg[i] = f(avg[i] + f(f(p[i] - avg[i]) / f(n + 1)));
    else {
      // torch 2.13's lerp with a scalar weight w = f32(1 − decay) (get_ema_multi_avg_fn).
      const w = f(1 - decay),
        diff = f(p[i] - avg[i]);
      avg[i] = w < 0.5 ? f(avg[i] + f(w * diff)) : f(p[i] - f(diff * f(1 - w)));
    }
  }
}

/** Everything observable of a context's heap: its bytes up to the high-water mark and the arena's accounting. */
function snapshot(rv: Ravine) {
  const ctx = rv._context;
  return {
    bytes: Buffer.from(new Uint8Array(ctx.backend.buffer, 0, ctx.arena.highWater).slice()),
    highWater: ctx.arena.highWater,
    inUse: ctx.arena.bytesInUse,
  };
}

function expectUnchanged(rv: Ravine, before: ReturnType<typeof snapshot>): void {
  const after = snapshot(rv);
  expect([after.highWater, after.inUse]).toEqual([before.highWater, before.inUse]);
  expect(Buffer.compare(after.bytes, before.bytes)).toBe(0);
}

describe(`torch ${reference.torch} swa_utils, as recorded in averaging.json`, () => {
  test('the data holds one swa and one ema case (decay 0.9), and a cos and a linear SWALR case', () => {
    expect(averageCases.map((c) => `${c.kind} ${c.decay}`)).toEqual(['swa null', 'ema 0.9']);
    expect(swalrCases.map((c) => c.annealStrategy)).toEqual(['cos', 'linear']);
  });

  describe.each(backends)('%s backend', (backend) => {
    for (const c of averageCases) {
      test(`${c.kind}${c.decay === null ? '' : ` decay ${c.decay}`}, sizes ${c.sizes}: the averaged values equal torch's bit for bit after each of ${c.params.length} updates`, async () => {
        const rv = await createRavine({ backend });
        const tensors = c.sizes.map((n, i) => rv.tensor(`p${i}`, n));
        const averaged = new AveragedParams(tensors, optionsOf(c));
        c.params.forEach((step, t) => {
          tensors.forEach((p, i) => p.data.set(f32(step[i])));
          averaged.update();
          expect(averaged.numAveraged).toBe(t + 1);
          tensors.forEach((p, i) => expect(bits(averaged.values(p.name)), `update ${t}, tensor ${i}`).toEqual(bits(f32(c.averaged[t][i]))));
        });
      });

      test(`${c.kind}: built from an SGD optimizer holding the tensors in two groups, it averages them the same`, async () => {
        const rv = await createRavine({ backend });
        const tensors = c.sizes.map((n, i) => rv.tensor(`p${i}`, n));
        const opt = new SGD([{ params: [tensors[0]] }, { params: [tensors[1]], lr: 0.5 }], { lr: 0.1 });
        const averaged = new AveragedParams(opt, optionsOf(c));
        expect(averaged.tensors).toEqual(tensors);
        c.params.forEach((step) => {
          tensors.forEach((p, i) => p.data.set(f32(step[i])));
          averaged.update();
        });
        const last = c.averaged[c.averaged.length - 1];
        tensors.forEach((p, i) => expect(bits(averaged.values(p))).toEqual(bits(f32(last[i]))));
      });
    }
  });
});

describe('the average kernels: SIMD and JS', () => {
  const LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1023, 4097];

  for (const options of [{ mode: 'swa' as const }, { mode: 'ema' as const, decay: 0.999 }, { mode: 'ema' as const, decay: 0.3 }]) {
    test(`${JSON.stringify(options)} on tensors of lengths ${LENGTHS.join(', ')}: both backends leave torch's bits after 40 updates`, async () => {
      const runs = await Promise.all(
        backends.map(async (backend) => {
          const rv = await createRavine({ backend });
          const tensors = LENGTHS.map((n, k) => rv.tensor(`t${k}`, n));
          return { tensors, averaged: new AveragedParams(tensors, options) };
        }),
      );
      const want = LENGTHS.map((n) => new Float32Array(n));
      const next = rng(7);
      for (let t = 0; t < 40; t++) {
        const live = LENGTHS.map((n) => mixed(next, n));
        for (const { tensors, averaged } of runs) {
          tensors.forEach((p, k) => p.data.set(live[k]));
          averaged.update();
        }
        live.forEach((p, k) => torchAverage(want[k], p, t, options.mode === 'ema' ? options.decay : null));
      }
      for (const { tensors, averaged } of runs) {
        tensors.forEach((p, k) => expect(bitDifferences(averaged.values(p), want[k]), `length ${LENGTHS[k]}`).toEqual([]));
      }
    });
  }

  test('the release build vectorises average_f32 (f32x4 sub, div, mul, add) and swapAveraged_f32 (v128 loads and stores)', () => {
    const wat = readFileSync(new URL('../build/ravine.wat', import.meta.url), 'utf8');
    const body = (name: string) => {
      const start = wat.indexOf(`\n (func $assembly/average/${name} `);
      expect(start).toBeGreaterThan(0);
      const end = wat.indexOf('\n (func ', start + 1);
      return wat.slice(start, end < 0 ? undefined : end);
    };
    for (const op of ['f32x4.sub', 'f32x4.div', 'f32x4.mul', 'f32x4.add', 'v128.load', 'v128.store']) expect(body('average_f32')).toContain(op);
    expect(body('average_f32')).not.toMatch(/relaxed|fma/);
    expect(body('swapAveraged_f32')).toMatch(/v128\.load[\s\S]*v128\.store/);
  });
});

describe.each(backends)('%s backend: swapping', (backend) => {
  /** Special bits on purpose: a signalling-NaN payload, −0, ±Infinity, a subnormal. */
  const special = Uint32Array.of(0x7fa00001, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x3f800000, 0xbf000000);

  test('swap puts the averaged values into the tensors and a second swap puts the live ones back, every bit (NaN payloads too)', async () => {
    const rv = await createRavine({ backend });
    const a = rv.tensor('a', 7),
      b = rv.tensor('b', 5);
    const averaged = new AveragedParams([a, b]);
    a.data.set(new Float32Array(special.buffer.slice(0)));
    b.data.set([1, 2, 3, 4, 5]);
    averaged.update();
    a.data.set([9, 8, 7, 6, 5, 4, 3]);
    b.data.set(new Float32Array(special.buffer.slice(0, 20)));
    const liveA = bits(a.data.slice()),
      liveB = bits(b.data.slice());
    const avgA = bits(averaged.values('a')),
      avgB = bits(averaged.values('b'));
    expect(avgA).toEqual(Array.from(special));
    averaged.swap();
    expect(averaged.swapped).toBe(true);
    expect(bits(a.data)).toEqual(avgA);
    expect(bits(b.data)).toEqual(avgB);
    expect(bits(averaged.values(a))).toEqual(avgA); // values() follows the averaged copy wherever it is
    averaged.swap();
    expect(averaged.swapped).toBe(false);
    expect(bits(a.data)).toEqual(liveA);
    expect(bits(b.data)).toEqual(liveB);
    expect(bits(averaged.values('a'))).toEqual(avgA);
  });

  test('SGD with an EMA copy: evaluating the average between steps (swap, read, swap back) leaves training and the average bit for bit as without it', async () => {
    const run = async (evaluate: boolean) => {
      const rv = await createRavine({ backend });
      const w = rv.tensor(
        'w',
        Float32Array.from({ length: 13 }, (_, i) => Math.sin(i)),
      );
      const opt = new SGD([w], { lr: swaLR({ base: 0.1, swaLr: 0.01, annealEpochs: 4 }), momentum: 0.9 });
      const averaged = new AveragedParams(opt, { mode: 'ema', decay: 0.75 });
      const seen: number[][] = [];
      for (let t = 0; t < 12; t++) {
        w.grad.set(Float32Array.from({ length: 13 }, (_, i) => Math.cos(i * t + 1)));
        opt.step();
        averaged.update();
        if (evaluate) {
          averaged.swap();
          seen.push(bits(w.data.slice()));
          averaged.swap();
        }
      }
      return { w: bits(w.data.slice()), avg: bits(averaged.values(w)), seen, final: averaged.values(w) };
    };
    const plain = await run(false),
      evaluated = await run(true);
    expect(evaluated.w).toEqual(plain.w);
    expect(evaluated.avg).toEqual(plain.avg);
    expect(evaluated.seen[11]).toEqual(bits(plain.final));
  });

  test("adopted tensors: swap writes the averaged values into the user's own arrays, and back", async () => {
    const rv = await createRavine({ backend });
    const mine = Float32Array.of(1, 2, 3);
    const p = rv.adopt('p', mine);
    const averaged = new AveragedParams([p]);
    averaged.update();
    mine.set([3, 4, 5]);
    averaged.update();
    expect(Array.from(averaged.values('p'))).toEqual([2, 3, 4]);
    averaged.swap();
    expect(Array.from(mine)).toEqual([2, 3, 4]);
    averaged.swap();
    expect(Array.from(mine)).toEqual([3, 4, 5]);
  });

  test('update and loadStateDict refuse while swapped, changing nothing; stateDict saves the averaged values all the same', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2, 3]);
    const averaged = new AveragedParams([w]);
    averaged.update();
    w.data.set([5, 6, 7]);
    averaged.update();
    const saved = averaged.stateDict();
    averaged.swap();
    expect(() => averaged.update()).toThrow(/^AveragedParams\.update: the averaged values are swapped into the tensors; swap\(\) back first/);
    expect(() => averaged.loadStateDict(saved)).toThrow(/^AveragedParams\.loadStateDict: the averaged values are swapped/);
    expect(averaged.numAveraged).toBe(2);
    expect(Array.from(w.data)).toEqual([3, 4, 5]);
    expect(bits(averaged.stateDict().averaged.w)).toEqual(bits(saved.averaged.w));
    averaged.swap();
    expect(Array.from(w.data)).toEqual([5, 6, 7]);
  });
});

describe.each(backends)('%s backend: checkpoints', (backend) => {
  const SIZES = [3, 41];

  /** Feeds `count` updates of seeded values starting at update `from`. */
  function feed(tensors: Tensor[], averaged: AveragedParams, from: number, count: number): void {
    for (let t = from; t < from + count; t++) {
      const next = rng(1000 + t);
      tensors.forEach((p) => p.data.set(mixed(next, p.size)));
      averaged.update();
    }
  }

  const forms: [string, (d: AveragedStateDict) => AveragedStateDict][] = [
    ['the dict itself', (d) => d],
    ['JSON', (d) => JSON.parse(JSON.stringify(d)) as AveragedStateDict],
    ['a binary checkpoint', (d) => decodeCheckpoint(encodeCheckpoint(d)) as unknown as AveragedStateDict],
  ];

  for (const options of [{ mode: 'swa' as const }, { mode: 'ema' as const, decay: 0.9 }]) {
    for (const [form, through] of forms) {
      test(`${options.mode}: saved after 5 updates, loaded through ${form} into a fresh copy, it continues bit for bit for 7 more`, async () => {
        const make = async () => {
          const rv = await createRavine({ backend });
          const tensors = SIZES.map((n, i) => rv.tensor(`p${i}`, n));
          return { tensors, averaged: new AveragedParams(tensors, options) };
        };
        const a = await make(),
          b = await make();
        feed(a.tensors, a.averaged, 0, 5);
        b.averaged.loadStateDict(through(a.averaged.stateDict()));
        expect(b.averaged.numAveraged).toBe(5);
        feed(a.tensors, a.averaged, 5, 7);
        feed(b.tensors, b.averaged, 5, 7);
        a.tensors.forEach((p) => expect(bits(b.averaged.values(p.name))).toEqual(bits(a.averaged.values(p.name))));
        expect(b.averaged.numAveraged).toBe(12);
      });
    }
  }

  test('the dict names its format, mode and count, and keys the averaged values by tensor name', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const averaged = new AveragedParams([w], { mode: 'ema', decay: 0.5 });
    averaged.update();
    const dict = averaged.stateDict();
    expect({ ...dict, averaged: Object.keys(dict.averaged) }).toEqual({
      format: 'ravine/averaged',
      version: 1,
      mode: 'ema',
      decay: 0.5,
      numAveraged: 1,
      averaged: ['w'],
    });
    expect(JSON.parse(JSON.stringify(dict)).averaged.w).toEqual({ float32: Buffer.from(Float32Array.of(1, 2).buffer).toString('base64') });
  });
});

describe.each(backends)('%s backend: refusals change nothing', (backend) => {
  test('bad constructor arguments throw TypeError or RangeError naming them, allocating nothing', async () => {
    const rv = await createRavine({ backend });
    const other = await createRavine({ backend });
    const w = rv.tensor('w', 3),
      v = rv.tensor('v', 2),
      x = other.tensor('x', 2);
    const gone = rv.tensor('gone', 2);
    gone.dispose();
    const disposedOpt = new SGD([rv.tensor('s', 1)], { lr: 0.1 });
    disposedOpt.dispose();
    const before = snapshot(rv);
    const bad: [unknown, unknown, ErrorConstructor, RegExp][] = [
      [[w], 'swa', TypeError, /^AveragedParams: options must be \{ mode: 'swa' \} or \{ mode: 'ema', decay \}, got "swa"$/],
      [[w], { mode: 'swa', lr: 1 }, TypeError, /^AveragedParams: unknown option "lr" \(options are mode, decay\)$/],
      [[w], { mode: 3 }, TypeError, /^AveragedParams: option mode must be 'swa' or 'ema', got 3$/],
      [[w], { mode: 'swag' }, RangeError, /^AveragedParams: invalid mode = "swag": must be one of 'swa', 'ema'$/],
      [[w], { mode: 'ema' }, TypeError, /^AveragedParams: option decay must be a number in \[0, 1\] \(mode 'ema' needs it\), got undefined$/],
      [[w], { mode: 'ema', decay: '0.9' }, TypeError, /option decay must be a number/],
      [[w], { mode: 'ema', decay: 1.5 }, RangeError, /^AveragedParams: invalid decay = 1\.5: must be in \[0, 1\]$/],
      [[w], { mode: 'ema', decay: NaN }, RangeError, /invalid decay = NaN/],
      [[w], { mode: 'swa', decay: 0.9 }, TypeError, /^AveragedParams: option decay is for mode 'ema'/],
      [w, undefined, TypeError, /^AveragedParams: params must be an array of tensors or an optimizer, got Object$/],
      [[], undefined, RangeError, /^AveragedParams: params is empty/],
      [[w, 'v'], undefined, TypeError, /^AveragedParams: params\[1\] must be a tensor made by a Ravine context, got "v"$/],
      [[w, w], undefined, TypeError, /^AveragedParams: tensor 'w' appears more than once$/],
      [[w, gone], undefined, TypeError, /^AveragedParams: tensor 'gone' has been disposed$/],
      [[v, x], undefined, TypeError, /^AveragedParams: tensor 'x' belongs to another Ravine context$/],
      [disposedOpt, undefined, TypeError, /^AveragedParams: the optimizer has been disposed$/],
    ];
    for (const [params, options, type, message] of bad) {
      expect(() => new AveragedParams(params as Tensor[], options as never)).toThrow(type);
      expect(() => new AveragedParams(params as Tensor[], options as never)).toThrow(message);
    }
    expectUnchanged(rv, before);
  });

  test('a copy that does not fit: RangeError saying out of memory, the arena and heap as before', async () => {
    const rv = await createRavine({ backend, maxBytes: 1 << 20 });
    const big = rv.tensor('big', 100_000); // 800 KB with its gradient: another 400 KB cannot fit
    const before = snapshot(rv);
    expect(() => new AveragedParams([big])).toThrow(/^ravine: out of memory: AveragedParams state 'averaged' needs 400000 bytes/);
    expectUnchanged(rv, before);
  });

  test('every corrupt or mismatched state dict is refused, and the copy keeps its values and count', async () => {
    const rv = await createRavine({ backend });
    const a = rv.tensor('a', [1, 2, 3]),
      b = rv.tensor('b', [4]);
    const averaged = new AveragedParams([a, b], { mode: 'ema', decay: 0.9 });
    averaged.update();
    a.data.set([7, 8, 9]);
    averaged.update();
    const good = JSON.parse(JSON.stringify(averaged.stateDict())) as Record<string, unknown>;
    const with_ = (patch: Record<string, unknown>) => ({ ...good, ...patch });
    const averagedWith = (patch: Record<string, unknown>) => with_({ averaged: { ...(good.averaged as object), ...patch } });
    const bad: [unknown, ErrorConstructor, RegExp][] = [
      [null, TypeError, /not a ravine averaged-parameters state dict/],
      [with_({ format: 'ravine/optimizer' }), TypeError, /not a ravine averaged-parameters state dict \(format 'ravine\/averaged'\)$/],
      [with_({ version: 2 }), TypeError, /state dict version 2 is not one this ravine reads \(1\)$/],
      [with_({ extra: 1 }), TypeError, /unknown key "extra"/],
      [with_({ mode: 'swa', decay: null }), TypeError, /state dict averages with mode "swa", this AveragedParams with 'ema'$/],
      [with_({ decay: 0.99 }), RangeError, /state dict has decay 0\.99, this AveragedParams 0\.9$/],
      [with_({ numAveraged: -1 }), RangeError, /invalid numAveraged = -1: must be an integer >= 0$/],
      [with_({ numAveraged: 1.5 }), RangeError, /invalid numAveraged = 1\.5/],
      [with_({ numAveraged: '2' }), TypeError, /numAveraged must be a number, got "2"$/],
      [with_({ averaged: [] }), TypeError, /averaged must be an object keyed by tensor name/],
      [with_({ averaged: { a: (good.averaged as Record<string, unknown>).a } }), TypeError, /averaged values for tensor 'b' are missing$/],
      [averagedWith({ c: [1] }), RangeError, /averaged values for tensor "c", which this AveragedParams does not hold$/],
      [averagedWith({ a: [1, 2] }), RangeError, /averaged 'a' must hold 3 floats, got 2$/],
      [averagedWith({ a: [1, 'x', 3] }), TypeError, /averaged 'a'\[1\] must be a number, got "x"$/],
      [averagedWith({ a: { float32: '!!' } }), TypeError, /averaged 'a' is \{ float32 \} but not base64$/],
      [averagedWith({ b: null }), TypeError, /averaged 'b' must be a Float32Array, an array of numbers or \{ float32: base64 \}, got null$/],
    ];
    const values = [bits(averaged.values('a')), bits(averaged.values('b'))];
    const before = snapshot(rv);
    for (const [dict, type, message] of bad) {
      expect(() => averaged.loadStateDict(dict as AveragedStateDict)).toThrow(type);
      expect(() => averaged.loadStateDict(dict as AveragedStateDict)).toThrow(message);
    }
    expectUnchanged(rv, before);
    expect(averaged.numAveraged).toBe(2);
    expect([bits(averaged.values('a')), bits(averaged.values('b'))]).toEqual(values);
    averaged.loadStateDict(good as unknown as AveragedStateDict); // the good one still loads
    expect(averaged.numAveraged).toBe(2);
  });

  test('values() of something that is neither a tensor nor a name is a TypeError', async () => {
    const rv = await createRavine({ backend });
    const averaged = new AveragedParams([rv.tensor('a', 2)]);
    expect(() => averaged.values(5 as never)).toThrow(/^AveragedParams\.values: tensor must be a tensor or a tensor's name, got 5$/);
  });

  test('values() of a tensor it does not hold is a RangeError naming the ones it does', async () => {
    const rv = await createRavine({ backend });
    const averaged = new AveragedParams([rv.tensor('a', 1), rv.tensor('b', 1)]);
    expect(() => averaged.values('c')).toThrow(/^AveragedParams\.values: "c" is not one of the averaged tensors \('a', 'b'\)$/);
    expect(() => averaged.values(rv.tensor('d', 1))).toThrow(/^AveragedParams\.values: tensor 'd' is not one/);
  });

  test('a tensor disposed under the copy makes each method throw, naming it, before any kernel runs', async () => {
    const rv = await createRavine({ backend });
    const a = rv.tensor('a', [1, 2]),
      b = rv.tensor('b', [3]);
    const averaged = new AveragedParams([a, b]);
    b.dispose();
    rv.tensor('c', [99]); // may take b's memory: nothing must write there
    for (const call of [() => averaged.update(), () => averaged.swap(), () => averaged.values('a'), () => averaged.stateDict()]) {
      expect(call).toThrow(/tensor 'b' has been disposed \(dispose the AveragedParams before its tensors\)$/);
    }
    expect(averaged.numAveraged).toBe(0);
    expect(Array.from(a.data)).toEqual([1, 2]);
  });
});

describe.each(backends)('%s backend: memory', (backend) => {
  test('dispose gives back every byte the copy took; methods then throw; dispose twice is harmless', async () => {
    const rv = await createRavine({ backend });
    const tensors = [rv.tensor('a', 5), rv.tensor('b', 1023)];
    const inUse = rv._context.arena.bytesInUse;
    const averaged = new AveragedParams(tensors, { mode: 'ema', decay: 0.5 });
    expect(rv._context.arena.bytesInUse).toBeGreaterThan(inUse + 4 * 1028);
    averaged.update();
    averaged.dispose();
    expect(rv._context.arena.bytesInUse).toBe(inUse);
    expect(averaged.disposed).toBe(true);
    averaged.dispose();
    for (const call of [() => averaged.update(), () => averaged.swap(), () => averaged.values('a'), () => averaged.stateDict()]) {
      expect(call).toThrow(/has been disposed$/);
    }
  });

  test('dispose while swapped puts the live values back first; a tensor disposed meanwhile is left alone', async () => {
    const rv = await createRavine({ backend });
    const a = rv.tensor('a', [1, 2, 3]),
      b = rv.tensor('b', [4, 5]);
    const averaged = new AveragedParams([a, b]);
    averaged.update();
    a.data.set([3, 4, 5]);
    averaged.update();
    averaged.swap();
    expect(Array.from(a.data)).toEqual([2, 3, 4]);
    b.dispose();
    const c = rv.tensor('c', [7, 7]); // may sit where b was
    averaged.dispose();
    expect(Array.from(a.data)).toEqual([3, 4, 5]);
    expect(Array.from(c.data)).toEqual([7, 7]);
  });

  test('dispose while swapped with an adopted tensor whose array was transferred: the others get their live values back and every byte is freed', async () => {
    const rv = await createRavine({ backend });
    const arena = rv._context.arena;
    const before = arena.bytesInUse;
    const mine = new Float32Array([1, 2]);
    const p = rv.adopt('p', mine),
      q = rv.tensor('q', [10, 20]);
    const averaged = new AveragedParams([p, q]);
    averaged.update();
    q.data.set([30, 40]);
    averaged.update();
    averaged.swap();
    expect(Array.from(q.data)).toEqual([20, 30]);
    structuredClone(mine.buffer, { transfer: [mine.buffer] });
    averaged.dispose();
    expect(Array.from(q.data)).toEqual([30, 40]);
    expect(averaged.disposed).toBe(true);
    p.dispose();
    q.dispose();
    expect(arena.bytesInUse).toBe(before);
  });

  test('an adopted tensor whose array was transferred is refused before anything is allocated', async () => {
    const rv = await createRavine({ backend });
    const mine = new Float32Array([1, 2]);
    const p = rv.adopt('p', mine);
    structuredClone(mine.buffer, { transfer: [mine.buffer] });
    const used = rv._context.arena.bytesInUse;
    expect(() => new AveragedParams([p])).toThrow(/adopted tensor 'p' has lost its data array \(length 0, expected 2: was its buffer transferred\?\)/);
    expect(rv._context.arena.bytesInUse).toBe(used);
  });

  test('methods after the context is disposed throw, and dispose does not', async () => {
    const rv = await createRavine({ backend });
    const averaged = new AveragedParams([rv.tensor('a', 2)]);
    rv.dispose();
    expect(() => averaged.update()).toThrow(/^AveragedParams\.update: its Ravine context has been disposed$/);
    expect(() => averaged.dispose()).not.toThrow();
  });
});

describe('swaLR: torch 1.13 SWALR', () => {
  /** The values in effect at steps 0..steps. */
  const run = (s: Schedule, steps: number) => [s.value, ...Array.from({ length: steps }, () => s.step())];
  const maxRel = (ours: number[], want: number[]) => Math.max(...want.map((w, i) => (ours[i] === w ? 0 : Math.abs(ours[i] - w) / Math.abs(w))));
  const make = (c: SWALRCase) => swaLR({ base: c.baseLr, swaLr: c.swaLr, annealEpochs: c.annealEpochs, annealStrategy: c.annealStrategy });

  for (const c of swalrCases) {
    test(`${c.annealStrategy}, ${c.annealEpochs} anneal epochs, ${c.baseLr} → ${c.swaLr}: lr[t] equals torch's at all ${c.lr.length} steps (bit for bit)`, () => {
      const ours = run(make(c), c.lr.length - 1);
      expect(maxRel(ours, c.lr)).toBeLessThanOrEqual(1e-12);
      expect(ours).toEqual(c.lr);
    });

    test.each(backends)(`${c.annealStrategy} as SGD's lr on %s: paramGroups[0].lr is torch's at every step, then swaLr`, async (backend) => {
      const rv = await createRavine({ backend });
      const w = rv.tensor('w', [1, 2, 3]);
      const opt = new SGD([w], { lr: make(c) });
      const lrs = [opt.paramGroups[0].lr];
      for (let t = 1; t < c.lr.length; t++) {
        w.grad.set([0.1 * t, -0.2, 0.3]);
        opt.step();
        lrs.push(opt.paramGroups[0].lr);
      }
      expect(lrs).toEqual(c.lr);
    });

    test(`${c.annealStrategy}: toJSON at step 3, rebuilt by scheduleFromJSON, continues with the same values`, () => {
      const s = make(c);
      run(s, 3);
      const copy = scheduleFromJSON(JSON.parse(JSON.stringify(s))) as Schedule;
      expect(copy.toJSON()).toEqual(s.toJSON());
      expect(run(copy, 8).slice(1)).toEqual(run(s, 8).slice(1));
    });
  }

  test("defaults are torch's (10 anneal epochs, cos); annealEpochs 0 holds swaLr from the start", () => {
    expect(swaLR({ base: 1, swaLr: 0.5 }).toJSON().options).toEqual({ base: 1, swaLr: 0.5, annealEpochs: 10, annealStrategy: 'cos' });
    expect(run(swaLR({ base: 1, swaLr: 0.5, annealEpochs: 0 }), 3)).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  test("chainable as torch's: a value changed by hand between steps is annealed from (torch reads group['lr'])", () => {
    const s = swaLR({ base: 1, swaLr: 0, annealEpochs: 4, annealStrategy: 'linear' });
    s.step();
    // Step 2 recovers the value before the anneal from the current one: (0.5 − 0.25·0)/(1 − 0.25) = 2/3, then 2/3·(1 − 0.5).
    expect(s.step(0.5)).toBe(((0.5 - 0.25 * 0) / (1 - 0.25)) * (1 - 0.5));
  });

  test("in a sequentialLR, SWALR counts on from its own construction step as torch's _step_count does: 1, 2, ... after the milestone", () => {
    const seq = sequentialLR({
      schedulers: [constantLR({ base: 0.1, factor: 0.5, totalIters: 10 }), swaLR({ base: 0.1, swaLr: 0.01, annealEpochs: 4, annealStrategy: 'linear' })],
      milestones: [2],
    });
    const values = run(seq, 5);
    // At the milestone (step 2) torch's step(0) gives get_lr() at _step_count − 1 = 1, from the value constantLR left (0.05).
    const at = (s: number, from: number) => 0.01 * (s / 4) + ((from - ((s - 1) / 4) * 0.01) / (1 - (s - 1) / 4)) * (1 - s / 4);
    expect(values.slice(0, 2)).toEqual([0.05, 0.05]);
    expect(values[2]).toBe(at(1, 0.05));
    expect(values[3]).toBe(at(2, values[2]));
    expect(values[4]).toBe(at(3, values[3]));
    const copy = scheduleFromJSON(JSON.parse(JSON.stringify(seq))) as Schedule;
    expect(run(copy, 3).slice(1)).toEqual(run(seq, 3).slice(1));
  });

  test('bad options are refused, naming them', () => {
    expect(() => swaLR({ base: 0.1 } as never)).toThrow(/^swaLR: option swaLr must be a number, got undefined$/);
    expect(() => swaLR({ base: 0.1, swaLr: Infinity })).toThrow(RangeError);
    expect(() => swaLR({ base: 0.1, swaLr: 0.01, annealEpochs: 2.5 })).toThrow(/^swaLR: invalid annealEpochs = 2\.5: must be an integer >= 0$/);
    expect(() => swaLR({ base: 0.1, swaLr: 0.01, annealEpochs: -1 })).toThrow(RangeError);
    expect(() => swaLR({ base: 0.1, swaLr: 0.01, annealStrategy: 'exp' as never })).toThrow(
      /^swaLR: invalid annealStrategy = "exp": must be one of 'cos', 'linear'$/,
    );
    expect(() => swaLR({ base: 0.1, swaLr: 0.01, anneal_epochs: 3 } as never)).toThrow(/^swaLR: unknown option "anneal_epochs"/);
    expect(() => scheduleFromJSON({ kind: 'swaLR', options: { base: 0.1, swaLr: 0.01 }, t: 1, value: 0.1, state: { ahead: -1 } })).toThrow(RangeError);
  });
});
