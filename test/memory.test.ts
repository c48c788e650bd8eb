// The memory model: a tensor never moves, a view cached in a local stays valid wherever views are
// stable (a shared wasm memory, a resizable ArrayBuffer), one kernel call steps a group wherever its
// tensors live, and memory freed is reused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Adam, createRavine, RMSprop, SGD, type Ravine, type Tensor } from '../src/index.js';
import { bitDifferences, cases, gradientPool, label, optimizers, rng, tensorFor } from './helpers/cases.js';

const backends = ['simd', 'js'] as const;

describe.each(backends)('memory on %s', (backend) => {
  it('views are stable here: a shared wasm memory (simd) or a resizable ArrayBuffer (js)', async () => {
    const rv = await createRavine({ backend });
    expect(rv.viewsStable).toBe(true);
    if (backend === 'simd') expect(rv.tensor('w', 1).data.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it("10,000 create/step/dispose cycles never grow linear memory past the first cycle's high-water mark", async () => {
    const rv = await createRavine({ backend });
    const cycle = (i: number) => {
      const w = rv.tensor(`w${i}`, 1000 + (i % 7));
      const b = rv.tensor(`b${i}`, 10);
      const opt = i % 2 ? new Adam([{ params: [w] }, { params: [b] }], { amsgrad: true }) : new RMSprop([w, b], { centered: true, momentum: 0.9 });
      w.grad.fill(0.5);
      opt.step();
      opt.dispose();
      w.dispose();
      b.dispose();
    };
    for (let i = 0; i < 20; i++) cycle(i);
    const bytes = rv.memoryBytes,
      highWater = rv.highWaterBytes;
    for (let i = 20; i < 10_000; i++) cycle(i);
    expect(rv.memoryBytes).toBe(bytes);
    expect(rv.highWaterBytes).toBe(highWater);
  });

  it('a tensor never moves: creating an optimizer, growing the heap and disposing the optimizer leave its storage where it was', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2, 3]);
    const { byteOffset } = w.data,
      gradOffset = w.grad.byteOffset;
    const opt = new SGD([w], { lr: 0.5 });
    rv.tensor('big', 4 << 20); // 32 MiB: the heap grows
    expect([w.data.byteOffset, w.grad.byteOffset]).toEqual([byteOffset, gradOffset]);
    opt.dispose();
    expect([w.data.byteOffset, w.grad.byteOffset]).toEqual([byteOffset, gradOffset]);
    expect(Array.from(w.data)).toEqual([1, 2, 3]);
  });

  it('views cached before creating the optimizer, before 1,000 more tensors, before loadStateDict and across heap growth train exactly as t.data / t.grad do', async () => {
    // Two identical runs of Adam (amsgrad switched on midway: new state is allocated): one reads
    // t.data / t.grad every time, the other only the views it cached at the start.
    const train = async (cached: boolean) => {
      const rv = await createRavine({ backend });
      const w = rv.tensor('w', [0.5, -1, 2]);
      const data = w.data,
        grad = w.grad;
      const view = () => (cached ? { data, grad } : { data: w.data, grad: w.grad });
      const opt = new Adam([w], { lr: 0.05 });
      for (let i = 0; i < 1000; i++) rv.tensor(`filler${i}`, 257 + (i % 5)); // ~1 MiB more: the heap grows
      const saved = JSON.parse(JSON.stringify(opt.stateDict()));
      opt.loadStateDict(saved);
      for (let t = 0; t < 200; t++) {
        if (t === 100) opt.paramGroups[0].amsgrad = true;
        if (t === 150) rv.tensor('late', 1 << 22); // 32 MiB mid-training
        const { data: d, grad: g } = view();
        for (let j = 0; j < 3; j++) g[j] = 2 * (d[j] - j); // f = Σ (w_j − j)²
        opt.step();
      }
      const result = Float32Array.from(w.data);
      rv.dispose();
      return result;
    };
    const [viaCache, viaTensor] = [await train(true), await train(false)];
    expect(bitDifferences(viaCache, viaTensor)).toEqual([]);
    expect(Math.abs(viaCache[1] - 1)).toBeLessThan(0.05); // it trained: w → (0, 1, 2)
  });

  it('one kernel call steps a group of many tensors of odd sizes, created out of order between other allocations, exactly as one group per tensor', async () => {
    const sizes = [1, 67, 3, 1000, 5, 0, 129, 4, 2, 333];
    const build = (rv: Ravine, order: number[]) => {
      const made: Tensor[] = [];
      for (const k of order) {
        made[k] = rv.tensor(
          `t${k}`,
          Array.from({ length: sizes[k] }, (_, i) => Math.sin(k + i)),
        );
        rv.tensor(`gap${k}`, (k * 7) % 13); // something between the tensors
      }
      return made;
    };
    const pool = gradientPool(8192, 11);
    const run = async (grouped: boolean, order: number[]) => {
      const rv = await createRavine({ backend });
      const ts = build(rv, order);
      const opt = new Adam(grouped ? ts : ts.map((t) => ({ params: [t] })), { lr: 0.01, amsgrad: true, weightDecay: 0.1 });
      for (let step = 0; step < 50; step++) {
        let cursor = step * 17;
        for (const t of ts) {
          t.grad.set(pool.subarray(cursor, cursor + t.size));
          cursor += t.size;
        }
        opt.step();
      }
      const params = ts.map((t) => Float32Array.from(t.data));
      rv.dispose();
      return params;
    };
    const shuffled = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4];
    const oneCall = await run(true, shuffled);
    const perTensor = await run(
      false,
      sizes.map((_, k) => k),
    );
    sizes.forEach((n, k) => expect(bitDifferences(oneCall[k], perTensor[k]), `t${k} (n=${n})`).toEqual([]));
  });

  it('zeroGrad zeroes every tensor of a group and nothing between them', async () => {
    const rv = await createRavine({ backend });
    const a = rv.tensor('a', 5),
      gap = rv.tensor('gap', 3),
      b = rv.tensor('b', 7);
    for (const t of [a, gap, b]) t.grad.fill(1);
    const opt = new SGD([a, b], { lr: 0.1 });
    opt.zeroGrad();
    expect([...a.grad, ...b.grad].every((g) => g === 0)).toBe(true);
    expect([...gap.grad].every((g) => g === 1)).toBe(true);
  });
});

describe('groups of many tensors: simd and js agree bit for bit for every optimizer and option set', () => {
  const sizes = [3, 64, 1, 17, 130, 5, 0, 33];
  const run = async (backend: 'simd' | 'js', c: (typeof cases)[number]) => {
    const rv = await createRavine({ backend });
    const init = rng(5);
    const order = [4, 1, 7, 0, 6, 2, 5, 3];
    const ts: Tensor[] = [];
    for (const k of order) {
      ts[k] = tensorFor(
        rv,
        c.optimizer,
        `t${k}`,
        Array.from({ length: sizes[k] }, () => init() * 2 - 1),
      );
      rv.tensor(`gap${k}`, k + 1);
    }
    const opt = new optimizers[c.optimizer]([{ params: ts.slice(0, 5) }, { params: ts.slice(5) }], c.options);
    const pool = gradientPool(4096, 13);
    for (let step = 0; step < 100; step++) {
      let cursor = (step * 29) % 1000;
      for (const t of ts) {
        t.grad.set(pool.subarray(cursor, cursor + t.size));
        cursor += t.size + 1;
      }
      opt.step();
    }
    const out = ts.map((t) => Float32Array.from(t.data));
    rv.dispose();
    return out;
  };
  for (const c of cases) {
    it(`${label(c)}: 8 tensors in 2 groups, out of memory order`, async () => {
      const [simd, js] = [await run('simd', c), await run('js', c)];
      sizes.forEach((n, k) => expect(bitDifferences(simd[k], js[k]), `t${k} n=${n}`).toEqual([]));
    });
  }
});

describe('where views are not stable: a plain (non-shared) wasm memory', () => {
  const plain = readFileSync(new URL('../build/ravine.wasm', import.meta.url));

  it('says so, and reserveBytes keeps the heap from growing, so cached views stay valid', async () => {
    const rv = await createRavine({ backend: 'simd', wasm: plain, reserveBytes: 64 << 20 });
    expect(rv.viewsStable).toBe(false);
    const w = rv.tensor('w', [1, 2, 3]);
    const grad = w.grad;
    const opt = new SGD([w], { lr: 0.5 });
    const bytes = rv.memoryBytes;
    for (let i = 0; i < 100; i++) rv.tensor(`t${i}`, 10_000); // 8 MB, inside the reservation
    grad.fill(2);
    opt.step();
    expect(rv.memoryBytes).toBe(bytes);
    expect(Array.from(w.data)).toEqual([0, 1, 2]);
  });

  it('without a reservation, growth detaches a cached view (length 0: loud, never pointing at other data); the tensor re-derives its own', async () => {
    const rv = await createRavine({ backend: 'simd', wasm: plain });
    const w = rv.tensor('w', [1, 2, 3]);
    const stale = w.data;
    rv.tensor('big', 4 << 20);
    expect(stale.length).toBe(0);
    expect(Array.from(w.data)).toEqual([1, 2, 3]);
  });
});

describe("the JS backend's heap kinds", () => {
  it('a shared memory (by default here), a resizable ArrayBuffer (no WebAssembly) or, last, a copied ArrayBuffer: views survive growth in the first two and are detached, loudly, in the third', async () => {
    const { jsBackend } = await import('../src/backend/js.js');
    const { Context } = await import('../src/context.js');
    const { Ravine } = await import('../src/ravine.js');
    expect(jsBackend().buffer).toBeInstanceOf(SharedArrayBuffer);
    for (const [kind, stable] of [
      ['resizable', true],
      ['copy', false],
    ] as const) {
      const backend = jsBackend(65536, 1 << 30, kind);
      expect(backend.viewsStable, kind).toBe(stable);
      const rv = new Ravine(new Context(backend));
      const w = rv.tensor('w', [1, 2, 3]);
      const cached = w.data;
      const opt = new SGD([w], { lr: 1 });
      rv.tensor('big', 1 << 20); // 8 MiB: the heap grows
      expect(cached.length, kind).toBe(stable ? 3 : 0);
      w.grad.fill(1);
      opt.step();
      expect(Array.from(w.data), kind).toEqual([0, 1, 2]);
    }
  });
});
