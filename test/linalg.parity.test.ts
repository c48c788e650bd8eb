// The f64 kernels under Newton, Newton-CG and L-BFGS: SIMD and JS give the same bits (results and
// returned values) at every length 0..67 (every tail of the 2- and 4-wide blocks) and a large odd one.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRavine, type Ravine } from '../src/index.js';
import type { Kernels } from '../src/backend/kernels.js';

const LENGTHS = [...Array.from({ length: 68 }, (_, n) => n), 4099];
const MATRIX_SIZES = [...Array.from({ length: 68 }, (_, n) => n), 201];

/** Deterministic values over many scales (so the order of summation shows in the last bits). */
function values(seed: number, count: number): Float64Array {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Float64Array.from({ length: count }, () => (next() * 2 - 1) * Math.exp(6 * next() - 3));
}

/** A symmetric positive definite n×n matrix (row-major): B·Bᵀ + n·I, B random. */
function spd(seed: number, n: number): Float64Array {
  const b = values(seed, n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? n : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
      a[i * n + j] = s;
    }
  }
  return a;
}

interface Side {
  rv: Ravine;
  kernels: Kernels;
  base: number;
}

async function side(backend: 'simd' | 'js', bytes: number): Promise<Side> {
  const rv = await createRavine({ backend });
  expect(rv.backend).toBe(backend);
  const base = rv._context.arena.alloc(bytes);
  return { rv, kernels: rv._context.backend.kernels, base };
}

/** Loads `arrays` one after another (each 16-byte aligned + 8, so SIMD loads are unaligned too). */
function load(s: Side, arrays: Float64Array[]): number[] {
  const h = new Float64Array(s.rv._context.backend.buffer);
  let at = s.base + 8;
  return arrays.map((a) => {
    h.set(a, at >>> 3);
    const offset = at;
    at += 8 * a.length + 16;
    return offset;
  });
}

function region(s: Side, offset: number, count: number): Uint32Array {
  return new Uint32Array(s.rv._context.backend.buffer.slice(offset, offset + 8 * count));
}

/** Runs `body` on both backends with the same inputs; returns both returned values and regions. */
async function both(arrays: Float64Array[], body: (k: Kernels, p: number[]) => unknown, out: (p: number[]) => [number, number]) {
  const bytes = arrays.reduce((sum, a) => sum + 8 * a.length + 16, 32);
  const results = [];
  for (const backend of ['simd', 'js'] as const) {
    const s = await side(backend, bytes);
    const p = load(s, arrays);
    const value = body(s.kernels, p);
    const [at, count] = out(p);
    results.push({ value, bits: region(s, at, count) });
    s.rv.dispose();
  }
  return results;
}

function expectSame(a: { value: unknown; bits: Uint32Array }, b: typeof a, what: string) {
  expect(Object.is(a.value, b.value), `${what}: returned ${a.value} vs ${b.value}`).toBe(true);
  const differing = a.bits.findIndex((x, i) => x !== b.bits[i]);
  expect(differing, `${what}: first differing word`).toBe(-1);
}

describe('f64 linear-algebra kernels: simd and js agree bit for bit', () => {
  it('dot_f64 over lengths 0..67 and 4099 returns the same bits, and the right value', async () => {
    for (const n of LENGTHS) {
      const [simd, js] = await both(
        [values(n + 1, n), values(n + 2, n)],
        (k, [x, y]) => k.dot_f64(x, y, n),
        ([x]) => [x, n],
      );
      expectSame(simd, js, `dot n=${n}`);
      const x = values(n + 1, n),
        y = values(n + 2, n);
      const naive = x.reduce((s, xi, i) => s + xi * y[i], 0);
      expect(Math.abs((js.value as number) - naive)).toBeLessThanOrEqual(1e-12 * (1 + x.reduce((s, xi, i) => s + Math.abs(xi * y[i]), 0)));
    }
  });

  it('axpy_f64, scale_f64, axpby_f64, waxpy_f64 over lengths 0..67 and 4099 write the same bits', async () => {
    for (const n of LENGTHS) {
      const inputs = [values(3 * n + 1, n), values(3 * n + 2, n), values(3 * n + 3, n)];
      const ops: [string, (k: Kernels, p: number[]) => unknown, (p: number[]) => [number, number]][] = [
        ['axpy', (k, [y, x]) => k.axpy_f64(y, x, n, -0.37), ([y]) => [y, n]],
        ['scale', (k, [x]) => k.scale_f64(x, n, 1.7e-3), ([x]) => [x, n]],
        ['axpby', (k, [y, x]) => k.axpby_f64(y, x, n, -1, 0.81), ([y]) => [y, n]],
        ['waxpy', (k, [w, x, y]) => k.waxpy_f64(w, x, y, n, 2.5e-2), ([w]) => [w, n]],
      ];
      for (const [name, body, out] of ops) {
        const [simd, js] = await both(inputs, body, out);
        expectSame(simd, js, `${name} n=${n}`);
        if (n > 0)
          expect(
            js.bits.some((word, i) => word !== new Uint32Array(inputs[0].buffer)[i]),
            `${name} n=${n} changed y`,
          ).toBe(true);
      }
    }
  });

  it('matvec_f64 on rows×cols matrices (cols 0..67 and 4099) writes the same bits', async () => {
    for (const cols of LENGTHS) {
      const rows = (cols % 5) + 1;
      const [simd, js] = await both(
        [values(cols + 7, rows), values(cols + 8, rows * cols), values(cols + 9, cols)],
        (k, [y, a, x]) => k.matvec_f64(y, a, x, rows, cols),
        ([y]) => [y, rows],
      );
      expectSame(simd, js, `matvec ${rows}x${cols}`);
    }
  });

  it('cholesky_f64 and both triangular solves on SPD matrices n = 0..67 and 201 agree bit for bit and solve A·x = b', async () => {
    for (const n of MATRIX_SIZES) {
      const a = spd(n + 11, n),
        b = values(n + 12, n);
      const [simd, js] = await both(
        [a, b],
        (k, [l, x]) => {
          const status = k.cholesky_f64(l, n, 0);
          k.solve_lower_f64(l, x, n);
          k.solve_lower_transpose_f64(l, x, n);
          return status;
        },
        ([l]) => [l, n * n + 2 + n],
      );
      expectSame(simd, js, `cholesky+solve n=${n}`);
      expect(js.value).toBe(-1);
      // The solution (after the matrix and its 16-byte gap) satisfies A·x = b.
      const words = new Float64Array(js.bits.buffer);
      const x = words.subarray(n * n + 2, n * n + 2 + n);
      for (let i = 0; i < n; i++) {
        let r = -b[i],
          scale = Math.abs(b[i]);
        for (let j = 0; j < n; j++) {
          r += a[i * n + j] * x[j];
          scale += Math.abs(a[i * n + j] * x[j]);
        }
        expect(Math.abs(r), `residual row ${i} n=${n}`).toBeLessThanOrEqual(1e-12 * scale);
      }
    }
  });

  it('cholesky_f64 on an indefinite matrix reports the same failing column on both backends', async () => {
    for (const n of [1, 2, 3, 8, 33, 67]) {
      const a = spd(n + 5, n);
      const bad = Math.floor(n / 2);
      a[bad * n + bad] = -1e6; // negative curvature along one axis
      const [simd, js] = await both(
        [a],
        (k, [l]) => k.cholesky_f64(l, n, 1e-12),
        ([l]) => [l, n * n],
      );
      expectSame(simd, js, `indefinite n=${n}`);
      expect(js.value).toBe(bad);
    }
  });
});

describe('f64 kernels stay vectorised', () => {
  it('every linalg export in the release build executes f64x2 instructions (no silent scalarisation)', () => {
    const wat = readFileSync(new URL('../build/ravine.wat', import.meta.url), 'utf8');
    const names = ['dot_f64', 'axpy_f64', 'scale_f64', 'axpby_f64', 'waxpy_f64', 'matvec_f64', 'cholesky_f64', 'solve_lower_f64', 'solve_lower_transpose_f64'];
    for (const name of names) {
      const start = wat.indexOf(`(func $assembly/linalg/${name} `);
      expect(start, name).toBeGreaterThan(0);
      const end = wat.indexOf('\n (func ', start + 1);
      expect(wat.slice(start, end < 0 ? undefined : end), name).toMatch(/f64x2\.(mul|add)/);
    }
  });
});
