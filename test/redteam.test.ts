// The red team's classes of silent failure, each attacked from several sides on both backends: a
// rejected call throws a TypeError/RangeError naming what was wrong, and leaves every tensor, every
// group and all state exactly as they were.
import { describe, expect, it } from 'vitest';
import { Adam, Adamax, Adagrad, createRavine, LBFGS, minimize, NAdam, RMSprop, SGD, surfaces, type StateDict } from '../src/index.js';

const backends = ['simd', 'js'] as const;

/** Parameters, state and step count: what a rejected call must leave alone. */
function observe(opt: { stateDict(): StateDict; steps: number; paramGroups: readonly { params: readonly { data: Float32Array }[] }[] }) {
  return JSON.stringify({ state: opt.stateDict(), steps: opt.steps, params: opt.paramGroups.map((g) => g.params.map((t) => Array.from(t.data))) });
}

async function twoGroups(backend: 'simd' | 'js') {
  const rv = await createRavine({ backend });
  const a = rv.tensor('a', [1, 2, 3]),
    b = rv.tensor('b', [4, 5]),
    c = rv.tensor('c', [6]);
  const opt = new Adam([{ params: [a, c] }, { params: [b], lr: 0.5 }], { lr: 0.1, amsgrad: true });
  a.grad.set([0.1, -0.2, 0.3]);
  c.grad.set([2]);
  b.grad.set([1, -1]);
  opt.step();
  return { rv, a, b, opt };
}

describe.each(backends)('%s: paramGroups is tied to memory', (backend) => {
  it('push, splice, reverse, sort, pop, shift, unshift, fill, index assignment, length and delete all throw, pointing to addParamGroup; nothing changes', async () => {
    const { rv, opt } = await twoGroups(backend);
    const before = observe(opt);
    const groups = opt.paramGroups as unknown as Record<string, unknown>[] & { length: number };
    const attempts: (() => unknown)[] = [
      () => groups.push({ params: [rv.tensor('d', 1)] }),
      () => groups.splice(0, 1),
      () => groups.reverse(),
      () => groups.sort(() => -1),
      () => groups.pop(),
      () => groups.shift(),
      () => groups.unshift(groups[1]),
      () => groups.fill(groups[0]),
      () => {
        groups[0] = groups[1];
      },
      () => {
        groups.length = 0;
      },
      () => delete groups[0],
      () => Object.defineProperty(groups, '0', { value: groups[1] }),
    ];
    for (const attempt of attempts) expect(attempt).toThrow(/Adam\.paramGroups cannot be changed as an array .* addParamGroup/);
    expect(observe(opt)).toBe(before);
    expect(opt.stateDict().paramGroups.map((g) => g.params)).toEqual([['a', 'c'], ['b']]);
  });

  it("a group's options stay writable, but a misspelt option cannot be added to it", async () => {
    const { opt } = await twoGroups(backend);
    opt.paramGroups[1].lr = 0.25;
    expect(opt.paramGroups[1].lr).toBe(0.25);
    expect(() => {
      (opt.paramGroups[0] as unknown as Record<string, number>).lR = 1;
    }).toThrow(TypeError);
    expect(() => {
      delete (opt.paramGroups[0] as unknown as Record<string, number>).lr;
    }).toThrow(TypeError);
    expect(Object.isFrozen(opt.paramGroups[0].params)).toBe(true);
  });
});

describe.each(backends)('%s: step() re-checks after its closure', (backend) => {
  it('a closure that disposes the optimizer and makes a tensor in its freed memory: step() throws, and the new tensor and the parameters are untouched', async () => {
    const { rv, a, opt } = await twoGroups(backend);
    const params = Array.from(a.data);
    let fresh: Float32Array | undefined;
    const closure = () => {
      opt.dispose();
      fresh = rv.tensor('fresh', 64).data; // reuses the tables and state the optimizer gave back
      return 1;
    };
    expect(() => opt.step(closure)).toThrow('this Adam optimizer has been disposed during the closure of this step (nothing was stepped)');
    expect(Array.from(fresh!).every((v) => v === 0)).toBe(true);
    expect(Array.from(a.data)).toEqual(params);
  });

  it('a closure that disposes the context: step() throws before anything is written', async () => {
    const { rv, opt } = await twoGroups(backend);
    expect(() => opt.step(() => rv.dispose())).toThrow(
      'the Ravine context of this Adam optimizer has been disposed during the closure of this step (nothing was stepped)',
    );
  });

  it('a closure that throws leaves parameters, state and the step count unchanged', async () => {
    const { opt } = await twoGroups(backend);
    const before = observe(opt);
    expect(() =>
      opt.step(() => {
        throw new Error('loss failed');
      }),
    ).toThrow('loss failed');
    expect(observe(opt)).toBe(before);
  });
});

describe.each(backends)('%s: loadStateDict is all or nothing', (backend) => {
  const saved = async () => {
    const setup = await twoGroups(backend);
    // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON dict, corrupted at any depth below
    return { ...setup, dict: JSON.parse(JSON.stringify(setup.opt.stateDict())) as Record<string, any> };
  };
  const f32 = (values: number[]) => ({ float32: Buffer.from(Float32Array.from(values).buffer).toString('base64') });
  // biome-ignore lint/suspicious/noExplicitAny: a parsed JSON dict, corrupted at any depth
  const corruptions: [string, (d: Record<string, any>) => void, RegExp][] = [
    [
      'a buffer missing for one tensor of the group',
      (d) => {
        delete d.state.c.expAvg;
      },
      /state 'c'\.expAvg is missing/,
    ],
    [
      'only step',
      (d) => {
        d.state.a = { step: 1 };
      },
      /state 'a'\.expAvg is missing/,
    ],
    [
      'strings and objects in a buffer',
      (d) => {
        d.state.a.expAvg = ['x', null, {}];
      },
      /state 'a'\.expAvg\[0\] must be a number, got "x"/,
    ],
    [
      'a numeric string',
      (d) => {
        d.state.a.expAvg = [1, '1e3', 2];
      },
      /state 'a'\.expAvg\[1\] must be a number, got "1e3"/,
    ],
    [
      'a boolean',
      (d) => {
        d.state.b.expAvgSq = [true, 1];
      },
      /state 'b'\.expAvgSq\[0\] must be a number, got true/,
    ],
    [
      'NaN in expAvgSq',
      (d) => {
        d.state.a.expAvgSq = f32([1, NaN, 1]);
      },
      /state 'a'\.expAvgSq\[1\] must be ≥ 0 .* got NaN/,
    ],
    [
      'a negative maxExpAvgSq',
      (d) => {
        d.state.b.maxExpAvgSq = [1, -1e-30];
      },
      /state 'b'\.maxExpAvgSq\[1\] must be ≥ 0/,
    ],
    [
      '−∞ in expAvgSq',
      (d) => {
        d.state.a.expAvgSq = f32([1, 2, -Infinity]);
      },
      /expAvgSq\[2\] must be ≥ 0/,
    ],
    [
      'a wrong length',
      (d) => {
        d.state.a.expAvg = [1, 2];
      },
      /state 'a'\.expAvg must hold 3 floats, got 2/,
    ],
    [
      'a wrong kind',
      (d) => {
        d.state.a.expAvg = 'AAAA';
      },
      /state 'a'\.expAvg must be a Float32Array, an array of numbers, \{ float32: base64 \} or null, got "AAAA"/,
    ],
    [
      'bad base64',
      (d) => {
        d.state.a.expAvg = { float32: '!!' };
      },
      /is \{ float32 \} but not base64/,
    ],
    [
      'a huge step',
      (d) => {
        d.state.a.step = d.state.b.step = 1e300;
      },
      /step must be an integer in \[0, 2\^24\]/,
    ],
    [
      'a fractional step',
      (d) => {
        d.state.a.step = 1.5;
      },
      /step must be an integer/,
    ],
    [
      'a negative step',
      (d) => {
        d.state.a.step = -1;
      },
      /step must be an integer/,
    ],
    [
      'an unknown key',
      (d) => {
        d.state.a.momentumBuffer = [0, 0, 0];
      },
      /unknown state key 'a'\."momentumBuffer"/,
    ],
    [
      'a key from Object.prototype',
      (d) => {
        d.state.a.toString = [0, 0, 0];
      },
      /unknown state key 'a'\."toString"/,
    ],
    [
      'a tensor this optimizer does not hold',
      (d) => {
        d.state.z = d.state.a;
      },
      /state for tensor "z", which this optimizer does not hold/,
    ],
    [
      'null for one tensor, a buffer for another',
      (d) => {
        d.state.a.expAvg = null;
      },
      /state 'expAvg' is null .* for some tensors of param group 0/,
    ],
    [
      'an option from Object.prototype',
      (d) => {
        d.paramGroups[0].constructor = 1;
      },
      /unknown option "constructor"/,
    ],
    [
      'an invalid option',
      (d) => {
        d.paramGroups[1].betas = [1, 0.9];
      },
      /betas/,
    ],
  ];
  for (const [what, corrupt, message] of corruptions) {
    it(`refuses ${what}, naming it, and changes nothing`, async () => {
      const { opt, dict } = await saved();
      const before = observe(opt);
      corrupt(dict);
      expect(() => opt.loadStateDict(dict as StateDict)).toThrow(message);
      expect(observe(opt)).toBe(before);
    });
  }

  it('refuses an out-of-range NAdam muProduct, and accepts the buffers others than ≥ 0 ones with any float', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new NAdam([w]);
    w.grad.fill(1);
    opt.step();
    // 0 is what the float32 product underflows to after ~131 steps (as in torch): allowed.
    for (const bad of [NaN, 1.5, -0.5, '0.9']) {
      const dict = JSON.parse(JSON.stringify(opt.stateDict()));
      dict.state.w.muProduct = bad;
      expect(() => opt.loadStateDict(dict)).toThrow(/muProduct must be a number in \[0, 1\]/);
    }
    const dict = opt.stateDict() as unknown as { state: { w: { expAvg: Float32Array } } };
    dict.state.w.expAvg.set([NaN, -Infinity]);
    expect(() => opt.loadStateDict(dict as unknown as StateDict)).not.toThrow();
  });

  it('the ≥ 0 buffers of every optimizer refuse negatives: Adagrad sum, RMSprop squareAvg, Adamax expInf', async () => {
    const rv = await createRavine({ backend });
    for (const [Optim, key] of [
      [Adagrad, 'sum'],
      [RMSprop, 'squareAvg'],
      [Adamax, 'expInf'],
    ] as const) {
      const w = rv.tensor(`w-${key}`, [1, 2]);
      const opt = new (Optim as typeof Adagrad)([w], { lr: 0.1 });
      w.grad.fill(1);
      opt.step();
      const dict = JSON.parse(JSON.stringify(opt.stateDict()));
      dict.state[`w-${key}`][key] = [-1, 0];
      expect(() => opt.loadStateDict(dict)).toThrow(new RegExp(`'w-${key}'\\.${key}\\[0\\] must be ≥ 0`));
      opt.dispose();
    }
  });

  it("a never-stepped tensor may have no buffers (torch's empty state); the step counter saturates at 2^24 as torch 1.13's float32 one does", async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new Adam([w]);
    opt.loadStateDict({ ...opt.stateDict(), state: { w: { step: 0 } } } as StateDict);
    const dict = JSON.parse(JSON.stringify(opt.stateDict()));
    w.grad.fill(1);
    opt.step();
    dict.state.w = { ...JSON.parse(JSON.stringify(opt.stateDict())).state.w, step: 2 ** 24 };
    opt.loadStateDict(dict);
    for (let i = 0; i < 3; i++) opt.step(); // each used to walk β^t from t = 0: now O(1)
    expect(opt.stateDict().state.w.step).toBe(2 ** 24);
  });

  it('changing betas at every step near t = 2^24 stays cheap (β^t by squaring, not by walking from t = 0)', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2]);
    const opt = new Adam([w]);
    w.grad.fill(1);
    opt.step();
    const dict = JSON.parse(JSON.stringify(opt.stateDict()));
    dict.state.w.step = 2 ** 24 - 1000;
    opt.loadStateDict(dict);
    for (let i = 0; i < 200; i++) {
      opt.paramGroups[0].betas = [0.9 - (i % 7) * 0.01, 0.999 - (i % 5) * 0.001];
      opt.step();
    }
    expect(Number.isFinite(w.data[0])).toBe(true);
  });
});

describe.each(backends)('%s: a step checks everything before the first kernel runs', (backend) => {
  it('an adopted array transferred away: step() throws naming the tensor, no group is updated, the step count is unchanged', async () => {
    const rv = await createRavine({ backend });
    const a = rv.tensor('a', [1, 2]);
    const mine = new Float32Array([3, 4]);
    const b = rv.adopt('b', mine, new Float32Array([1, 1]));
    const opt = new SGD([{ params: [a] }, { params: [b] }], { lr: 0.5 });
    a.grad.fill(1);
    structuredClone(mine.buffer, { transfer: [mine.buffer] });
    expect(() => opt.step()).toThrow(
      /SGD param group 1: adopted tensor 'b' has lost its data array \(length 0, expected 2: was its buffer transferred\?\); nothing was stepped/,
    );
    expect(Array.from(a.data)).toEqual([1, 2]);
    expect(opt.steps).toBe(0);
  });

  it('an invalid option in the last group: nothing is stepped in the first', async () => {
    const { a, opt } = await twoGroups(backend);
    const before = Array.from(a.data);
    opt.paramGroups[1].lr = -1;
    expect(() => opt.step()).toThrow(/Adam param group 1: invalid lr = -1/);
    expect(Array.from(a.data)).toEqual(before);
    expect(opt.steps).toBe(1);
  });
});

describe.each(backends)('%s: only own, known keys are options', (backend) => {
  const prototypeKeys = ['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__'];
  for (const key of prototypeKeys) {
    it(`'${key}' is an unknown option for the constructor, a group, addParamGroup and LBFGS`, async () => {
      const rv = await createRavine({ backend });
      const w = rv.tensor('w', 2),
        v = rv.tensor('v', 2),
        u = rv.tensor('u', 2);
      const options = JSON.parse(`{ "lr": 0.1, "${key}": 1 }`);
      expect(() => new SGD([w], options)).toThrow(`SGD: unknown option "${key}"`);
      expect(() => new SGD([{ params: [w], ...options }], { lr: 0.1 })).toThrow(`unknown option "${key}"`);
      const opt = new SGD([w], { lr: 0.1 });
      expect(() => opt.addParamGroup({ params: [v], ...options })).toThrow(`unknown option "${key}"`);
      expect(opt.paramGroups.length).toBe(1);
      expect(() => new LBFGS([u], options)).toThrow(`LBFGS: unknown option "${key}"`);
      expect(Object.keys(opt.stateDict().paramGroups[0])).not.toContain(key);
    });
  }

  it('undefined means the default, as a missing key does in torch', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1]),
      v = rv.tensor('v', [1]);
    const opt = new SGD(
      [
        { params: [w], lr: undefined },
        { params: [v], momentum: undefined },
      ],
      { lr: 0.5 },
    );
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [0.5, 0],
      [0.5, 0],
    ]);
    expect(new SGD([rv.tensor('x', 1)], { lr: undefined }).paramGroups[0].lr).toBe(1e-3); // torch 2.13's default
  });
});

describe.each(backends)('%s: tensor values must be numbers', (backend) => {
  const bad: [string, unknown, RegExp][] = [
    ['numeric strings', ['1', 'x'], /tensor 'v': values\[0\] must be a number, got "1"/],
    ['holes of an array-like', { length: 3 }, /tensor 'v': values\[0\] must be a number, got undefined/],
    ['nested arrays', [[1], [2]], /tensor 'v': values\[0\] must be a number, got \[1\]/],
    ['null', [1, null], /tensor 'v': values\[1\] must be a number, got null/],
    ['a BigInt64Array', new BigInt64Array(2), /tensor 'v': values must be numbers .* got BigInt64Array/],
    ['an Int32Array', new Int32Array(2), /tensor 'v': values must be numbers .* got Int32Array/],
  ];
  for (const [what, values, message] of bad) {
    it(`refuses ${what}: nothing allocated, the name still free`, async () => {
      const rv = await createRavine({ backend });
      const highWater = rv.highWaterBytes;
      expect(() => rv.tensor('v', values as ArrayLike<number>)).toThrow(message);
      expect(rv.highWaterBytes).toBe(highWater);
      expect(Array.from(rv.tensor('v', [1, 2]).data)).toEqual([1, 2]);
    });
  }
  it('takes numbers, Float32Array and Float64Array (rounded to float32)', async () => {
    const rv = await createRavine({ backend });
    expect(Array.from(rv.tensor('a', [0.5, NaN]).data)).toEqual([0.5, NaN]);
    expect(Array.from(rv.tensor('b', Float64Array.of(0.1)).data)).toEqual([Math.fround(0.1)]);
  });
});

describe('bounded work and errors that name their argument', () => {
  it('minimize refuses a history that would reserve unbounded memory; LBFGS a historySize likewise', async () => {
    for (const history of [1e6, 1e7, 10_001]) {
      expect(() => minimize(surfaces.rosenbrock(2), undefined, { history })).toThrow(`minimize: history must be an integer in [1, 10000], got ${history}`);
    }
    const rv = await createRavine();
    expect(() => new LBFGS([rv.tensor('w', 2)], { historySize: 1e6 })).toThrow('LBFGS: invalid historySize = 1000000: must be an integer in [1, 10000]');
  });

  it('LBFGS and Adam name the bad element of params', async () => {
    const rv = await createRavine();
    const w = rv.tensor('w', 2);
    expect(() => new LBFGS([null] as never)).toThrow(
      'LBFGS: params must be an array of tensors, or one param group { params: Tensor[], ...options }, got [null]',
    );
    expect(() => new LBFGS([w, null] as never)).toThrow('LBFGS: params[1] must be a tensor made by a Ravine context, got null');
    expect(() => new Adam([w, null] as never)).toThrow('Adam: params[1] must be a tensor made by a Ravine context, got null');
  });

  it('createRavine refuses null, a non-object and unknown keys, naming them', async () => {
    await expect(createRavine(null as never)).rejects.toThrow('createRavine: options must be an object, got null');
    await expect(createRavine('simd' as never)).rejects.toThrow('createRavine: options must be an object, got "simd"');
    await expect(createRavine({ bakend: 'js' } as never)).rejects.toThrow(
      'createRavine: unknown option "bakend" (options are backend, wasm, reserveBytes, maxBytes, threads)',
    );
    await expect(createRavine({ maxBytes: 1000 })).rejects.toThrow(/createRavine: maxBytes must be an integer in \[65536, 4294967296\], got 1000/);
  });
});
