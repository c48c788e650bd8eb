import { describe } from '../describe.js';

// What a training loop needs around the update, configured per optimizer (not per group): clipping,
// the non-finite guard, gradient accumulation and diagnostics. Each is one SIMD pass at most, in
// assembly/gradients.ts; clipping by norm costs no pass of its own (its coefficient rides in the kernels'
// sign slot), and the guard reads the same norm.

/** torch's `norm_type`: 2 (Euclidean), 1, or Infinity (the largest |g|). */
export type NormType = 1 | 2 | typeof Infinity;

export interface ClipGradNormOptions {
  maxNorm: number;
  /** Default 2. */
  normType?: NormType | 'inf';
  /** Throw (before anything changes) when the norm is NaN or ±Infinity. Default false, as torch 1.13. */
  errorIfNonfinite?: boolean;
}

export interface TrainingOptions {
  /**
   * Before each step, scale the gradients so their total norm is at most maxNorm (torch's
   * clip_grad_norm_, over every group's gradients): a number is { maxNorm } with the 2-norm. The scale is
   * folded into the step's kernel; the tensors' grad arrays are left as they are.
   */
  clipGradNorm?: number | ClipGradNormOptions | null;
  /** Before each step, clamp every gradient element to [−v, v] in place (torch's clip_grad_value_). */
  clipGradValue?: number | null;
  /**
   * Skip a step whose gradients hold NaN or ±Infinity: parameters and state stay bit for bit, the step is
   * counted in `skippedSteps`, and schedules stand still unless `{ advanceSchedules: true }`.
   */
  skipNonFinite?: boolean | { advanceSchedules: boolean };
  /** Step every k-th call on the mean of the k gradients (optax's MultiSteps). Default 1. */
  accumulate?: number;
  /** Record the gradient norm, update norm and cosine between successive gradients of each step. */
  diagnostics?: boolean;
}

/** TrainingOptions with every default filled in, as `optimizer.training` reads and checkpoints save. */
export interface Training {
  readonly clipGradNorm: ClipGradNorm | null;
  readonly clipGradValue: number | null;
  readonly skipNonFinite: boolean;
  readonly advanceSchedulesOnSkip: boolean;
  readonly accumulate: number;
  readonly diagnostics: boolean;
}

/** What the last step measured (diagnostics on): norms of the gradient it read and of the change it made. */
export interface Diagnostics {
  /** The 2-norm of the gradient, before clipping. */
  readonly gradNorm: number;
  /** The 2-norm of the change in the parameters. */
  readonly updateNorm: number;
  /** cos(g_t, g_{t−1}): near −1 bouncing across a ravine, near +1 gliding along it; null at the first step or a zero gradient. */
  readonly cosine: number | null;
}

export const NO_TRAINING: Training = Object.freeze({
  clipGradNorm: null,
  clipGradValue: null,
  skipNonFinite: false,
  advanceSchedulesOnSkip: false,
  accumulate: 1,
  diagnostics: false,
});

const KEYS = ['clipGradNorm', 'clipGradValue', 'skipNonFinite', 'accumulate', 'diagnostics'];
/** An accumulation count torch's float32 step counter could reach: beyond it nothing is meant. */
const MAX_ACCUMULATE = 2 ** 24;

function maxNormOf(where: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${where}: maxNorm must be a number, got ${describe(value)}`);
  if (!(value >= 0 && value < Infinity)) throw new RangeError(`${where}: invalid maxNorm = ${describe(value)}: must be a finite number >= 0`);
  return value;
}

/** 1, 2 or Infinity; also 'inf', as torch takes it and as JSON checkpoints write it (JSON has no Infinity). */
export function normTypeOf(where: string, value: unknown): NormType {
  if (value === 'inf') return Infinity;
  if (value !== 1 && value !== 2 && value !== Infinity)
    throw new RangeError(`${where}: invalid normType = ${describe(value)}: must be 1, 2, Infinity or 'inf'`);
  return value;
}

/** Clipping by norm as it runs: normType a number. */
export interface ClipGradNorm {
  readonly maxNorm: number;
  readonly normType: NormType;
  readonly errorIfNonfinite: boolean;
}

export function clipNormOptions(where: string, value: unknown): ClipGradNorm {
  if (typeof value === 'number') return { maxNorm: maxNormOf(where, value), normType: 2, errorIfNonfinite: false };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${where}: clipGradNorm must be a number, { maxNorm, normType?, errorIfNonfinite? } or null, got ${describe(value)}`);
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['maxNorm', 'normType', 'errorIfNonfinite'].includes(key))
      throw new TypeError(`${where}: unknown clipGradNorm option ${describe(key)} (maxNorm, normType, errorIfNonfinite)`);
  }
  const errorIfNonfinite = o.errorIfNonfinite ?? false;
  if (typeof errorIfNonfinite !== 'boolean') throw new TypeError(`${where}: errorIfNonfinite must be a boolean, got ${describe(errorIfNonfinite)}`);
  return { maxNorm: maxNormOf(where, o.maxNorm), normType: normTypeOf(where, o.normType === undefined ? 2 : o.normType), errorIfNonfinite };
}

/** `given` over `base`, checked: every key known, every value valid. Throws before anything changes. */
export function readTraining(where: string, given: unknown, base: Training): Training {
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    throw new TypeError(`${where}: training options must be an object, got ${describe(given)}`);
  const o = given as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KEYS.includes(key)) throw new TypeError(`${where}: unknown training option ${describe(key)} (${KEYS.join(', ')})`);
  }
  let { clipGradNorm, clipGradValue, skipNonFinite, advanceSchedulesOnSkip, accumulate, diagnostics } = base;
  if (o.clipGradNorm !== undefined) clipGradNorm = o.clipGradNorm === null ? null : Object.freeze(clipNormOptions(where, o.clipGradNorm));
  if (o.clipGradValue !== undefined) {
    const v = o.clipGradValue;
    if (v !== null && typeof v !== 'number') throw new TypeError(`${where}: clipGradValue must be a number or null, got ${describe(v)}`);
    if (v !== null && !(v >= 0 && v < Infinity)) throw new RangeError(`${where}: invalid clipGradValue = ${describe(v)}: must be a finite number >= 0`);
    clipGradValue = v;
  }
  if (o.skipNonFinite !== undefined) {
    const v = o.skipNonFinite;
    if (typeof v === 'boolean') [skipNonFinite, advanceSchedulesOnSkip] = [v, false];
    else if (
      typeof v === 'object' &&
      v !== null &&
      Object.keys(v).every((k) => k === 'advanceSchedules') &&
      typeof (v as { advanceSchedules: unknown }).advanceSchedules === 'boolean'
    ) {
      [skipNonFinite, advanceSchedulesOnSkip] = [true, (v as { advanceSchedules: boolean }).advanceSchedules];
    } else throw new TypeError(`${where}: skipNonFinite must be a boolean or { advanceSchedules: boolean }, got ${describe(v)}`);
  }
  if (o.accumulate !== undefined) {
    const v = o.accumulate;
    if (typeof v !== 'number') throw new TypeError(`${where}: accumulate must be a number, got ${describe(v)}`);
    if (!(Number.isInteger(v) && v >= 1 && v <= MAX_ACCUMULATE))
      throw new RangeError(`${where}: invalid accumulate = ${describe(v)}: must be an integer in [1, 2^24]`);
    accumulate = v;
  }
  if (o.diagnostics !== undefined) {
    if (typeof o.diagnostics !== 'boolean') throw new TypeError(`${where}: diagnostics must be a boolean, got ${describe(o.diagnostics)}`);
    diagnostics = o.diagnostics;
  }
  return Object.freeze({ clipGradNorm, clipGradValue, skipNonFinite, advanceSchedulesOnSkip, accumulate, diagnostics });
}

/** The training options a checkpoint saved, in `readTraining`'s terms. */
export function trainingInput(t: Training): TrainingOptions {
  return {
    clipGradNorm:
      t.clipGradNorm === null
        ? null
        : { ...t.clipGradNorm, normType: t.clipGradNorm.normType === Infinity ? ('inf' as unknown as NormType) : t.clipGradNorm.normType },
    clipGradValue: t.clipGradValue,
    skipNonFinite: t.skipNonFinite ? { advanceSchedules: t.advanceSchedulesOnSkip } : false,
    accumulate: t.accumulate,
    diagnostics: t.diagnostics,
  };
}

/** The state buffers these options need in every group: the accumulated gradient, the previous gradient and parameters. */
export function trainingBuffers(t: Training): { name: string; fill: number }[] {
  return [
    ...(t.accumulate > 1 ? [{ name: 'accumulatedGrad', fill: 0 }] : []),
    ...(t.diagnostics
      ? [
          { name: 'previousGrad', fill: 0 },
          { name: 'previousParams', fill: 0 },
        ]
      : []),
  ];
}

const f = Math.fround;

/**
 * torch's total norm from the groups' partials (assembly/gradients.ts: Σ|g|, Σg² or max|g| in f64), as
 * the float32 torch returns: √Σg² for 2.
 */
export function totalNorm(normType: NormType, partials: number): number {
  return f(normType === 2 ? Math.sqrt(partials) : partials);
}

/**
 * torch 1.13's clip coefficient, in its float32 operations: `max_norm / (total_norm + 1e-6)` is
 * `(total_norm + 1e-6).reciprocal() * max_norm` (Tensor.__rtruediv__), then clamped to at most 1.
 */
export function clipCoefficient(maxNorm: number, total: number): number {
  const coef = f(f(1 / f(total + f(1e-6))) * f(maxNorm));
  return coef > 1 ? 1 : coef; // NaN stays NaN, as torch.clamp keeps it
}
