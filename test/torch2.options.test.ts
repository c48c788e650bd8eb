// torch 2.x's options on ravine's optimizers (issue 20): Adam's decoupledWeightDecay, NAdam's and RAdam's
// maximize, and the options that only choose torch's implementation (foreach, fused, capturable,
// differentiable), each proven against an equivalent run, on both backends.
import { describe, expect, it } from 'vitest';
import { Adagrad, Adam, AdamW, createRavine, minimize, NAdam, RAdam, RMSprop, SGD, surfaces, type Optimizer, type Tensor } from '../src/index.js';

const backends = ['simd', 'js'] as const;
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

/** Steps `opt` 20 times on gradients `sign`·g(t) (g varied and deterministic); returns the final values' bits. */
function run(opt: Optimizer<object>, t: Tensor, sign = 1): number[] {
  for (let k = 0; k < 20; k++) {
    t.grad.set(Array.from({ length: t.size }, (_, i) => sign * Math.sin(0.7 * k + 1.9 * i) * (1 + i)));
    opt.step();
  }
  return bits(t.data);
}

const start = [0.5, -1, 2, 0.25, -3, 1.5, 0, 7];

describe.each(backends)('%s: torch 2.x options', (backend) => {
  it('Adam with decoupledWeightDecay is AdamW, bit for bit; AdamW refuses turning it off; a non-boolean is refused by name', async () => {
    const rv = await createRavine({ backend });
    const a = rv.tensor('a', start),
      w = rv.tensor('w', start);
    const adam = new Adam([a], { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true });
    expect(run(adam, a)).toEqual(run(new AdamW([w], { lr: 0.01, weightDecay: 0.1 }), w));
    const plain = rv.tensor('plain', start);
    expect(run(new Adam([plain], { lr: 0.01, weightDecay: 0.1 }), plain)).not.toEqual(bits(a.data));
    expect(new AdamW([rv.tensor('x', [1])]).paramGroups[0].decoupledWeightDecay).toBe(true);
    expect(() => new AdamW([rv.tensor('y', [1])], { decoupledWeightDecay: false })).toThrow(/AdamW's weight decay is decoupled by definition/);
    expect(() => new Adam([rv.tensor('z', [1])], { decoupledWeightDecay: 'yes' as never })).toThrow(
      new TypeError('Adam: option decoupledWeightDecay must be a boolean, got "yes"'),
    );
  });

  for (const [name, Class] of [
    ['NAdam', NAdam],
    ['RAdam', RAdam],
  ] as const) {
    it(`${name} with maximize steps on −g as it steps on g without it, bit for bit (weight decay and clipping included)`, async () => {
      const rv = await createRavine({ backend });
      const up = rv.tensor('up', start),
        down = rv.tensor('down', start);
      const options = { lr: 0.01, weightDecay: 0.05 };
      const maximizing = new (Class as unknown as new (p: unknown, o: unknown, t: unknown) => Optimizer<object>)(
        [up],
        { ...options, maximize: true },
        { clipGradNorm: 3 },
      );
      const reference = new (Class as unknown as new (p: unknown, o: unknown, t: unknown) => Optimizer<object>)([down], options, { clipGradNorm: 3 });
      expect(run(maximizing, up, -1)).toEqual(run(reference, down, 1));
      expect(() => new (Class as unknown as new (p: unknown, o: unknown) => Optimizer<object>)([rv.tensor('bad', [1])], { maximize: 1 })).toThrow(
        new TypeError(`${name}: option maximize must be a boolean, got 1`),
      );
    });
  }

  for (const [name, Class] of [
    ['NAdam', NAdam],
    ['RAdam', RAdam],
  ] as const) {
    it(`${name} with decoupledWeightDecay scales the parameters by f32(1 − lr·weightDecay) before an update without L2 decay, bit for bit, as torch 2.x does`, async () => {
      const rv = await createRavine({ backend });
      const make = Class as unknown as new (p: unknown, o: unknown) => Optimizer<object>;
      const a = rv.tensor('a', start),
        b = rv.tensor('b', start);
      const lr = 0.01,
        weightDecay = 0.3;
      const decoupled = new make([a], { lr, weightDecay, decoupledWeightDecay: true });
      const reference = new make([b], { lr, weightDecay: 0 });
      const scale = Math.fround(1 - lr * weightDecay);
      for (let k = 0; k < 20; k++) {
        const g = Array.from({ length: a.size }, (_, i) => Math.sin(0.7 * k + 1.9 * i) * (1 + i));
        a.grad.set(g);
        b.grad.set(g);
        decoupled.step();
        b.data.set(Array.from(b.data, (x) => Math.fround(x * scale)));
        reference.step();
      }
      expect(bits(a.data)).toEqual(bits(b.data));
      const l2 = rv.tensor('l2', start);
      expect(run(new make([l2], { lr, weightDecay }), l2)).not.toEqual(bits(a.data));
      expect(() => new make([rv.tensor('bad', [1])], { decoupledWeightDecay: 0 })).toThrow(
        new TypeError(`${name}: option decoupledWeightDecay must be a boolean, got 0`),
      );
    });
  }

  it('foreach, fused: false, capturable: false and differentiable: false are taken where torch takes them, change nothing, and are not kept', async () => {
    const rv = await createRavine({ backend });
    const a = rv.tensor('a', start),
      b = rv.tensor('b', start);
    const chosen = new Adam([{ params: [a], foreach: true }], { lr: 0.01, foreach: false, fused: null, capturable: false, differentiable: false } as never);
    expect(run(chosen, a)).toEqual(run(new Adam([b], { lr: 0.01 }), b));
    expect(Object.keys(chosen.paramGroups[0]).filter((k) => ['foreach', 'fused', 'capturable', 'differentiable'].includes(k))).toEqual([]);
    expect(() => new SGD([rv.tensor('s', [1])], { lr: 0.1, foreach: null, fused: false, differentiable: false } as never)).not.toThrow();
    expect(() => new RMSprop([rv.tensor('r', [1])], { capturable: false } as never)).not.toThrow();
  });

  it('what ravine cannot be is refused, saying why: fused, capturable or differentiable true; an option torch does not take there is unknown; a non-boolean named', async () => {
    const rv = await createRavine({ backend });
    const t = () => rv.tensor(`t${Math.random()}`, [1]);
    expect(() => new Adam([t()], { fused: true } as never)).toThrow(/Adam: fused: true is not supported: torch's fused kernels round differently/);
    expect(() => new SGD([t()], { lr: 0.1, fused: true } as never)).toThrow(/SGD: fused: true is not supported/);
    expect(() => new Adagrad([t()], { fused: true } as never)).toThrow(/Adagrad: fused: true is not supported/);
    expect(() => new Adam([t()], { capturable: true } as never)).toThrow(/capturable: true is not supported: it asks for CUDA graph capture/);
    expect(() => new NAdam([t()], { differentiable: true } as never)).toThrow(/differentiable: true is not supported: it asks for autograd through the step/);
    expect(() => new SGD([t()], { lr: 0.1, capturable: false } as never)).toThrow(/SGD: unknown option "capturable"/);
    expect(() => new RMSprop([t()], { fused: false } as never)).toThrow(/RMSprop: unknown option "fused"/);
    expect(() => new Adam([t()], { foreach: 'yes' } as never)).toThrow(new TypeError('Adam: option foreach must be a boolean or null, got "yes"'));
  });
});

describe('the new options on both backends', () => {
  it('NAdam and RAdam with decoupledWeightDecay and maximize: simd and js agree bit for bit over 20 steps on 67 floats (SIMD body and tail)', async () => {
    for (const Class of [NAdam, RAdam]) {
      const make = Class as unknown as new (p: unknown, o: unknown) => Optimizer<object>;
      const results = await Promise.all(
        backends.map(async (backend) => {
          const rv = await createRavine({ backend });
          const t = rv.tensor(
            't',
            Array.from({ length: 67 }, (_, i) => Math.cos(i) * 3),
          );
          return run(new make([t], { lr: 0.02, weightDecay: 0.1, decoupledWeightDecay: true, maximize: true }), t);
        }),
      );
      expect(results[0]).toEqual(results[1]);
    }
  });
});

describe('minimize takes the new options', () => {
  const run = (method: 'adam' | 'adamw' | 'nadam' | 'radam' | 'sgd', optimizer: Record<string, unknown>) =>
    Array.from(minimize(surfaces.ravine(), undefined, { method, optimizer, maxIter: 40 }).x);

  it("adam with decoupledWeightDecay is adamw, bit for bit; NAdam's and RAdam's decoupled decay and maximize change the run; foreach changes nothing; fused: true is refused", () => {
    expect(run('adam', { lr: 0.05, weightDecay: 0.01, decoupledWeightDecay: true })).toEqual(run('adamw', { lr: 0.05 }));
    expect(run('adam', { lr: 0.05, weightDecay: 0.01 })).not.toEqual(run('adamw', { lr: 0.05 }));
    for (const method of ['nadam', 'radam'] as const) {
      const coupled = run(method, { lr: 0.05, weightDecay: 0.1 });
      expect(run(method, { lr: 0.05, weightDecay: 0.1, decoupledWeightDecay: true }), method).not.toEqual(coupled);
      expect(run(method, { lr: 0.05, weightDecay: 0.1, foreach: true }), method).toEqual(coupled);
      expect(run(method, { lr: 0.05, maximize: true }), method).not.toEqual(run(method, { lr: 0.05 }));
    }
    expect(() => run('adam', { fused: true })).toThrow(/fused: true is not supported/);
  });
});
