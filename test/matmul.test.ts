// The float32 matrix product under Muon: each element summed over k in one documented order (from 0,
// p = 0 … k−1, every product rounded before it is added), so that the SIMD kernel, its JS mirror and a
// plain loop in that order give the same bits, at every shape (blocks of 4×8 and the odd rows and
// columns around them).
import { describe, expect, it } from 'vitest';
import { createRavine } from '../src/index.js';
import { Products, SPLIT_PRODUCT } from '../src/optim/products.js';
import { bitDifferences } from './helpers/cases.js';

type Ctx = {
  arena: { alloc(bytes: number, what: string): number; free(at: number): void };
  heap: Float32Array;
  backend: {
    kernels: {
      matmul_f32(a: number, b: number, c: number, m: number, k: number, n: number, packed: number): void;
      transpose_f32(a: number, t: number, m: number, n: number): void;
    };
  };
};

/** Random values of mixed scales (and some zeros and negative zeros), from a seeded generator. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Float32Array.from({ length: n }, () => {
    const r = next();
    if (r < 0.02) return r < 0.01 ? 0 : -0;
    return (next() - 0.5) * 2 ** Math.floor(next() * 12 - 6);
  });
}

/** The order the kernels promise, written as plainly as it reads. */
function reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround(a[i * k + p] * b[p * n + j]));
      c[i * n + j] = s;
    }
  return c;
}

async function product(backend: 'simd' | 'js', a: Float32Array, b: Float32Array, m: number, k: number, n: number): Promise<Float32Array> {
  const rv = await createRavine({ backend });
  const ctx = (rv as unknown as { _context: Ctx })._context;
  const [pa, pb, pc, packed] = [a.length, b.length, m * n, 8 * k].map((len, i) => ctx.arena.alloc(Math.max(16, 4 * len), `matrix ${i}`));
  ctx.heap.set(a, pa >>> 2);
  ctx.heap.set(b, pb >>> 2);
  ctx.heap.fill(NaN, pc >>> 2, (pc >>> 2) + m * n); // every element must be written
  ctx.backend.kernels.matmul_f32(pa, pb, pc, m, k, n, packed);
  const c = ctx.heap.slice(pc >>> 2, (pc >>> 2) + m * n);
  rv.dispose();
  return c;
}

describe('matmul_f32: C = A·B, summed over k in order', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [4, 3, 8],
    [5, 7, 9],
    [8, 16, 8],
    [3, 1, 17],
    [13, 29, 31],
    [64, 64, 64],
    [33, 70, 24],
    [6, 0, 10],
  ];
  for (const [m, k, n] of shapes) {
    it(`${m}×${k} · ${k}×${n}: simd, js and the plain loop agree bit for bit`, async () => {
      const a = values(m * k, m * 1000 + k),
        b = values(k * n, n * 7 + 3);
      const want = reference(a, b, m, k, n);
      for (const backend of ['simd', 'js'] as const) {
        expect(bitDifferences(await product(backend, a, b, m, k, n), want), backend).toEqual([]);
      }
    });
  }

  it('is not a different order in disguise: summing k in reverse changes some bits on these values', async () => {
    const [m, k, n] = [8, 64, 8];
    const a = values(m * k, 1),
      b = values(k * n, 2);
    const reversed = new Float32Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = k - 1; p >= 0; p--) s = Math.fround(s + Math.fround(a[i * k + p] * b[p * n + j]));
        reversed[i * n + j] = s;
      }
    expect(bitDifferences(await product('simd', a, b, m, k, n), reversed).length).toBeGreaterThan(0);
  });

  it('transpose_f32 transposes, on both backends', async () => {
    for (const backend of ['simd', 'js'] as const) {
      const rv = await createRavine({ backend });
      const ctx = (rv as unknown as { _context: Ctx })._context;
      const a = ctx.arena.alloc(24, 'a'),
        t = ctx.arena.alloc(24, 't');
      ctx.heap.set([1, 2, 3, 4, 5, 6], a >>> 2);
      ctx.backend.kernels.transpose_f32(a, t, 2, 3);
      expect([...ctx.heap.slice(t >>> 2, (t >>> 2) + 6)], backend).toEqual([1, 4, 2, 5, 3, 6]);
      rv.dispose();
    }
  });
});

describe('a big product split by rows across two threads (src/optim/products.ts)', () => {
  // m·k·n ≥ SPLIT_PRODUCT: split. Odd rows, a block of 4 that does not divide m, columns past the 8-blocks.
  const shapes: [number, number, number][] = [
    [130, 67, 61],
    [64, 128, 64],
    [9, 300, 257],
  ];
  for (const [m, k, n] of shapes) {
    it(`${m}×${k} · ${k}×${n}: two threads, each a block of rows, give the plain loop's bits, and the product did go to the pool`, async () => {
      expect(m * k * n).toBeGreaterThanOrEqual(SPLIT_PRODUCT);
      const a = values(m * k, m + 5 * k),
        b = values(k * n, n + 11);
      const rv = await createRavine({ backend: 'simd', threads: 2 });
      expect(rv.threads).toBe(2);
      const ctx = (rv as unknown as { _context: Ctx & ConstructorParameters<typeof Products>[0] })._context;
      const pool = ctx.backend.pool as unknown as { run(...args: unknown[]): void };
      const run = pool.run.bind(pool);
      let jobs = 0;
      pool.run = (...args: unknown[]) => {
        jobs++;
        run(...args);
      };
      const products = new Products(ctx);
      products.reserve(k);
      const [pa, pb, pc] = [a.length, b.length, m * n].map((len, i) => ctx.arena.alloc(4 * len, `matrix ${i}`));
      ctx.heap.set(a, pa >>> 2);
      ctx.heap.set(b, pb >>> 2);
      ctx.heap.fill(NaN, pc >>> 2, (pc >>> 2) + m * n);
      products.matmul(ctx.backend.kernels as never, pa, pb, pc, m, k, n);
      expect(jobs).toBe(1);
      expect(bitDifferences(ctx.heap.slice(pc >>> 2, (pc >>> 2) + m * n), reference(a, b, m, k, n))).toEqual([]);
      expect(ctx.backend.plans?.size).toBe(0); // the plan is the call's alone
      products.free();
      rv.dispose();
    });
  }

  it('a small product stays on the calling thread', async () => {
    const rv = await createRavine({ backend: 'simd', threads: 2 });
    const ctx = (rv as unknown as { _context: Ctx & ConstructorParameters<typeof Products>[0] })._context;
    const pool = ctx.backend.pool as unknown as { run(...args: unknown[]): void };
    let jobs = 0;
    pool.run = () => void jobs++;
    const products = new Products(ctx);
    products.reserve(16);
    const [pa, pb, pc] = [256, 256, 256].map((len, i) => ctx.arena.alloc(4 * len, `matrix ${i}`));
    ctx.heap.set(values(256, 1), pa >>> 2);
    ctx.heap.set(values(256, 2), pb >>> 2);
    products.matmul(ctx.backend.kernels as never, pa, pb, pc, 16, 16, 16);
    expect(jobs).toBe(0);
    expect(bitDifferences(ctx.heap.slice(pc >>> 2, (pc >>> 2) + 256), reference(values(256, 1), values(256, 2), 16, 16, 16))).toEqual([]);
    rv.dispose();
  });
});
