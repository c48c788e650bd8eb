// The optimizer table (src/optim/table.ts) is the one place an optimizer is declared. Every row is
// complete — a kernel both backends export, a split argument the kernel has, state keys that are the
// ones the optimizer keeps, a grid its constructor takes, bad inputs it refuses, a TF.js factory that
// exists — and every consumer derives from it (the thread pool, TF.js's factories, bench/, the generic
// tests' grids, the public exports): a piece missing fails here instead of silently skipping a test.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as jsKernels from '../src/kernels/index.js';
import * as api from '../src/index.js';
import * as tfjs from '../src/tfjs/index.js';
import { SPLIT_KERNELS } from '../src/backend/threads.js';
import { optimizerRegistry } from '../src/optim/registry.js';
import { optimizerTable, type OptimizerRow } from '../src/optim/table.js';
import { OPTIMIZERS as BENCH } from '../bench/lib/optimizers.js';
import { optionGrids } from './helpers/cases.js';

const wat = readFileSync(new URL('../build/ravine.wat', import.meta.url), 'utf8');
type AnyClass = new (params: unknown, options?: unknown) => api.Optimizer<object>;

/** A JS mirror's parameter names, from its source: (h, u, segments, ..., count, scalars, flags). */
const parameters = (f: (...args: never[]) => unknown) => (/^[^(]*\(([^)]*)\)/.exec(f.toString())?.[1] ?? '').split(',').map((p) => p.trim().split(/[\s:=]/)[0]);

/** What is missing or wrong in a row, as sentences; empty for a complete row. `Class` is the row's class. */
async function rowProblems(key: string, row: OptimizerRow, Class: AnyClass | undefined): Promise<string[]> {
  const problems: string[] = [];
  const fail = (what: string) => problems.push(`${key}: ${what}`);
  if (typeof row.name !== 'string' || !/^[A-Z]\w*$/.test(row.name)) fail(`name ${JSON.stringify(row.name)} is not a class name`);
  if (Class === undefined) return [...problems, `${key}: no class`];
  if ((api as Record<string, unknown>)[row.name] !== Class) fail(`src/index.ts does not export the class as ${row.name}`);
  const mirror = (jsKernels as Record<string, unknown>)[row.kernel];
  if (typeof mirror !== 'function') fail(`kernel ${row.kernel} has no JS mirror in src/kernels/index.ts`);
  if (!wat.includes(`(export "${row.kernel}" `)) fail(`kernel ${row.kernel} is not exported by the wasm build`);
  // The JS mirror takes (heap, u32 view, ...the wasm arguments): the split index must name one of those
  // (null: a per-tensor kernel the pool does not split, Adafactor's).
  if (row.split === null) {
    if (typeof mirror === 'function' && parameters(mirror).includes('count')) fail(`split is null, but ${row.kernel} takes a segment count: split it there`);
  } else if (!Number.isInteger(row.split) || row.split < 0 || (typeof mirror === 'function' && row.split >= mirror.length - 2))
    fail(`split ${row.split} is not an argument of ${row.kernel}`);
  // The thread pool writes each slice's segment count there (threads.ts run()): it must be the count, not a pointer.
  else if (typeof mirror === 'function' && parameters(mirror)[row.split + 2] !== 'count')
    fail(`split ${row.split} is ${row.kernel}'s argument ${parameters(mirror)[row.split + 2]}, not its segment count`);
  if (typeof (tfjs as Record<string, unknown>)[row.tfjs] !== 'function') fail(`ravine/tfjs has no factory ${row.tfjs}`);
  if (!Array.isArray(row.grid) || row.grid.length === 0) fail('no option grid');
  if (!Array.isArray(row.badOptions) || row.badOptions.length === 0) fail('no bad options');
  if (!(row.lr > 0)) fail(`round-trip lr ${row.lr} is not > 0`);
  // null: not a torch.optim optimizer (Lion); otherwise every fact, or the torch exchange would guess.
  if (
    row.torch !== null &&
    // (implementation may be empty: torch's Muon takes no foreach; what it lists must be torch's options.)
    (!Array.isArray(row.torch?.implementation) ||
      !row.torch.implementation.every((o) => ['foreach', 'fused', 'capturable', 'differentiable'].includes(o)) ||
      typeof row.torch.keepsStep !== 'boolean' ||
      typeof row.torch.eagerState !== 'boolean')
  )
    fail('no torch facts (implementation options, keepsStep, eagerState)');
  if (!row.bench || typeof row.bench.label !== 'string' || !(row.bench.reads >= 1) || !(row.bench.writes >= 1))
    fail('no bench row (label, options, reads, writes)');
  if (problems.length > 0) return problems;

  const rv = await api.createRavine({ backend: 'js' });
  try {
    // Every grid point constructs, steps, and keeps only the state keys the row declares; its scalars are all there.
    const kept = new Set<string>();
    for (const [i, options] of row.grid.entries()) {
      const t = rv.tensor(`${key}${i}`, [0.5, -1, 2], { shape: row.testShape?.(3) ?? [3] });
      const m = rv.tensor(`${key}${i}m`, [0.5, -1, 2, 0.25], { shape: row.testShape?.(4) ?? [4] });
      const opt = new Class([t, m], { ...options, lr: row.lr });
      if (opt.stateDict().optimizer !== row.name) fail(`the class calls itself ${opt.stateDict().optimizer}, not ${row.name}`);
      for (let s = 0; s < 2; s++) {
        t.grad.set([0.25, -0.5, 1]);
        m.grad.set([0.25, -0.5, 1, 2]);
        opt.step();
      }
      for (const x of [t, m]) {
        const entry = opt.stateDict().state[x.name];
        for (const k of Object.keys(entry)) if (k !== 'step') kept.add(k);
      }
      const entry = opt.stateDict().state[t.name];
      for (const k of Object.keys(row.scalarKeys)) if (!(k in entry)) fail(`scalar ${k} is not in the state of ${JSON.stringify(options)}`);
      opt.dispose();
    }
    for (const k of kept) if (!(k in row.stateKeys) && !(k in row.scalarKeys)) fail(`keeps state ${k}, which the row does not declare`);
    for (const k of Object.keys(row.stateKeys)) if (!kept.has(k)) fail(`declares state ${k}, which no grid point keeps`);
    for (const [options, error, message] of row.badOptions) {
      const t = rv.tensor(`${key}bad`, 2, { shape: row.testShape?.(2) ?? [2] });
      let thrown: unknown = null;
      try {
        new Class([t], options).dispose();
      } catch (e) {
        thrown = e;
      }
      t.dispose();
      if (!(thrown instanceof Error) || thrown.name !== error || !message.test(thrown.message))
        fail(
          `bad options ${JSON.stringify(options)} gave ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : 'no error'}, not ${error} ${message}`,
        );
    }
  } finally {
    rv.dispose();
  }
  return problems;
}

describe('every row of the optimizer table is complete', () => {
  for (const [key, row] of Object.entries(optimizerTable)) {
    it(`${key} (${row.name})`, async () => {
      expect(await rowProblems(key, row, optimizerRegistry[key as keyof typeof optimizerRegistry].Class as unknown as AnyClass)).toEqual([]);
    });
  }

  it('a row with a piece missing or wrong fails, saying which', async () => {
    const adam = optimizerTable.adam;
    const Adam = optimizerRegistry.adam.Class as unknown as AnyClass;
    const broken: [Partial<OptimizerRow>, RegExp][] = [
      [{ kernel: 'adam_f33' }, /kernel adam_f33 has no JS mirror/],
      [{ split: 9 }, /split 9 is not an argument of adam_f32/],
      [{ split: 3 }, /split 3 is adam_f32's argument maxExpAvgSq, not its segment count/],
      [{ tfjs: 'ravineAdamm' }, /ravine\/tfjs has no factory ravineAdamm/],
      [{ grid: [] }, /no option grid/],
      [{ badOptions: [] }, /no bad options/],
      [{ stateKeys: { expAvg: 'any' } }, /keeps state expAvgSq, which the row does not declare/],
      [{ stateKeys: { ...adam.stateKeys, velocity: 'any' } }, /declares state velocity, which no grid point keeps/],
      [{ badOptions: [[{ betas: [0.9, 0.999] }, 'RangeError', /betas/]] }, /bad options .* gave no error/],
      [{ bench: undefined as never }, /no bench row/],
      [{ torch: undefined as never }, /no torch facts/],
    ];
    for (const [change, message] of broken) {
      const problems = await rowProblems('adam', { ...adam, ...change } as OptimizerRow, Adam);
      expect(problems.join('\n'), JSON.stringify(Object.keys(change))).toMatch(message);
    }
    expect(await rowProblems('adam', adam, undefined)).toEqual(['adam: no class']);
  });
});

describe('every consumer derives from the table', () => {
  const rows = Object.entries(optimizerTable);

  it('the table is a leaf module: the thread pool and the checkpoint reader import it without importing an optimizer', () => {
    expect(readFileSync(new URL('../src/optim/table.ts', import.meta.url), 'utf8')).not.toMatch(/^\s*(import|export .* from)\b/m);
  });

  it("the thread pool splits every optimizer kernel at the row's argument", () => {
    for (const [, row] of rows) expect(SPLIT_KERNELS[row.kernel], row.kernel).toBe(row.split ?? undefined);
  });

  it("ravine/tfjs exports exactly one factory per row, and each builds that row's optimizer", async () => {
    const factories = Object.keys(tfjs).filter((name) => /^ravine[A-Z]/.test(name) && name !== 'ravineOptimizer');
    expect(factories.sort()).toEqual(rows.map(([, row]) => row.tfjs).sort());
    const rv = await api.createRavine({ backend: 'js' });
    for (const [, row] of rows) {
      const bridge = (tfjs as unknown as Record<string, (rv: api.Ravine) => { stateDict(): { optimizer: string }; dispose(): void }>)[row.tfjs](rv);
      expect(bridge.stateDict().optimizer, row.tfjs).toBe(row.name);
      bridge.dispose();
    }
    rv.dispose();
  });

  it("bench/ and the generic tests' grids are the table's rows", () => {
    expect(Object.keys(BENCH)).toEqual(rows.map(([key]) => key));
    for (const [key, row] of rows) expect(BENCH[key as keyof typeof BENCH].label).toBe(row.bench.label);
    expect(Object.keys(optionGrids)).toEqual(rows.map(([, row]) => row.name));
    for (const [, row] of rows) expect(optionGrids[row.name]).toBe(row.grid);
  });

  it('the registry is the table with a class per row, and minimize takes every row as a method', () => {
    expect(Object.keys(optimizerRegistry)).toEqual(rows.map(([key]) => key));
    for (const [key, row] of rows) {
      const entry = optimizerRegistry[key as keyof typeof optimizerRegistry];
      expect({ ...entry, Class: undefined }).toEqual({ ...row, Class: undefined });
      expect(() => api.minimize({ f: () => 0, grad: () => {} }, [1], { method: key as never, maxIter: 1 })).not.toThrow();
    }
  });
});
