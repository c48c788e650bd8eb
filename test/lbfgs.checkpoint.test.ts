// An LBFGS checkpoint resumes bit for bit. Rosenbrock in 15 dimensions, spread over three tensors of
// odd sizes (a: 5, b: 3, c: 7); historySize 3 and maxIter 4, so the history fills and evicts before the
// save. Run 6 steps, save the state dict (as it is, through structuredClone, through JSON), copy the
// parameters, load both into a fresh LBFGS over fresh tensors of the same names (built with other
// options: the dict's options win), on the same backend or the other one: the next 6 steps' losses,
// parameters and state are those of an uninterrupted 12-step run, bit for bit. A dict that is wrong in
// any one place is refused with a TypeError/RangeError naming the key and the value, and the optimizer
// it was offered to steps on exactly as an untouched one does.
import { describe, expect, it } from 'vitest';
import { createRavine, LBFGS, surfaces, type LBFGSOptions, type LBFGSStateDict, type Ravine, type Tensor } from '../src/index.js';
import { MAX_HISTORY } from '../src/optim/lbfgsOptions.js';
import type { ParamIO } from '../src/optim/lbfgs.js';

const backends = ['simd', 'js'] as const;
type Backend = (typeof backends)[number];
const SIZES: Readonly<Record<string, number>> = { a: 5, b: 3, c: 7 };
const BEFORE = 6,
  AFTER = 6;
const OPTIONS: Partial<LBFGSOptions> = { lr: 0.5, maxIter: 4, historySize: 3 };
const lineSearches = [null, 'strongWolfe'] as const;

interface Job {
  opt: LBFGS;
  tensors: Tensor[];
  closure: () => number;
}

/** An LBFGS over tensors named and sized as `sizes`, and the closure of Rosenbrock over their concatenation. */
function build(rv: Ravine, options: Partial<LBFGSOptions>, sizes = SIZES, start?: Float64Array): Job {
  const n = Object.values(sizes).reduce((sum, size) => sum + size, 0);
  const surface = surfaces.rosenbrock(n);
  const x0 = start ?? surface.start;
  let at = 0;
  const tensors = Object.entries(sizes).map(([name, size]) => rv.tensor(name, x0.subarray(at, (at += size))));
  const x = new Float64Array(n),
    g = new Float64Array(n);
  const closure = () => {
    let from = 0;
    for (const t of tensors) x.set(t.data, from), (from += t.size);
    surface.grad(x, g);
    from = 0;
    for (const t of tensors) t.grad.set(g.subarray(from, from + t.size)), (from += t.size);
    return surface.f(x);
  };
  return { opt: new LBFGS(tensors, options), tensors, closure };
}

/** The losses `step` returns over `steps` steps. */
function run(job: Job, steps: number): number[] {
  return Array.from({ length: steps }, () => job.opt.step(job.closure));
}

const params = (job: Job) => Float32Array.from(job.tensors.flatMap((t) => Array.from(t.data)));
const bits32 = (values: Float32Array) => Array.from(new Uint32Array(values.buffer));
const bits64 = (values: number[]) => Array.from(new Uint32Array(Float64Array.from(values).buffer));
/** The state dict as JSON writes it: every vector and every special double as its bytes. */
const stateText = (opt: LBFGS) => JSON.stringify(opt.stateDict());

/** A fresh LBFGS (default options) over fresh tensors of the same names, the parameters copied, the dict loaded. */
function resume(from: Job, rv: Ravine, dict: LBFGSStateDict): Job {
  const job = build(rv, {});
  job.tensors.forEach((t, k) => t.data.set(from.tensors[k].data));
  job.opt.loadStateDict(dict);
  return job;
}

const transports: Record<string, (dict: LBFGSStateDict) => LBFGSStateDict> = {
  'the dict itself': (dict) => dict,
  structuredClone: (dict) => structuredClone(dict),
  'JSON.parse(JSON.stringify(dict))': (dict) => JSON.parse(JSON.stringify(dict)),
};

describe('LBFGS checkpoint: a saved run resumes bit for bit', () => {
  for (const lineSearchFn of lineSearches) {
    for (const from of backends) {
      for (const to of backends) {
        for (const [transport, carry] of Object.entries(transports)) {
          it(`lineSearchFn ${lineSearchFn}, saved on ${from} and loaded on ${to} via ${transport}: steps ${BEFORE + 1}-${BEFORE + AFTER} match an uninterrupted run (losses, parameters, state)`, async () => {
            const rvFrom = await createRavine({ backend: from }),
              rvTo = await createRavine({ backend: to });
            const uninterrupted = build(rvFrom, { ...OPTIONS, lineSearchFn });
            run(uninterrupted, BEFORE);
            const saved = uninterrupted.opt.stateDict();
            expect(saved.lbfgs!.ro.length, 'the history is full').toBe(OPTIONS.historySize);
            expect(saved.lbfgs!.nIter, 'and has evicted pairs').toBeGreaterThan(OPTIONS.historySize! + 1);

            const resumed = resume(uninterrupted, rvTo, carry(saved));
            expect(resumed.opt.paramGroups[0]).toMatchObject({ ...OPTIONS, lineSearchFn });
            expect(stateText(resumed.opt)).toBe(stateText(uninterrupted.opt));
            const losses = { uninterrupted: run(uninterrupted, AFTER), resumed: run(resumed, AFTER) };
            expect(losses.uninterrupted.every(Number.isFinite)).toBe(true);
            expect(bits64(losses.resumed)).toEqual(bits64(losses.uninterrupted));
            expect(bits32(params(resumed))).toEqual(bits32(params(uninterrupted)));
            expect(stateText(resumed.opt)).toBe(stateText(uninterrupted.opt));
            expect([resumed.opt.funcEvals, resumed.opt.nIter]).toEqual([uninterrupted.opt.funcEvals, uninterrupted.opt.nIter]);
            rvFrom.dispose();
            rvTo.dispose();
          });
        }
      }
    }
  }
});

describe.each(backends)('%s: LBFGS checkpoint edge cases', (backend) => {
  it('a never-stepped LBFGS saves empty state (lbfgs null, state {}) with its options, and loads into another that then steps as it would', async () => {
    const rv = await createRavine({ backend });
    const fresh = build(rv, { ...OPTIONS, lineSearchFn: 'strongWolfe' });
    const dict = fresh.opt.stateDict();
    expect(dict).toEqual({
      format: 'ravine/optimizer',
      version: 1,
      optimizer: 'LBFGS',
      paramGroups: [
        {
          lr: 0.5,
          maxIter: 4,
          maxEval: null,
          toleranceGrad: 1e-7,
          toleranceChange: 1e-9,
          historySize: 3,
          lineSearchFn: 'strongWolfe',
          params: ['a', 'b', 'c'],
        },
      ],
      state: {},
      lbfgs: null,
    });
    const loaded = resume(fresh, await createRavine({ backend }), JSON.parse(JSON.stringify(dict)));
    expect(JSON.stringify(loaded.opt.stateDict())).toBe(JSON.stringify(dict));
    expect(bits64(run(loaded, 8))).toEqual(bits64(run(fresh, 8)));
    expect(bits32(params(loaded))).toEqual(bits32(params(fresh)));
  });

  it("loading a never-stepped dict into a stepped LBFGS starts it over: its next steps are a fresh optimizer's", async () => {
    const rv = await createRavine({ backend });
    const stepped = build(rv, OPTIONS);
    run(stepped, BEFORE);
    const fresh = build(await createRavine({ backend }), OPTIONS);
    fresh.tensors.forEach((t, k) => t.data.set(stepped.tensors[k].data));
    stepped.opt.loadStateDict(fresh.opt.stateDict());
    expect(stepped.opt.funcEvals).toBe(0);
    expect(bits64(run(stepped, AFTER))).toEqual(bits64(run(fresh, AFTER)));
    expect(bits32(params(stepped))).toEqual(bits32(params(fresh)));
  });

  it('a history longer than historySize (saved after historySize was lowered) loads into an LBFGS with a smaller pool and resumes bit for bit', async () => {
    const rv = await createRavine({ backend });
    const uninterrupted = build(rv, { ...OPTIONS, historySize: 5 });
    run(uninterrupted, BEFORE);
    uninterrupted.opt.paramGroups[0].historySize = 2;
    const saved = uninterrupted.opt.stateDict();
    expect(saved.lbfgs!.ro.length).toBe(5);
    const rv2 = await createRavine({ backend });
    const resumed = build(rv2, { historySize: 1 });
    resumed.tensors.forEach((t, k) => t.data.set(uninterrupted.tensors[k].data));
    resumed.opt.loadStateDict(JSON.parse(JSON.stringify(saved)));
    expect(bits64(run(resumed, AFTER))).toEqual(bits64(run(uninterrupted, AFTER)));
    expect(bits32(params(resumed))).toEqual(bits32(params(uninterrupted)));
    expect(uninterrupted.opt.stateDict().lbfgs!.ro.length).toBe(2);
    expect(stateText(resumed.opt)).toBe(stateText(uninterrupted.opt));
  });

  it('t, hDiag and prevLoss that JSON has no number for (NaN, Infinity, −0) are written as one { float64 } each and read back bit for bit', async () => {
    const rv = await createRavine({ backend });
    // Started at the minimum, the first gradient is 0: the step stops at once, with prevLoss NaN as torch leaves it.
    const atMinimum = build(rv, OPTIONS, SIZES, new Float64Array(15).fill(1));
    run(atMinimum, 1);
    expect(atMinimum.opt.stateDict().lbfgs).toEqual({ funcEvals: 1, nIter: 0, t: 0, hDiag: 1, prevLoss: NaN, ro: [] });

    const job = build(await createRavine({ backend }), OPTIONS);
    run(job, BEFORE);
    const dict = job.opt.stateDict();
    job.opt.loadStateDict({ ...dict, lbfgs: { ...dict.lbfgs!, t: -0, hDiag: Infinity, prevLoss: -Infinity } });
    const json = JSON.parse(JSON.stringify(job.opt.stateDict()));
    expect(json.lbfgs.t).toEqual({ float64: Buffer.from(Float64Array.of(-0).buffer).toString('base64') });
    expect(Object.keys(json.lbfgs.hDiag)).toEqual(['float64']);
    expect(typeof json.lbfgs.nIter).toBe('number');
    const resumed = resume(job, await createRavine({ backend }), json);
    const lbfgs = resumed.opt.stateDict().lbfgs!;
    expect([Object.is(lbfgs.t, -0), lbfgs.hDiag, lbfgs.prevLoss]).toEqual([true, Infinity, -Infinity]);
    expect(bits64(run(resumed, AFTER))).toEqual(bits64(run(job, AFTER)));
    expect(bits32(params(resumed))).toEqual(bits32(params(job)));

    const json0 = JSON.parse(JSON.stringify(atMinimum.opt.stateDict()));
    const reloaded = resume(atMinimum, await createRavine({ backend }), json0);
    expect(reloaded.opt.stateDict().lbfgs!.prevLoss).toBeNaN();
  });

  it("each tensor's entry holds its own slices: d, prevFlatGrad and one oldDirs/oldStps vector per ro, as Float64Arrays of its size", async () => {
    const rv = await createRavine({ backend });
    const job = build(rv, OPTIONS);
    run(job, BEFORE);
    const { state, lbfgs } = job.opt.stateDict();
    expect(Object.keys(state)).toEqual(['a', 'b', 'c']);
    for (const [name, entry] of Object.entries(state)) {
      expect(Object.keys(entry)).toEqual(['d', 'prevFlatGrad', 'oldDirs', 'oldStps']);
      for (const v of [entry.d, entry.prevFlatGrad, ...entry.oldDirs, ...entry.oldStps]) {
        expect(v).toBeInstanceOf(Float64Array);
        expect(v.length).toBe(SIZES[name]);
      }
      expect([entry.oldDirs.length, entry.oldStps.length]).toEqual([lbfgs!.ro.length, lbfgs!.ro.length]);
    }
    // ρ = 1 / y·s over the whole vector, y·s summed across the tensors' slices.
    const ys = (k: number) => Object.values(state).reduce((sum, e) => sum + e.oldDirs[k].reduce((s, y, i) => s + y * e.oldStps[k][i], 0), 0);
    lbfgs!.ro.forEach((ro, k) => expect(ro * ys(k)).toBeCloseTo(1, 12));
  });

  it('an LBFGS over a ParamIO (internal, no tensors) refuses stateDict and loadStateDict, saying why', async () => {
    const rv = await createRavine({ backend });
    const io: ParamIO = { ctx: rv._context, n: 2, readGrad: () => {}, readParams: () => {}, writeParams: () => {} };
    const opt = new LBFGS([], {}, io);
    expect(() => opt.stateDict()).toThrow(
      new TypeError('LBFGS.stateDict: this LBFGS steps a ParamIO, not tensors: there are no tensor names to key its state by'),
    );
    expect(() => opt.loadStateDict({} as never)).toThrow(/^LBFGS\.loadStateDict: this LBFGS steps a ParamIO/);
  });

  it('a disposed LBFGS refuses both', async () => {
    const rv = await createRavine({ backend });
    const job = build(rv, OPTIONS);
    const dict = job.opt.stateDict();
    job.opt.dispose();
    expect(() => job.opt.stateDict()).toThrow('this LBFGS optimizer has been disposed');
    expect(() => job.opt.loadStateDict(dict)).toThrow('this LBFGS optimizer has been disposed');
  });
});

// biome-ignore lint/suspicious/noExplicitAny: the tests corrupt saved dicts at any depth, as a user's JSON could be
type Dict = any;
const f64 = (length: number) => new Float64Array(length);

/** One thing wrong with a dict, and what loadStateDict says about it. */
interface Corruption {
  what: string;
  corrupt(dict: Dict): unknown;
  error: typeof TypeError | typeof RangeError;
  message: string;
  /** corrupt the JSON form instead of the dict itself */
  json?: boolean;
}

const W = 'LBFGS.loadStateDict';
const corruptions: Corruption[] = [
  { what: 'not an object', corrupt: () => null, error: TypeError, message: `${W}: not a ravine optimizer state dict (format 'ravine/optimizer', version 1)` },
  { what: 'another format', corrupt: (d) => void (d.format = 'torch'), error: TypeError, message: `${W}: not a ravine optimizer state dict` },
  { what: 'version 2', corrupt: (d) => void (d.version = 2), error: TypeError, message: `${W}: not a ravine optimizer state dict` },
  { what: 'another optimizer', corrupt: (d) => void (d.optimizer = 'Adam'), error: TypeError, message: `${W}: state dict is for "Adam", not LBFGS` },
  {
    what: 'two param groups',
    corrupt: (d) => void d.paramGroups.push(d.paramGroups[0]),
    error: RangeError,
    message: `${W}: state dict has 2 param groups, LBFGS has 1`,
  },
  { what: 'param group not an object', corrupt: (d) => void (d.paramGroups[0] = 7), error: TypeError, message: `${W}: param group 0 is 7` },
  {
    what: 'tensors in another order',
    corrupt: (d) => void (d.paramGroups[0].params = ['b', 'a', 'c']),
    error: RangeError,
    message: `${W}: param group 0 holds ["b", "a", "c"], this optimizer's holds ["a", "b", "c"]`,
  },
  {
    what: 'a tensor missing from params',
    corrupt: (d) => void d.paramGroups[0].params.pop(),
    error: RangeError,
    message: `${W}: param group 0 holds ["a", "b"], this optimizer's holds ["a", "b", "c"]`,
  },
  {
    what: 'an unknown option',
    corrupt: (d) => void (d.paramGroups[0].momentum = 0.9),
    error: TypeError,
    message: `${W} param group 0: unknown option "momentum" (LBFGS takes lr, maxIter,`,
  },
  {
    what: 'historySize 0',
    corrupt: (d) => void (d.paramGroups[0].historySize = 0),
    error: RangeError,
    message: `${W} param group 0: invalid historySize = 0: must be an integer in [1, 10000]`,
  },
  { what: 'a negative lr', corrupt: (d) => void (d.paramGroups[0].lr = -1), error: RangeError, message: `${W} param group 0: invalid lr = -1` },
  {
    what: 'maxEval 2.5',
    corrupt: (d) => void (d.paramGroups[0].maxEval = 2.5),
    error: RangeError,
    message: `${W} param group 0: invalid maxEval = 2.5: must be an integer >= 1, or null`,
  },
  {
    what: 'an unknown line search',
    corrupt: (d) => void (d.paramGroups[0].lineSearchFn = 'backtracking'),
    error: RangeError,
    message: `${W} param group 0: invalid lineSearchFn = "backtracking"`,
  },
  { what: 'state not an object', corrupt: (d) => void (d.state = 3), error: TypeError, message: `${W}: state must be an object keyed by tensor name, got 3` },
  {
    what: 'state for a tensor it does not hold',
    corrupt: (d) => void (d.state.z = d.state.a),
    error: RangeError,
    message: `${W}: state for tensor "z", which this optimizer does not hold`,
  },
  {
    what: 'no state for one tensor',
    corrupt: (d) => void delete d.state.b,
    error: TypeError,
    message: `${W}: state 'b' must be { d, prevFlatGrad, oldDirs, oldStps } (lbfgs is set: every tensor has its slices), got undefined`,
  },
  {
    what: "an unknown key in a tensor's state",
    corrupt: (d) => void (d.state.a.momentumBuffer = f64(5)),
    error: TypeError,
    message: `${W}: unknown state key 'a'."momentumBuffer" (expected d, prevFlatGrad, oldDirs, oldStps)`,
  },
  {
    what: 'd missing',
    corrupt: (d) => void delete d.state.c.d,
    error: TypeError,
    message: `${W}: state 'c'.d must be a Float64Array, an array of numbers or { float64: base64 }, got undefined`,
  },
  {
    what: 'd one double short',
    corrupt: (d) => void (d.state.c.d = d.state.c.d.subarray(1)),
    error: RangeError,
    message: `${W}: state 'c'.d must hold 7 doubles, got 6`,
  },
  {
    what: 'd as float32',
    corrupt: (d) => void (d.state.a.d = new Float32Array(5)),
    error: TypeError,
    message: `${W}: state 'a'.d must be a Float64Array, an array of numbers or { float64: base64 }, got Float32Array`,
  },
  {
    what: 'a string in prevFlatGrad',
    corrupt: (d) => void (d.state.a.prevFlatGrad = [0, 1, 'x', 3, 4]),
    error: TypeError,
    message: `${W}: state 'a'.prevFlatGrad[2] must be a number, got "x"`,
  },
  {
    what: 'one oldDirs vector fewer than ro',
    corrupt: (d) => void d.state.b.oldDirs.pop(),
    error: RangeError,
    message: `${W}: state 'b'.oldDirs holds 2 vectors, but lbfgs.ro has 3 pairs`,
  },
  {
    what: 'an oldStps vector of the wrong size',
    corrupt: (d) => void (d.state.b.oldStps[1] = f64(4)),
    error: RangeError,
    message: `${W}: state 'b'.oldStps[1] must hold 3 doubles, got 4`,
  },
  {
    what: 'oldStps not an array',
    corrupt: (d) => void (d.state.a.oldStps = f64(5)),
    error: TypeError,
    message: `${W}: state 'a'.oldStps must be an array of vectors, one per history pair, got Float64Array`,
  },
  {
    what: 'lbfgs missing',
    corrupt: (d) => void delete d.lbfgs,
    error: TypeError,
    message: `${W}: lbfgs must be { funcEvals, nIter, t, hDiag, prevLoss, ro } (null before the first step), got undefined`,
  },
  {
    what: 'lbfgs null with tensor state',
    corrupt: (d) => void (d.lbfgs = null),
    error: TypeError,
    message: `${W}: lbfgs is null (never stepped), so state must be empty, but it holds ["a", "b", "c"]`,
  },
  {
    what: 'an unknown key in lbfgs',
    corrupt: (d) => void (d.lbfgs.step = 3),
    error: TypeError,
    message: `${W}: unknown key lbfgs."step" (expected funcEvals, nIter, t, hDiag, prevLoss, ro)`,
  },
  { what: 'nIter negative', corrupt: (d) => void (d.lbfgs.nIter = -1), error: RangeError, message: `${W}: lbfgs.nIter must be a non-negative integer, got -1` },
  {
    what: 'nIter fractional',
    corrupt: (d) => void (d.lbfgs.nIter = 1.5),
    error: RangeError,
    message: `${W}: lbfgs.nIter must be a non-negative integer, got 1.5`,
  },
  { what: 'nIter a string', corrupt: (d) => void (d.lbfgs.nIter = '3'), error: TypeError, message: `${W}: lbfgs.nIter must be a number, got "3"` },
  {
    what: 'funcEvals NaN',
    corrupt: (d) => void (d.lbfgs.funcEvals = NaN),
    error: RangeError,
    message: `${W}: lbfgs.funcEvals must be a non-negative integer, got NaN`,
  },
  {
    what: 't a string',
    corrupt: (d) => void (d.lbfgs.t = 'fast'),
    error: TypeError,
    message: `${W}: lbfgs.t must be a number (or JSON's { float64 } of one double), got "fast"`,
  },
  {
    what: 'hDiag missing',
    corrupt: (d) => void delete d.lbfgs.hDiag,
    error: TypeError,
    message: `${W}: lbfgs.hDiag must be a number (or JSON's { float64 } of one double), got undefined`,
  },
  {
    what: 'prevLoss two doubles',
    corrupt: (d) => void (d.lbfgs.prevLoss = { float64: Buffer.from(f64(2).buffer).toString('base64') }),
    error: RangeError,
    message: `${W}: lbfgs.prevLoss must hold 1 doubles, got 2`,
  },
  {
    what: 'ro not an array',
    corrupt: (d) => void (d.lbfgs.ro = 0.5),
    error: TypeError,
    message: `${W}: lbfgs.ro must be an array of numbers (1 / y·s of each history pair), got 0.5`,
  },
  {
    what: 'ro negative',
    corrupt: (d) => void (d.lbfgs.ro[0] = -1),
    error: RangeError,
    message: `${W}: lbfgs.ro[0] must be in [0, 1e10] (1 / y·s, kept when y·s > 1e-10), got -1`,
  },
  { what: 'ro NaN', corrupt: (d) => void (d.lbfgs.ro[2] = NaN), error: RangeError, message: `${W}: lbfgs.ro[2] must be in [0, 1e10]` },
  { what: 'ro null', corrupt: (d) => void (d.lbfgs.ro[1] = null), error: TypeError, message: `${W}: lbfgs.ro[1] must be a number, got null` },
  {
    what: 'one ro more than the pairs',
    corrupt: (d) => void d.lbfgs.ro.push(0.5),
    error: RangeError,
    message: `${W}: state 'a'.oldDirs holds 3 vectors, but lbfgs.ro has 4 pairs`,
  },
  {
    what: `ro longer than ${MAX_HISTORY}`,
    corrupt: (d) => void (d.lbfgs.ro = new Array(MAX_HISTORY + 1).fill(0.5)),
    error: RangeError,
    message: `${W}: lbfgs.ro holds 10001 pairs, more than 10000`,
  },
  {
    what: 'a { float64 } of 3 bytes',
    json: true,
    corrupt: (d) => void (d.state.a.d = { float64: 'AAAA' }),
    error: TypeError,
    message: `${W}: state 'a'.d is { float64 } but 3 bytes, not a whole number of float64s`,
  },
  {
    what: 'a { float64 } that is not base64',
    json: true,
    corrupt: (d) => void (d.state.b.oldDirs[0] = { float64: '***' }),
    error: TypeError,
    message: `${W}: state 'b'.oldDirs[0] is { float64 } but not base64`,
  },
];

describe.each(backends)('%s: a bad LBFGS state dict is refused and changes nothing', (backend: Backend) => {
  /** A dict from another run (other options, more steps), so that any part of it written before the throw would show in the next steps. */
  async function donorDict(): Promise<LBFGSStateDict> {
    const donor = build(await createRavine({ backend }), { lr: 0.25, maxIter: 3, historySize: 3, lineSearchFn: 'strongWolfe' });
    run(donor, BEFORE + 3);
    return donor.opt.stateDict();
  }

  it('the uncorrupted dict loads and changes the next steps (so a partial load would show below)', async () => {
    const dict = await donorDict();
    const target = build(await createRavine({ backend }), OPTIONS),
      control = build(await createRavine({ backend }), OPTIONS);
    run(target, BEFORE);
    run(control, BEFORE);
    target.opt.loadStateDict(structuredClone(dict));
    expect(bits64(run(target, AFTER))).not.toEqual(bits64(run(control, AFTER)));
  });

  for (const c of corruptions) {
    it(`${c.what}: ${c.error.name} "${c.message}"; the optimizer's options, state and next steps are an untouched one's`, async () => {
      const dict = await donorDict();
      const target = build(await createRavine({ backend }), OPTIONS),
        control = build(await createRavine({ backend }), OPTIONS);
      run(target, BEFORE);
      run(control, BEFORE);
      const before = { state: stateText(target.opt), options: { ...target.opt.paramGroups[0] } };
      const bad = c.json ? JSON.parse(JSON.stringify(dict)) : structuredClone(dict);
      const replaced = c.corrupt(bad);
      const offered = replaced === undefined ? bad : replaced;
      expect(() => target.opt.loadStateDict(offered)).toThrow(c.error);
      expect(() => target.opt.loadStateDict(offered)).toThrow(c.message);
      expect(stateText(target.opt)).toBe(before.state);
      expect({ ...target.opt.paramGroups[0] }).toEqual(before.options);
      expect(bits64(run(target, AFTER))).toEqual(bits64(run(control, AFTER)));
      expect(bits32(params(target))).toEqual(bits32(params(control)));
    });
  }

  it('a history that does not fit the heap: out of memory, every byte of the heap and the optimizer as before', async () => {
    const sizes = { w: 5000 };
    const donor = build(await createRavine({ backend }), { maxIter: 30, historySize: 10 }, sizes);
    run(donor, 1);
    const dict = donor.opt.stateDict();
    expect(dict.lbfgs!.ro.length).toBe(10); // 22 pair buffers of 40 KB: more than the target's heap can add
    const rv = await createRavine({ backend, maxBytes: 1 << 20 });
    const target = build(rv, { maxIter: 5, historySize: 2 }, sizes),
      control = build(await createRavine({ backend }), { maxIter: 5, historySize: 2 }, sizes);
    run(target, 2);
    run(control, 2);
    const ctx = rv._context;
    const heap = () => ({
      bytes: Buffer.from(new Uint8Array(ctx.backend.buffer, 0, ctx.arena.highWater)),
      highWater: ctx.arena.highWater,
      inUse: ctx.arena.bytesInUse,
    });
    const before = { heap: heap(), state: stateText(target.opt) };
    expect(() => target.opt.loadStateDict(dict)).toThrow(/^ravine: out of memory: LBFGS \(historySize 2\) \(float64 vectors of 5000\) needs 40000 bytes/);
    const after = heap();
    expect([after.highWater, after.inUse]).toEqual([before.heap.highWater, before.heap.inUse]);
    expect(Buffer.compare(after.bytes, before.heap.bytes)).toBe(0);
    expect(stateText(target.opt)).toBe(before.state);
    expect(target.opt.paramGroups[0].historySize).toBe(2);
    expect(bits64(run(target, 2))).toEqual(bits64(run(control, 2)));
    expect(bits32(params(target))).toEqual(bits32(params(control)));
  });
});
