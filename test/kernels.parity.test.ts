// The two backends are one: for every optimizer and every loop variant of its kernel, SIMD and JS leave
// parameters and state bit-identical, at every length 0..67 (every SIMD tail) and a few large odd ones.
import { describe, expect, it } from 'vitest';
import { createRavine, type Ravine, type Tensor } from '../src/index.js';
import { bitDifferences, cases, gradientPool, label, optimizers, rng, type Case, tensorFor } from './helpers/cases.js';

const SMALL = Array.from({ length: 68 }, (_, n) => n);
const LARGE = [1001, 4099];
const STEPS = 1000;
const pool = gradientPool(1 << 17, 7);

/** Runs one case on one backend: one group per length, so each step calls the kernel at every length; counts the non-finite gradients it feeds into `fed`. */
async function run(backend: 'simd' | 'js', c: Case, lengths: number[], steps: number, gradients = pool, fed = { nonFinite: 0 }) {
  const rv: Ravine = await createRavine({ backend });
  const init = rng(3);
  const tensors: Tensor[] = lengths.map((n) =>
    tensorFor(
      rv,
      c.optimizer,
      `t${n}`,
      Array.from({ length: n }, () => init() * 2 - 1),
    ),
  );
  const opt = new optimizers[c.optimizer](
    tensors.map((t) => ({ params: [t] })),
    c.options,
  );
  let cursor = 0;
  for (let step = 0; step < steps; step++) {
    for (const t of tensors) {
      if (cursor + t.size > gradients.length) cursor = (cursor * 31 + 17) % 1024;
      const g = gradients.subarray(cursor, cursor + t.size);
      if (gradients !== pool) for (let i = 0; i < g.length; i++) if (!Number.isFinite(g[i])) fed.nonFinite++;
      t.grad.set(g);
      cursor += t.size + 1;
    }
    opt.step();
  }
  const params = tensors.map((t) => Float32Array.from(t.data));
  const state = opt.stateDict().state;
  expect(rv.backend).toBe(backend);
  rv.dispose();
  return { params, state };
}

function expectSameBits(_c: Case, lengths: number[], simd: Awaited<ReturnType<typeof run>>, js: typeof simd) {
  lengths.forEach((n, i) => {
    expect(bitDifferences(simd.params[i], js.params[i]), `params n=${n}`).toEqual([]);
    const a = simd.state[`t${n}`],
      b = js.state[`t${n}`];
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    for (const key of Object.keys(a)) {
      if (a[key] instanceof Float32Array) {
        expect(bitDifferences(a[key] as Float32Array, b[key] as Float32Array), `${key} n=${n}`).toEqual([]);
      } else {
        expect(a[key], `${key} n=${n}`).toBe(b[key]);
      }
    }
  });
  // The run must have moved the parameters, or bit equality would prove nothing.
  const init = rng(3);
  const start = lengths.flatMap((n) => Array.from({ length: n }, () => Math.fround(init() * 2 - 1)));
  const end = simd.params.flatMap((p) => Array.from(p));
  expect(end.filter((x, j) => x !== start[j]).length).toBeGreaterThan(end.length / 2);
}

describe('simd and js kernels agree bit for bit', () => {
  for (const c of cases) {
    it(`${label(c)}: lengths 0..67, ${STEPS} steps`, async () => {
      const [simd, js] = [await run('simd', c, SMALL, STEPS), await run('js', c, SMALL, STEPS)];
      expectSameBits(c, SMALL, simd, js);
    });
  }
  for (const c of cases) {
    it(`${label(c)}: lengths ${LARGE.join(', ')}, ${STEPS} steps`, async () => {
      const [simd, js] = [await run('simd', c, LARGE, STEPS), await run('js', c, LARGE, STEPS)];
      expectSameBits(c, LARGE, simd, js);
    });
  }
});

/** The pool with specials mixed in: −0 (5%), subnormals (2%), and rarely NaN, +∞ and −∞ (0.02% each). */
function specialPool(length: number): Float32Array {
  const out = gradientPool(length, 17);
  const next = rng(23);
  for (let i = 0; i < length; i++) {
    const u = next();
    if (u < 0.05) out[i] = -0;
    else if (u < 0.07) out[i] = (next() < 0.5 ? -1 : 1) * 1e-40 * (1 + next());
    else if (u < 0.0702) out[i] = NaN;
    else if (u < 0.0704) out[i] = Infinity;
    else if (u < 0.0706) out[i] = -Infinity;
  }
  return out;
}

/**
 * Rprop moves each element by its step size against sign(g), and torch's sign(NaN) is 0: a NaN gradient
 * leaves its element where it is (it lands in prev) and ±∞ moves it by one step: its parameters stay
 * finite whatever it is fed, and that is what is checked for it, with the NaN and ±∞ fed counted.
 */
const SIGN_ONLY = new Set(['Rprop']);

describe('NaN, ±∞, −0 and subnormal gradients: every non-NaN value bit-identical, NaN where the other backend has NaN', () => {
  const special = specialPool(1 << 16);
  for (const c of cases) {
    it(`${label(c)}: lengths 0..67, 200 steps`, async () => {
      const fed = { nonFinite: 0 };
      const [simd, js] = [await run('simd', c, SMALL, 200, special, fed), await run('js', c, SMALL, 200, special)];
      expectSameBits(c, SMALL, simd, js); // parameters and every state buffer
      const all = simd.params.flatMap((p) => Array.from(p));
      if (SIGN_ONLY.has(c.optimizer)) {
        expect(fed.nonFinite).toBeGreaterThan(100); // NaN and ±∞ gradients were fed
        expect(all.every(Number.isFinite)).toBe(true); // and every parameter is still finite
      } else {
        expect(all.some(Number.isNaN)).toBe(true); // the specials reached the parameters
      }
      if (c.optimizer === 'Muon') {
        // Newton–Schulz mixes every element of a matrix (torch's too): a NaN anywhere makes the whole matrix NaN.
        for (const p of simd.params) expect(new Set(Array.from(p, Number.isNaN)).size, `a ${p.length}-element matrix`).toBeLessThanOrEqual(1);
        expect(simd.params.filter((p) => p.length > 0 && !Number.isNaN(p[0])).length).toBeGreaterThan(0); // some are still compared bit for bit
      } else expect(all.filter((x) => !Number.isNaN(x)).length).toBeGreaterThan(all.length / 4); // and most values are still compared bit for bit
    });
  }
});
