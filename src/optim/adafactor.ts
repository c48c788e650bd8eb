import type { Kernels } from '../backend/kernels.js';
import type { Context } from '../context.js';
import { describe } from '../describe.js';
import { Tensor } from '../tensor.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, ParamGroupInput, Params } from './paramGroups.js';
import { mayJoin, Scratch } from './scratch.js';
import { factoredStateShape } from './table.js';
import { torchSum } from './torchSum.js';
import type { TrainingOptions } from './training.js';
import { atLeast, finite, flag } from './validate.js';

export interface AdafactorOptions {
  /** The relative step size's cap (ρ_t = min(lr, 1/√t)) and the decoupled weight decay's coefficient, as torch's. */
  lr: number;
  /** The second moment's decay: 1 − β2_t = t^beta2Decay (≤ 0). */
  beta2Decay: number;
  /** [ε1, ε2]: ε1 floors the variance estimate (null: float32's machine epsilon, 2^−23); ε2 floors a tensor's RMS in the step size. */
  eps: [number | null, number];
  /** The update clipping threshold: an update whose RMS exceeds d is scaled down to RMS d. */
  d: number;
  weightDecay: number;
  maximize: boolean;
}

const f = Math.fround;
/** Python's max(a, b), as torch's step computes its scalars: a NaN b loses to a (Math.max would return NaN). */
const pyMax = (a: number, b: number) => (b > a ? b : a);

/** torch.finfo(torch.float32).eps: ε1 when it is null. */
const FLOAT32_EPS = 2 ** -23;

/** The scalar block's slot step() checks finite before any kernel runs (the decay factor, a product of options). */
const AdafactorScalar = { keep: 0 } as const;

const spec: OptimizerSpec<AdafactorOptions> = {
  name: 'Adafactor',
  slots: AdafactorScalar,
  derivedSlots: [AdafactorScalar.keep],
  // torch 2.13's defaults.
  defaults: { lr: 1e-2, beta2Decay: -0.8, eps: [null, 1e-3], d: 1, weightDecay: 0, maximize: false },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    finite(where, 'beta2Decay', o.beta2Decay, true);
    if (o.beta2Decay > 0) throw new RangeError(`${where}: invalid beta2Decay = ${describe(o.beta2Decay)}: must be <= 0 (torch's bound)`);
    if (!Array.isArray(o.eps) || o.eps.length !== 2)
      throw new TypeError(`${where}: eps must be an array [eps1, eps2] (eps1 a number >= 0 or null), got ${describe(o.eps)}`);
    if (o.eps[0] !== null) atLeast(where, 'eps[0]', o.eps[0], 0);
    atLeast(where, 'eps[1]', o.eps[1], 0, true);
    atLeast(where, 'd', o.d, 1, true);
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    flag(where, 'maximize', o.maximize);
  },
  // Every tensor keeps one kind: a matrix (or a stack of them) its row and column factors, a vector its variance.
  stateBuffers: () => [
    { name: 'variance', fill: 0 },
    { name: 'rowVar', fill: 0 },
    { name: 'colVar', fill: 0 },
  ],
  stateShape: factoredStateShape,
};

/**
 * Adafactor (Shazeer & Stern 2018; torch 2.13's torch.optim.Adafactor): second moments factored over a
 * tensor's last two dimensions (a row and a column average: rows + cols floats for a rows × cols matrix,
 * not rows·cols), a relative step size scaled by the tensor's RMS, and update clipping. torch's numbers
 * bit for bit: every reduction runs in torch's order (assembly/adafactor.ts, torchSum.ts). One place
 * could differ: torch takes √numel and √t as glibc's pow(x, 0.5), here a correctly rounded √; they differ
 * in the last bit of a double for some x, which changes the float32 step only at a rounding tie.
 */
export class Adafactor extends Optimizer<AdafactorOptions> {
  #ctx: Context;
  /** The update of one tensor (torch's var_estimate, made in place into the update), sized for the largest. */
  #scratch: Scratch;

  constructor(params: Params<AdafactorOptions>, options?: OptionsInput<AdafactorOptions>, training?: TrainingOptions) {
    super(params, options, spec, training);
    const [[, m]] = this.groupsWithMemory();
    this.#ctx = m.tensors[0]._ctx;
    this.#scratch = new Scratch(this.#ctx, "Adafactor's update scratch");
    try {
      this.#scratch.reserve(this.#largest());
    } catch (e) {
      this.dispose(); // the groups' memory back, and the tensors free to join another optimizer
      throw e;
    }
  }

  override addParamGroup(group: ParamGroupInput<AdafactorOptions>): void {
    // The scratch first: a group added without room for its update would write past it at the next step.
    const tensors = Array.isArray(group?.params) ? group.params.filter((t): t is Tensor => t instanceof Tensor) : [];
    if (!this.disposed && mayJoin(this.#ctx, tensors)) this.#scratch.reserve(Math.max(this.#largest(), ...tensors.map((t) => t.size)));
    super.addParamGroup(group);
  }

  override dispose(): void {
    this.#scratch.free();
    super.dispose();
  }

  #largest(): number {
    return Math.max(4, ...this.groupsWithMemory().flatMap(([, m]) => m.tensors.map((t) => t.size)));
  }

  protected scalars(o: AdafactorOptions, _m: GroupMemory, b: Float32Array, _t: number): number {
    b[AdafactorScalar.keep] = o.weightDecay !== 0 ? 1 - o.lr * o.weightDecay : 1;
    return 0;
  }

  protected run(o: AdafactorOptions, m: GroupMemory, k: Kernels, _flags: number): void {
    const heap = this.#ctx.heap,
      U = this.#scratch.at;
    const t = m.step;
    const eps1 = o.eps[0] ?? FLOAT32_EPS;
    const floor = f(eps1 * eps1),
      rowFloor = f(eps1);
    // torch's lerp with the float32 weight 1 − β2_t = t^τ: the `high` form from |w| ≥ 0.5, as Adam's.
    const w = f(t ** o.beta2Decay),
      high = Math.abs(w) >= 0.5 ? 1 : 0,
      coef = high ? f(w - 1) : w;
    const rho = Math.min(o.lr, 1 / Math.sqrt(t));
    const keep = m.block[AdafactorScalar.keep];
    m.tensors.forEach((p, i) => {
      const n = p.size;
      if (n === 0) return; // nothing to update (torch divides by its √numel, 0, and raises)
      // α_t = max(ε2, RMS(θ_{t−1}))·ρ_t, from the parameters before the decay, as torch's.
      const alpha = pyMax(o.eps[1], f(Math.sqrt(k.sumSquares8_f32(p._data, n))) / Math.sqrt(n)) * rho;
      // A gradient clipped by norm is scaled first, f32(g·c), as torch's clip_grad_norm_ scales it in place.
      let g = p._grad;
      if (m.gradScale !== 1) {
        const G = g >>> 2,
          S = U >>> 2;
        for (let j = 0; j < n; j++) heap[S + j] = heap[G + j] * m.gradScale;
        g = U;
      }
      const shape = p.shape;
      if (shape.length >= 2) {
        const rows = shape[shape.length - 2],
          cols = shape[shape.length - 1],
          size = rows * cols;
        const rowVar = m.stateAt('rowVar', i),
          colVar = m.stateAt('colVar', i);
        for (let b = 0; b * size < n; b++) {
          const gb = g + 4 * b * size,
            rv = rowVar + 4 * b * rows,
            cv = colVar + 4 * b * cols;
          k.adafactorRows_f32(gb, rv, rows, cols, coef, high);
          k.adafactorCols_f32(gb, cv, rows, cols, coef, high);
          const mean = Math.max(f(torchSum(heap, rv >>> 2, rows) / rows), rowFloor);
          k.adafactorUpdate_f32(gb, U + 4 * b * size, rv, cv, rows, cols, mean, floor);
        }
      } else {
        k.adafactor_f32(g, m.stateAt('variance', i), U, n, coef, high, floor);
      }
      // Update clipping: the update's RMS over d, if above 1, divides the step.
      const denom = pyMax(1, f(Math.sqrt(k.sumSquares8_f32(U, n))) / (Math.sqrt(n) * o.d));
      const a = f(-alpha / denom);
      // Maximizing steps along −g: u is odd in g, so the step's coefficient changes sign instead.
      k.muonApply_f32(p._data, U, n, keep, o.maximize ? -a : a);
    });
  }
}
