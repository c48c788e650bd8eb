// The table that drives the generic tests: every optimizer, and an option grid that reaches every
// loop variant of its kernel (each flag on and off), plus the reference data's loader.
import { readFileSync } from 'node:fs';
import { createRavine, type Optimizer, type Params, type Ravine, type Tensor, type TrainingOptions } from '../../src/index.js';
import { optimizerRegistry } from '../../src/optim/registry.js';
import { optimizerTable, rowNamed } from '../../src/optim/table.js';

// biome-ignore lint/suspicious/noExplicitAny: one table runs every optimizer, whose options differ by type
type AnyOptions = Record<string, any>;
export type OptimizerClass = new (params: Params<AnyOptions>, options?: AnyOptions) => Optimizer<AnyOptions>;

/** Every first-order optimizer by torch's class name, from the registry the library itself reads. */
export const optimizers: Record<string, OptimizerClass> = Object.fromEntries(
  Object.values(optimizerRegistry).map((e) => [e.name, e.Class as unknown as OptimizerClass]),
);

/** The same classes, typed with the third argument, the training options. */
export type TrainingOptimizer = Optimizer<AnyOptions>;
export const trainingClasses = optimizers as unknown as Record<
  string,
  new (
    params: unknown,
    options?: AnyOptions,
    training?: TrainingOptions,
  ) => TrainingOptimizer
>;

/** The shape the generic tests give optimizer `optimizer`'s tensors of `size` elements: its row's (Muon's matrices), else flat. */
export function shapeFor(optimizer: string, size: number): readonly number[] {
  return rowNamed(optimizer)?.testShape?.(size) ?? [size];
}

/** rv.tensor for the generic tests: in the shape optimizer `optimizer` takes (shapeFor). */
export function tensorFor(rv: Ravine, optimizer: string, name: string, values: number | ArrayLike<number>): Tensor {
  return rv.tensor(name, values, { shape: shapeFor(optimizer, typeof values === 'number' ? values : values.length) });
}

export interface Case {
  readonly optimizer: string;
  readonly options: AnyOptions;
}

/** Each optimizer's option grid, as its row of the optimizer table declares it (every loop variant of its kernel). */
export const optionGrids: Record<string, AnyOptions[]> = Object.fromEntries(Object.values(optimizerTable).map((row) => [row.name, row.grid as AnyOptions[]]));

export const cases: Case[] = Object.entries(optionGrids).flatMap(([optimizer, grids]) => grids.map((options) => ({ optimizer, options })));

export const label = (c: Case) => `${c.optimizer} ${JSON.stringify(c.options)}`;

/** mulberry32: a small deterministic PRNG, so every run feeds the same gradients. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Gradients of random sign with magnitudes log-uniform in [1e-8, 1e3], 2% exactly zero. */
export function gradientPool(length: number, seed = 1): Float32Array {
  const next = rng(seed);
  const pool = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const zero = next() < 0.02;
    const magnitude = 10 ** (-8 + 11 * next());
    pool[i] = zero ? 0 : (next() < 0.5 ? -1 : 1) * magnitude;
  }
  return pool;
}

/** The shared reference README's diagnostic over a tensor: max |ours − ref| / (|ref| + rms(ref)). */
export function relativeError(ours: Float32Array, ref: Float32Array): number {
  const rms = Math.sqrt(ref.reduce((s, v) => s + v * v, 0) / ref.length);
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ours[i] - ref[i]) / (Math.abs(ref[i]) + rms));
  return worst;
}

/** Indices where two float32 arrays differ in their bits (two NaNs count as equal: payloads are unspecified). */
export function bitDifferences(a: Float32Array, b: Float32Array): number[] {
  if (a.length !== b.length) return [-1];
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) out.push(i);
  return out;
}

// ---- reference data recorded from torch.optim 1.13, vendored in test/fixtures/reference (see its README) ----
const referenceDir = new URL('../fixtures/reference/', import.meta.url);

export interface TorchCase {
  name: string;
  optimizer: string;
  groups: { sizes: number[]; options: AnyOptions; initial: string[] }[];
  steps: number;
  grads: string[][];
  params: Record<string, string[]>;
  finalState: Record<string, string | number>[];
}

/**
 * Replays a recorded torch case (first-order.json's schema) in a fresh context on `backend`: builds its
 * groups, feeds its gradients step by step, and hands every recorded step's parameters to `check` with
 * torch's. The caller checks the final state through the returned optimizer (its `stateDict()`).
 */
export async function replayTorchCase(
  c: TorchCase,
  backend: 'simd' | 'js',
  Class: new (groups: never) => Optimizer<AnyOptions>,
  check: (t: number, i: number, ours: Float32Array, torch: Float32Array) => void,
) {
  const rv = await createRavine({ backend });
  let k = 0;
  const groups = c.groups.map((g) => ({ params: g.sizes.map((_, i) => rv.tensor(`p${k++}`, f32(g.initial[i]))), ...g.options }));
  const opt = new Class(groups as never);
  const tensors = groups.flatMap((g) => g.params);
  let checked = 0;
  for (let t = 1; t <= c.steps; t++) {
    opt.zeroGrad();
    tensors.forEach((x, i) => x.grad.set(f32(c.grads[t - 1][i])));
    opt.step();
    const want = c.params[String(t)];
    if (!want) continue;
    tensors.forEach((x, i) => {
      check(t, i, x.data, f32(want[i]));
      checked++;
    });
  }
  return { rv, opt, tensors, checked };
}

/** A case of torch 2.13's recordings (optimizers.json, matrix-optimizers.json): groups of shaped tensors, each step's gradients, the parameters after each. */
export interface Case213 {
  name: string;
  optimizer: string;
  groups: { shapes: number[][]; options: Record<string, unknown>; initial: string[] }[];
  steps: number;
  grads: string[][];
  params: Record<string, string[]>;
  finalState: Record<string, string | number>[];
}

export function loadReference<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(file, referenceDir), 'utf8')) as T;
}

export function f32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

export const camel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Optimizers whose arithmetic ravine has moved to torch 2.13's where it differs from 1.13's (their first
 * moment a lerp): test/torch213.parity.test.ts replays their 2.13 recordings, test/torch.parity.test.ts no
 * longer their 1.13 ones. The rest move as issue 20 goes on.
 */
export const MOVED_TO_2_13: ReadonlySet<string> = new Set(['Adam', 'AdamW', 'Adamax', 'RAdam', 'NAdam', 'RMSprop']);
