// A benchmark of a wrong answer is worthless: every implementation the bench compares, run for a few
// steps on tiny problems, must end with the same parameters as ravine simd (bit for bit for ravine's
// own backends and bare kernel loops, to float tolerance for the others). No timing is asserted.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: bench/ is plain JS
import { IMPLS } from '../bench/lib/impls.js';
// @ts-expect-error: bench/ is plain JS
import { OPTIMIZERS } from '../bench/lib/optimizers.js';
// @ts-expect-error: bench/ is plain JS
import { makeProblem } from '../bench/lib/problem.js';

interface Runner {
  step(): void | Promise<void>;
  params(): Float32Array[];
  dispose(): void;
  /** makes the runner's library state current (TF.js: its backend) */
  activate?(): Promise<void>;
  /** steps already taken when created, and how many `step()` calls reproduce the optimizer's (bare kernel loops) */
  stepsTaken?: number;
  exactSteps?: number;
}
interface Impl {
  label: string;
  parity?: boolean;
  /** optimizers for which the library computes a different update, and how */
  deviations?: Record<string, string>;
  supports(key: string): boolean;
  create(key: string, problem: unknown): Promise<Runner>;
}

const STEPS = 7;
const SIZES = [37, 4, 130]; // odd lengths: SIMD bodies and scalar tails, several tensors
const EXACT = new Set(['simd', 'js', 'bareSimd', 'bareJs', 'perTensorSimd', 'oneTensorSimd', 'bridgeCpu', 'bridgeWasm', 'threads2']);

/** The runner's parameters after `steps` optimizer steps in all (or fewer, if it cannot), and that count. */
async function paramsAfter(impl: Impl, key: string, steps: number): Promise<{ params: Float32Array[]; steps: number }> {
  const runner = await impl.create(key, makeProblem(SIZES, 7));
  try {
    await runner.activate?.();
    const taken = runner.stepsTaken ?? 0;
    const calls = Math.min(steps - taken, runner.exactSteps ?? Infinity);
    for (let i = 0; i < calls; i++) await runner.step();
    return { params: runner.params(), steps: taken + calls };
  } finally {
    runner.dispose();
  }
}

/** Largest |a − b| / (1e-5 + 1e-4·|b|) over all tensors: ≤ 1 means within tolerance. */
function worstError(actual: Float32Array[], expected: Float32Array[]): number {
  let worst = 0;
  expected.forEach((e, t) =>
    e.forEach((b, i) => {
      worst = Math.max(worst, Math.abs(actual[t][i] - b) / (1e-5 + 1e-4 * Math.abs(b)));
    }),
  );
  return worst;
}

describe('bench implementations compute the same update', () => {
  for (const key of Object.keys(OPTIMIZERS)) {
    const implKeys = Object.keys(IMPLS).filter((k) => k !== 'simd' && (IMPLS[k] as Impl).parity !== false && (IMPLS[k] as Impl).supports(key));
    for (const implKey of implKeys) {
      const impl = IMPLS[implKey] as Impl;
      const deviation = impl.deviations?.[key];
      if (deviation) {
        it(`${key}: ${impl.label} computes a different update (${deviation}), so the bench flags it`, async () => {
          const { params: actual, steps } = await paramsAfter(impl, key, STEPS);
          const { params: expected } = await paramsAfter(IMPLS.simd as Impl, key, steps);
          expect(worstError(actual, expected)).toBeGreaterThan(1);
        });
        continue;
      }
      const how = EXACT.has(implKey) ? 'bit for bit' : 'to float tolerance';
      it(`${key}: ${impl.label} ends where ravine simd ends, ${how}`, async () => {
        const { params: actual, steps } = await paramsAfter(impl, key, STEPS);
        const { params: expected } = await paramsAfter(IMPLS.simd as Impl, key, steps);
        expect(actual.map((p) => p.length)).toEqual(SIZES);
        if (EXACT.has(implKey)) {
          expect(actual.map((p) => Array.from(new Uint32Array(p.buffer, p.byteOffset, p.length)))).toEqual(
            expected.map((p) => Array.from(new Uint32Array(p.buffer, p.byteOffset, p.length))),
          );
        } else {
          expect(worstError(actual, expected)).toBeLessThanOrEqual(1);
        }
        // The update moved the parameters: a runner whose step() does nothing would pass the rest.
        expect(worstError(expected, makeProblem(SIZES, 7).params)).toBeGreaterThan(1);
      });
    }
  }
});

describe('the bandwidth bound moves the bytes it claims', () => {
  // @ts-expect-error: bench/ is plain JS
  const load = () => import('../bench/lib/bandwidth.js');
  for (const [reads, writes] of [
    [3, 2],
    [4, 3],
    [5, 4],
    [5, 1],
    [2, 2],
  ]) {
    it(`stream_f32 reads ${reads}, writes ${writes}, n=131: simd and js agree bit for bit and store the scaled sum`, async () => {
      const { streamBound } = await load();
      const problem = makeProblem([131], 3);
      const [simd, js] = [await streamBound('simd', reads, writes, problem), await streamBound('js', reads, writes, problem)];
      try {
        const before: Float32Array[] = simd.streams();
        simd.step();
        js.step();
        const [after, jsAfter]: Float32Array[][] = [simd.streams(), js.streams()];
        expect(after.map((s) => Array.from(new Uint32Array(s.buffer)))).toEqual(jsAfter.map((s) => Array.from(new Uint32Array(s.buffer))));
        const f = Math.fround;
        for (let i = 0; i < 131; i++) {
          let sum = before[0][i];
          for (let k = 1; k < reads; k++) sum = f(sum + before[k][i]);
          const expected = f(sum * f(1 / reads));
          for (let k = 0; k < reads; k++) expect(after[k][i]).toBe(k < writes ? expected : before[k][i]);
        }
      } finally {
        simd.dispose();
        js.dispose();
      }
    });
  }
});

describe('bench/previous.js refuses what it cannot run, before building anything', () => {
  const script = fileURLToPath(new URL('../bench/previous.js', import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  it('a missing --against, a malformed --rows or --rounds, an unknown flag: exit 2 with the reason; --help: exit 0', () => {
    expect(run('--help').status).toBe(0);
    for (const [args, message] of [
      [[], /--against=<commit> is required/],
      [['--against=HEAD', '--rows=adam:0'], /--rows: adam:0 is not KEY:N/],
      [['--against=HEAD', '--rows=lion:16'], /--rows: lion:16 is not KEY:N/],
      [['--against=HEAD', '--rounds=0'], /--rounds must be an integer from 1 to 20, got 0/],
      [['--against=HEAD', '--fast'], /unknown option --fast/],
    ] as const) {
      const out = run(...args);
      expect(out.status, args.join(' ')).toBe(2);
      expect(out.stderr, args.join(' ')).toMatch(message);
    }
  });
});
