// The one table of ravine's first-order optimizers: a row each, declaring everything about it but its
// class (registry.ts adds those, keyed alike, and the compiler holds the two to the same keys). A leaf
// module, importing nothing: the thread pool and the checkpoint reader read it without importing the
// optimizers. A new optimizer is its kernel, its mirror, its class, and a row here.

/** What torch keeps in a state buffer: any float, or ≥ 0 (squares, their averages and maxima, sums of squares, |g| maxima, Rprop's clamped step sizes). */
export type BufferRange = 'any' | 'nonNegative';

/** A per-group scalar's range, as an error message names it, and its test. */
export type ScalarRange = readonly [range: string, holds: (v: number) => boolean];

/** An option set the constructor must refuse, the error's class, and what its message says. */
export type BadOptions = readonly [options: Record<string, unknown>, error: 'TypeError' | 'RangeError', message: RegExp];

/**
 * One optimizer: everything ravine declares about it but its class, in one place. The library reads the
 * kernel and its split, the state keys and their ranges, the TF.js factory's name; the tests and bench/
 * read the rest. test/registry.test.ts checks every row is complete and every consumer derives from it.
 */
export interface OptimizerRow {
  /** torch's class name, and ravine's (the export of src/index.ts). */
  readonly name: string;
  /** The wasm export (assembly/index.ts) and its JS mirror (src/kernels/index.ts) that steps a group. */
  readonly kernel: string;
  /**
   * The index of the kernel's segment-count argument: the thread pool splits a big group's segments there.
   * null for a kernel that works per tensor (Adafactor's reductions run in torch's order over a whole
   * tensor), which runs on the calling thread.
   */
  readonly split: number | null;
  /** Every state buffer it may keep (some only with an option on), torch's keys in camelCase, with the values torch can hold there. */
  readonly stateKeys: Readonly<Record<string, BufferRange>>;
  /** Per-group scalar state torch keeps per tensor as a 0-dim float32 tensor (NAdam's muProduct, ASGD's eta and mu), with its range. */
  readonly scalarKeys: Readonly<Record<string, ScalarRange>>;
  /** Its ravine/tfjs factory (src/tfjs/index.ts). */
  readonly tfjs: string;
  /**
   * How torch 2.13 keeps it: the implementation options its constructor takes (accepted and dropped, see
   * implementation.ts), whether its state counts `step` (SGD's does not), and whether its constructor
   * creates the state (Adagrad's sum) rather than its first step. null for an optimizer torch.optim does
   * not have (Lion: optax's), which the torch exchange refuses.
   */
  readonly torch: { readonly implementation: readonly ImplementationOption[]; readonly keepsStep: boolean; readonly eagerState: boolean } | null;
  /** Option sets that reach every loop variant of its kernel (each flag on and off): the generic tests run them all. */
  readonly grid: readonly Record<string, unknown>[];
  /** Option sets its constructor refuses, beyond the ones every optimizer refuses (a negative lr, an unknown key). */
  readonly badOptions: readonly BadOptions[];
  /** A learning rate for round-trip tests (checkpoints, TF.js): torch's default, or one that moves the parameters. */
  readonly lr: number;
  /**
   * The shape torch gives state buffer `name` for a parameter of shape `shape`, when it is not the
   * parameter's (Adafactor's factors); null where the parameter keeps none. Omitted: the parameter's.
   */
  readonly stateShape?: (name: string, shape: readonly number[]) => readonly number[] | null;
  /**
   * The shape the generic tests give a tensor of `size` elements, when a flat one would not reach all of
   * the optimizer (Adafactor factors matrices). Omitted: flat.
   */
  readonly testShape?: (size: number) => readonly number[];
  /**
   * True when the host works per tensor between kernel calls (Muon's Newton–Schulz iteration, Adafactor's
   * reductions): a step is not one replayable kernel call (bench's bare kernel loop), nor the same update
   * when the tensors are concatenated.
   */
  readonly perTensor?: boolean;
  /** Its row in `npm run bench`: label, options, and the f32 streams one update reads and writes (sizing the bandwidth bound). */
  readonly bench: { readonly label: string; readonly options: Readonly<Record<string, unknown>>; readonly reads: number; readonly writes: number };
}

/** torch 2.13's options that choose how it computes a step rather than what it computes. */
export type ImplementationOption = 'foreach' | 'fused' | 'capturable' | 'differentiable';

/** The usual torch facts: foreach, capturable and differentiable; step counted; state made at the first step. */
const TORCH = { implementation: ['foreach', 'capturable', 'differentiable'], keepsStep: true, eagerState: false } as const;

/**
 * torch's Adafactor state: a tensor of two or more dimensions keeps a row factor [..., rows, 1] and a
 * column factor [..., 1, cols]; a vector keeps its full variance.
 */
export function factoredStateShape(name: string, shape: readonly number[]): readonly number[] | null {
  const factored = shape.length >= 2;
  if (name !== 'variance' && name !== 'rowVar' && name !== 'colVar') return shape; // a training option's (accumulatedGrad)
  if (name === 'variance') return factored ? null : shape;
  if (!factored) return null;
  const last = shape.length - 1;
  return shape.map((d, i) => (i === last ? (name === 'rowVar' ? 1 : d) : i === last - 1 ? (name === 'rowVar' ? d : 1) : d));
}

/** Every combination of the listed values. */
function grid(axes: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  return Object.entries(axes).reduce<Record<string, unknown>[]>(
    (combos, [key, values]) => combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v }))),
    [{}],
  );
}

const ANY = 'any',
  NON_NEGATIVE = 'nonNegative';
const ADAM_BAD: BadOptions[] = [
  [{ betas: [1, 0.999] }, 'RangeError', /betas\[0\] = 1/],
  [{ betas: [0.9, -0.1] }, 'RangeError', /betas\[1\] = -0\.1/],
  [{ betas: [0.9] }, 'TypeError', /betas .*\[0\.9\]/],
  [{ eps: -1e-8 }, 'RangeError', /eps = -1e-8/],
];
const adamFamily = (name: string, weightDecay: number) =>
  ({
    name,
    kernel: 'adam_f32',
    split: 4,
    tfjs: `ravine${name}`,
    torch: { ...TORCH, implementation: ['foreach', 'capturable', 'differentiable', 'fused'] },
    stateKeys: { expAvg: ANY, expAvgSq: NON_NEGATIVE, maxExpAvgSq: NON_NEGATIVE },
    scalarKeys: {},
    grid: grid({ lr: [1e-3], amsgrad: [false, true], weightDecay: [0, 0.01], maximize: [false, true] }),
    badOptions: [...ADAM_BAD, [{ amsgrad: 'yes' }, 'TypeError', /amsgrad .*"yes"/] as BadOptions],
    lr: 1e-3,
    bench: { label: name, options: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, ...(weightDecay ? { weightDecay } : {}) }, reads: 4, writes: 3 },
  }) satisfies OptimizerRow;

/** Keyed by minimize's method name. */
export const optimizerTable = {
  sgd: {
    name: 'SGD',
    kernel: 'sgd_f32',
    split: 2,
    tfjs: 'ravineSGD',
    torch: { implementation: ['foreach', 'differentiable', 'fused'], keepsStep: false, eagerState: false },
    stateKeys: { momentumBuffer: ANY },
    scalarKeys: {},
    grid: grid({ lr: [0.01], momentum: [0, 0.9], dampening: [0, 0.1], nesterov: [false, true], weightDecay: [0, 0.01], maximize: [false, true] })
      .filter((o) => !o.nesterov || ((o.momentum as number) > 0 && o.dampening === 0))
      .filter((o) => (o.momentum as number) > 0 || o.dampening === 0),
    badOptions: [
      [{ lr: 0.1, momentum: -0.9 }, 'RangeError', /momentum = -0\.9/],
      [{ lr: 0.1, nesterov: true }, 'RangeError', /nesterov .*momentum = 0/],
      [{ lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }, 'RangeError', /nesterov .*dampening = 0\.1/],
      [{ lr: 0.1, maximize: 1 }, 'TypeError', /maximize .*1/],
    ],
    lr: 0.05,
    bench: { label: 'SGD momentum', options: { lr: 1e-2, momentum: 0.9 }, reads: 3, writes: 2 },
  },
  adam: adamFamily('Adam', 0),
  adamw: adamFamily('AdamW', 1e-2),
  rmsprop: {
    name: 'RMSprop',
    kernel: 'rmsprop_f32',
    split: 4,
    tfjs: 'ravineRMSprop',
    torch: TORCH,
    stateKeys: { squareAvg: NON_NEGATIVE, gradAvg: ANY, momentumBuffer: ANY },
    scalarKeys: {},
    grid: grid({ lr: [1e-3], centered: [false, true], momentum: [0, 0.9], weightDecay: [0, 0.01], maximize: [false, true] }),
    badOptions: [
      [{ alpha: 1.5 }, 'RangeError', /alpha = 1\.5/],
      [{ momentum: -1 }, 'RangeError', /momentum = -1/],
      [{ centered: null }, 'TypeError', /centered .*null/],
    ],
    lr: 1e-2,
    bench: { label: 'RMSprop', options: { lr: 1e-2, alpha: 0.99, eps: 1e-8 }, reads: 3, writes: 2 },
  },
  adagrad: {
    name: 'Adagrad',
    kernel: 'adagrad_f32',
    split: 2,
    tfjs: 'ravineAdagrad',
    torch: { implementation: ['foreach', 'differentiable', 'fused'], keepsStep: true, eagerState: true },
    stateKeys: { sum: NON_NEGATIVE },
    scalarKeys: {},
    grid: grid({ lr: [0.01], lrDecay: [0, 0.01], weightDecay: [0, 0.01], maximize: [false, true] }),
    badOptions: [
      [{ lrDecay: -1 }, 'RangeError', /lrDecay = -1/],
      [{ initialAccumulatorValue: -1 }, 'RangeError', /initialAccumulatorValue = -1/],
    ],
    lr: 1e-2,
    bench: { label: 'Adagrad', options: { lr: 1e-2, eps: 1e-10 }, reads: 3, writes: 2 },
  },
  adadelta: {
    name: 'Adadelta',
    kernel: 'adadelta_f32',
    split: 3,
    tfjs: 'ravineAdadelta',
    torch: TORCH,
    stateKeys: { squareAvg: NON_NEGATIVE, accDelta: NON_NEGATIVE },
    scalarKeys: {},
    grid: grid({ weightDecay: [0, 0.01], maximize: [false, true] }),
    badOptions: [[{ rho: 1.5 }, 'RangeError', /rho = 1\.5/]],
    lr: 1,
    bench: { label: 'Adadelta', options: { lr: 1, rho: 0.9, eps: 1e-6 }, reads: 4, writes: 3 },
  },
  adamax: {
    name: 'Adamax',
    kernel: 'adamax_f32',
    split: 3,
    tfjs: 'ravineAdamax',
    torch: TORCH,
    stateKeys: { expAvg: ANY, expInf: NON_NEGATIVE },
    scalarKeys: {},
    grid: grid({ weightDecay: [0, 0.01], maximize: [false, true] }),
    badOptions: ADAM_BAD,
    lr: 2e-3,
    bench: { label: 'Adamax', options: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8 }, reads: 4, writes: 3 },
  },
  nadam: {
    name: 'NAdam',
    kernel: 'nadam_f32',
    split: 3,
    tfjs: 'ravineNAdam',
    torch: TORCH,
    stateKeys: { expAvg: ANY, expAvgSq: NON_NEGATIVE },
    // A float32 product of momentum factors, each in [0, 1): it underflows to 0 after ~131 steps with torch's defaults, as in torch.
    scalarKeys: { muProduct: ['in [0, 1]', (v) => v >= 0 && v <= 1] },
    grid: grid({ weightDecay: [0, 0.01], decoupledWeightDecay: [false, true], maximize: [false, true] }),
    badOptions: [
      ...ADAM_BAD,
      [{ momentumDecay: -1 }, 'RangeError', /momentumDecay = -1/],
      [{ decoupledWeightDecay: 1 }, 'TypeError', /decoupledWeightDecay .*1/],
    ],
    lr: 2e-3,
    bench: { label: 'NAdam', options: { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, momentumDecay: 4e-3 }, reads: 4, writes: 3 },
  },
  radam: {
    name: 'RAdam',
    kernel: 'radam_f32',
    split: 3,
    tfjs: 'ravineRAdam',
    torch: TORCH,
    stateKeys: { expAvg: ANY, expAvgSq: NON_NEGATIVE },
    scalarKeys: {},
    grid: grid({ weightDecay: [0, 0.01], decoupledWeightDecay: [false, true], maximize: [false, true] }),
    badOptions: [...ADAM_BAD, [{ maximize: 'no' }, 'TypeError', /maximize .*"no"/]],
    lr: 1e-3,
    bench: { label: 'RAdam', options: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8 }, reads: 4, writes: 3 },
  },
  rprop: {
    name: 'Rprop',
    kernel: 'rprop_f32',
    split: 3,
    tfjs: 'ravineRprop',
    torch: TORCH,
    stateKeys: { prev: ANY, stepSize: NON_NEGATIVE },
    scalarKeys: {},
    // Rprop's only flag is `first` (every run has it once); the narrow stepSizes reach the clamp's max too.
    grid: grid({
      lr: [0.01],
      stepSizes: [
        [1e-6, 50],
        [1e-3, 0.02],
      ],
      maximize: [false, true],
    }),
    badOptions: [
      [{ etas: [1.5, 1.2] }, 'RangeError', /etas\[0\] = 1\.5: must be in \(0, 1\)/],
      [{ etas: [0, 1.2] }, 'RangeError', /etas\[0\] = 0/],
      [{ etas: [1e-50, 1.2] }, 'RangeError', /etas\[0\] = 1e-50: .*not 0 in float32/],
      [{ etas: [0.5, 1] }, 'RangeError', /etas\[1\] = 1: must be > 1/],
      [{ etas: [0.5, 1e39] }, 'RangeError', /etas\[1\] = 1e\+39: .*finite in float32/],
      [{ etas: [0.5] }, 'TypeError', /etas .*\[0\.5\]/],
      [{ etas: [0.5, '1.2'] }, 'TypeError', /etas\[1\] .*"1\.2"/],
      [{ stepSizes: [1, 0.1] }, 'RangeError', /stepSizes = \[1, 0\.1\]: must be ordered \[min, max\]/],
      [{ stepSizes: [-1e-6, 50] }, 'RangeError', /stepSizes\[0\] = -0\.000001/],
      [{ stepSizes: [1e-6, Infinity] }, 'RangeError', /stepSizes\[1\] = Infinity/],
      [{ maximize: 'no' }, 'TypeError', /maximize .*"no"/],
      // torch's Rprop has no weight_decay: unknown, not out of range.
      [{ weightDecay: 0.01 }, 'TypeError', /unknown option "weightDecay"/],
    ],
    lr: 1e-2,
    bench: { label: 'Rprop', options: { lr: 1e-2, etas: [0.5, 1.2], stepSizes: [1e-6, 50] }, reads: 4, writes: 3 },
  },
  asgd: {
    name: 'ASGD',
    kernel: 'asgd_f32',
    split: 2,
    tfjs: 'ravineASGD',
    torch: TORCH,
    stateKeys: { ax: ANY },
    scalarKeys: {
      // f32(lr / (1 + λ·lr·t)^α) with λ, α ≥ 0, so in [0, f32(lr)]; lr is finite in float32, so η is too.
      eta: ['>= 0, finite in float32', (v) => v >= 0 && Number.isFinite(Math.fround(v))],
      // f32(1 / max(1, t − t0)), 0 where it underflows.
      mu: ['in [0, 1]', (v) => v >= 0 && v <= 1],
    },
    // t0 = 10: ax copies p through step 11, then averages (μ ≠ 1); the default t0 never averages here.
    grid: grid({ t0: [1e6, 10], weightDecay: [0, 0.01], maximize: [false, true] }),
    badOptions: [
      [{ lambd: -1e-4 }, 'RangeError', /lambd = -0\.0001/],
      [{ alpha: -0.75 }, 'RangeError', /alpha = -0\.75/],
      [{ t0: NaN }, 'RangeError', /t0 = NaN/],
      [{ t0: Infinity }, 'RangeError', /t0 = Infinity/],
    ],
    lr: 1e-2,
    // t0 = 1e6 (torch's default): μ stays 1, so ax is a copy of p and is not read.
    bench: { label: 'ASGD', options: { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6 }, reads: 2, writes: 2 },
  },
  lion: {
    name: 'Lion',
    kernel: 'lion_f32',
    split: 2,
    tfjs: 'ravineLion',
    torch: null,
    stateKeys: { expAvg: ANY },
    scalarKeys: {},
    // Lion has no loop variants: the grid covers the options that change its numbers' path.
    grid: grid({ lr: [1e-3], weightDecay: [0, 0.1], maximize: [false, true] }),
    badOptions: [
      [{ betas: [0.9, 1] }, 'RangeError', /betas\[1\] = 1/],
      [{ weightDecay: -0.1 }, 'RangeError', /weightDecay = -0\.1/],
      [{ maximize: 0 }, 'TypeError', /maximize .*0/],
    ],
    lr: 1e-3,
    bench: { label: 'Lion', options: { lr: 1e-4, betas: [0.9, 0.99], weightDecay: 1e-3 }, reads: 3, writes: 2 },
  },
  adafactor: {
    name: 'Adafactor',
    kernel: 'adafactor_f32',
    split: null,
    tfjs: 'ravineAdafactor',
    torch: { implementation: ['foreach'], keepsStep: true, eagerState: false },
    // Non-negative in exact arithmetic, but torch's lerp turns an overflowing g² (inf − inf) into NaN, and keeps it.
    stateKeys: { variance: ANY, rowVar: ANY, colVar: ANY },
    scalarKeys: {},
    stateShape: factoredStateShape,
    perTensor: true,
    // Even sizes as two rows, odd ones as vectors: both of its kinds of state in one group.
    testShape: (size) => (size > 0 && size % 2 === 0 ? [2, size / 2] : [size]),
    grid: grid({
      lr: [1e-2],
      eps: [
        [null, 1e-3],
        [1e-30, 1e-3],
      ],
      weightDecay: [0, 0.01],
      maximize: [false, true],
    }),
    badOptions: [
      [{ beta2Decay: 0.1 }, 'RangeError', /beta2Decay = 0\.1: must be <= 0/],
      [{ eps: [-1e-30, 1e-3] }, 'RangeError', /eps\[0\] = -1e-30/],
      [{ eps: [null, -1] }, 'RangeError', /eps\[1\] = -1/],
      [{ eps: 1e-3 }, 'TypeError', /eps must be an array/],
      [{ d: 0.5 }, 'RangeError', /d = 0\.5/],
    ],
    lr: 1e-2,
    // What any Adafactor must move: p and g for the RMS and the factors, g again for the update's RMS (its
    // clipping needs it before the update is applied), then p and g to apply it, p written. ravine moves
    // more: it keeps the update (u written, then read twice): 7 reads, 2 writes.
    bench: { label: 'Adafactor', options: { lr: 1e-2 }, reads: 5, writes: 1 },
  },
  muon: {
    name: 'Muon',
    kernel: 'muon_f32',
    split: 2,
    tfjs: 'ravineMuon',
    // torch's Muon takes no implementation options, keeps no step, and makes its buffer at the first step.
    torch: { implementation: [], keepsStep: false, eagerState: false },
    stateKeys: { momentumBuffer: ANY },
    scalarKeys: {},
    perTensor: true,
    // Matrices only: even sizes as two rows (a tall matrix when it has one column: the transposed path), odd ones as one row.
    testShape: (size) => (size > 0 && size % 2 === 0 ? [2, size / 2] : [1, size]),
    grid: grid({ lr: [0.02], nesterov: [true, false], weightDecay: [0, 0.1], adjustLrFn: ['original', 'match_rms_adamw'] }),
    badOptions: [
      [{ momentum: -0.5 }, 'RangeError', /momentum = -0\.5/],
      [{ nsSteps: 100 }, 'RangeError', /nsSteps = 100/],
      [{ adjustLrFn: 'rms' }, 'RangeError', /adjustLrFn = "rms"/],
      [{ nsCoefficients: [1, 2] }, 'TypeError', /nsCoefficients must be an array of three numbers/],
    ],
    lr: 0.02,
    // Its element-wise streams only (momentum, then the apply); its step is its matrix products, which
    // bench/muon.js measures (the suites leave it out).
    bench: { label: 'Muon', options: { lr: 0.02 }, reads: 3, writes: 2 },
  },
  scheduleFreeAdamW: {
    name: 'ScheduleFreeAdamW',
    kernel: 'scheduleFreeAdamW_f32',
    split: 3,
    tfjs: 'ravineScheduleFreeAdamW',
    torch: null,
    stateKeys: { z: ANY, expAvgSq: NON_NEGATIVE },
    scalarKeys: {
      // Σ max lr^p over the steps so far: ≥ 0, and Infinity once a weight overflows float32 (c is then 0, as optax reads ∞/∞).
      weightSum: ['>= 0', (v) => v >= 0],
      // The largest lr so far, a float32 of an option.
      maxLr: ['>= 0, finite in float32', (v) => v >= 0 && Number.isFinite(Math.fround(v))],
    },
    // The kernel's one flag, `first` (z read as y), comes once in every run; warmup and decay change its scalars.
    grid: grid({ lr: [0.01], warmupSteps: [null, 3], weightDecay: [0, 0.01], maximize: [false, true] }),
    badOptions: [
      [{ betas: [0, 0.999] }, 'RangeError', /betas\[0\] = 0: schedule-free needs/],
      [{ betas: [0.9, 1] }, 'RangeError', /betas\[1\] = 1/],
      [{ warmupSteps: 1.5 }, 'RangeError', /warmupSteps = 1\.5/],
      [{ warmupSteps: -1 }, 'RangeError', /warmupSteps = -1: must be an integer >= 0, or null/],
      [{ weightLrPower: Infinity }, 'RangeError', /weightLrPower = Infinity/],
    ],
    lr: 0.01,
    bench: { label: 'ScheduleFreeAdamW', options: { lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8 }, reads: 4, writes: 3 },
  },
} as const satisfies Record<string, OptimizerRow>;

export type FirstOrderMethod = keyof typeof optimizerTable;

/** The row of the optimizer torch calls `name` ('Adam'), if ravine has one. */
export function rowNamed(name: string): OptimizerRow | undefined {
  return (Object.values(optimizerTable) as OptimizerRow[]).find((e) => e.name === name);
}
