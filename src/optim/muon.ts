import type { Kernels } from '../backend/kernels.js';
import type { Context } from '../context.js';
import { describe } from '../describe.js';
import { MuonFlag, MuonScalar } from '../kernels/muon.js';
import { Tensor } from '../tensor.js';
import type { GroupMemory } from './groupMemory.js';
import { Optimizer } from './optimizer.js';
import { Products } from './products.js';
import { mayJoin, Scratch } from './scratch.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import type { OptionsInput, ParamGroupInput, Params } from './paramGroups.js';
import type { TrainingOptions } from './training.js';
import { atLeast, finite, flag } from './validate.js';

export interface MuonOptions {
  lr: number;
  /** Decoupled: p ← p·(1 − lr·weightDecay) before the update. */
  weightDecay: number;
  momentum: number;
  nesterov: boolean;
  /** (a, b, c) of the quintic Newton–Schulz step X ← a·X + (b·A + c·A²)·X, A = X·Xᵀ. */
  nsCoefficients: [number, number, number];
  eps: number;
  nsSteps: number;
  /** How the lr scales with the matrix's shape: 'original' √max(1, rows/cols), 'match_rms_adamw' 0.2·√max(rows, cols); null is torch's None, 'original'. */
  adjustLrFn: 'original' | 'match_rms_adamw' | null;
}

const f = Math.fround;

const spec: OptimizerSpec<MuonOptions> = {
  name: 'Muon',
  slots: MuonScalar,
  derivedSlots: [],
  // torch 2.13's defaults (its adjust_lr_fn None is 'original').
  defaults: {
    lr: 1e-3,
    weightDecay: 0.1,
    momentum: 0.95,
    nesterov: true,
    nsCoefficients: [3.4445, -4.775, 2.0315],
    eps: 1e-7,
    nsSteps: 5,
    adjustLrFn: 'original',
  },
  check(where, o) {
    atLeast(where, 'lr', o.lr, 0);
    atLeast(where, 'weightDecay', o.weightDecay, 0);
    atLeast(where, 'momentum', o.momentum, 0);
    flag(where, 'nesterov', o.nesterov);
    if (!Array.isArray(o.nsCoefficients) || o.nsCoefficients.length !== 3)
      throw new TypeError(`${where}: nsCoefficients must be an array of three numbers (a, b, c), got ${describe(o.nsCoefficients)}`);
    o.nsCoefficients.forEach((v, i) => finite(where, `nsCoefficients[${i}]`, v));
    atLeast(where, 'eps', o.eps, 0);
    if (!Number.isInteger(o.nsSteps) || o.nsSteps < 0 || o.nsSteps >= 100)
      throw new RangeError(`${where}: invalid nsSteps = ${describe(o.nsSteps)}: must be an integer in [0, 100) (torch's bound)`);
    if (o.adjustLrFn !== 'original' && o.adjustLrFn !== 'match_rms_adamw' && o.adjustLrFn !== null)
      throw new RangeError(
        `${where}: invalid adjustLrFn = ${describe(o.adjustLrFn)}: must be 'original', 'match_rms_adamw' or null (torch's None: 'original')`,
      );
  },
  stateBuffers: () => [{ name: 'momentumBuffer', fill: 0 }],
};

/** Floats of scratch the iteration needs for an R×C matrix (r ≤ c its sides): U, X, Xᵀ, B·X (r·c each), A, A², B (r² each). */
function scratchFloats([R, C]: readonly number[]): number {
  const r = Math.min(R, C),
    c = Math.max(R, C);
  return 4 * r * c + 3 * r * r + 16;
}

/** The longest inner dimension of the iteration's products for a matrix: its longer side (X·Xᵀ). */
const innerOf = (shape: readonly number[]) => Math.max(1, ...shape);

/** Throws unless every tensor of `params` is a matrix: Muon orthogonalizes 2-D updates only, as torch's. */
function checkMatrices(where: string, params: unknown): void {
  const groups = Array.isArray(params) && params.every((p) => p instanceof Tensor) ? [{ params }] : Array.isArray(params) ? params : [];
  for (const g of groups as { params?: unknown }[]) {
    if (typeof g !== 'object' || g === null || !Array.isArray(g.params)) continue; // the base class names that mistake
    for (const t of g.params) {
      if (t instanceof Tensor && t.shape.length !== 2)
        throw new TypeError(
          `${where}: tensor '${t.name}' has shape [${t.shape.join(', ')}]: Muon steps 2-D weight matrices only (make it with rv.tensor(name, values, { shape: [rows, cols] })); give the others (biases, norms, embeddings) to AdamW, as torch's docs say`,
        );
    }
  }
}

/**
 * Muon (Jordan et al. 2024; torch 2.13's torch.optim.Muon): SGD momentum whose update, a matrix, is
 * orthogonalized by a Newton–Schulz iteration before it is applied, equalizing its directions as a
 * Newton step would. torch runs the iteration in bfloat16; ravine runs it in float32, so its parameters
 * land within ~4e-3 of torch's over 40 steps while the momentum buffer is torch's bit for bit.
 */
export class Muon extends Optimizer<MuonOptions> {
  #ctx: Context;
  /** The iteration's matrices, sized for the largest matrix. */
  #scratch: Scratch;
  /** Its products, split across the context's threads when big. */
  #products: Products;

  constructor(params: Params<MuonOptions>, options?: OptionsInput<MuonOptions>, training?: TrainingOptions) {
    checkMatrices('Muon', params);
    super(params, options, spec, training);
    const [[, m]] = this.groupsWithMemory();
    this.#ctx = m.tensors[0]._ctx;
    this.#scratch = new Scratch(this.#ctx, "Muon's Newton–Schulz scratch");
    this.#products = new Products(this.#ctx);
    try {
      this.#scratch.reserve(this.#need());
      this.#products.reserve(Math.max(...this.groupsWithMemory().flatMap(([, m]) => m.tensors.map((t) => innerOf(t.shape)))));
    } catch (e) {
      this.dispose(); // the groups' memory back, and the tensors free to join another optimizer
      throw e;
    }
  }

  override addParamGroup(group: ParamGroupInput<MuonOptions>): void {
    checkMatrices('Muon.addParamGroup', [group]);
    // The scratch first: a group added without room for its iteration would write past it at the next step.
    // (If the group is then refused, the scratch stays larger: no harm.)
    const tensors = Array.isArray(group?.params) ? group.params.filter((t): t is Tensor => t instanceof Tensor) : [];
    if (!this.disposed && mayJoin(this.#ctx, tensors)) {
      this.#scratch.reserve(Math.max(this.#need(), ...tensors.map((t) => scratchFloats(t.shape))));
      this.#products.reserve(Math.max(1, ...tensors.map((t) => innerOf(t.shape))));
    }
    super.addParamGroup(group);
  }

  override dispose(): void {
    this.#scratch.free();
    this.#products.free();
    super.dispose();
  }

  #need(): number {
    return Math.max(0, ...this.groupsWithMemory().flatMap(([, m]) => m.tensors.map((t) => scratchFloats(t.shape))));
  }

  protected scalars(o: MuonOptions, m: GroupMemory, b: Float32Array, _t: number): number {
    const w = f(1 - o.momentum);
    b[MuonScalar.sign] = m.gradScale;
    b[MuonScalar.lerpCoef] = w >= 0.5 ? -(1 - w) : w;
    return w >= 0.5 ? MuonFlag.lerpHigh : 0;
  }

  protected run(o: MuonOptions, m: GroupMemory, k: Kernels, flags: number): void {
    k.muon_f32(m.segments, m.state.get('momentumBuffer')!, m.count, m.scalarBlock, flags);
    const heap = this.#ctx.heap;
    const [na, nb, nc] = o.nsCoefficients.map(f);
    const mu = f(o.momentum),
      nesterovCoef = mu >= 0.5 ? f(-(1 - mu)) : mu;
    const keep = f(1 - o.lr * o.weightDecay);
    m.tensors.forEach((t, i) => {
      const [R, C] = t.shape;
      const r = Math.min(R, C),
        c = Math.max(R, C),
        n = R * C;
      // The scratch's regions, in bytes: U (the update, R×C), X (r×c), Xᵀ, B·X, A, A², B.
      const U = this.#scratch.at,
        X = U + 4 * n,
        Xt = X + 4 * n,
        BX = Xt + 4 * n,
        A = BX + 4 * n,
        AA = A + 4 * r * r,
        B = AA + 4 * r * r;
      const buf = m.stateAt('momentumBuffer', i);
      // torch: update = grad.lerp(buf, μ) with Nesterov, buf itself without (copied: the iteration works in place).
      // The gradient is the one the momentum read: clipped by norm, it is scaled (gradScale) first, as torch's
      // clip_grad_norm_ scales it in place (f32(g·c): the same host loop on both backends).
      let grad = t._grad;
      if (o.nesterov && m.gradScale !== 1) {
        const G = t._grad >>> 2,
          S = U >>> 2;
        for (let j = 0; j < n; j++) heap[S + j] = heap[G + j] * m.gradScale;
        grad = U;
      }
      if (o.nesterov) k.lerp_f32(U, grad, buf, n, nesterovCoef, mu >= 0.5 ? 1 : 0);
      else heap.copyWithin(U >>> 2, buf >>> 2, (buf >>> 2) + n);
      const transposed = R > C;
      if (transposed) k.transpose_f32(U, X, R, C);
      else heap.copyWithin(X >>> 2, U >>> 2, (U >>> 2) + n);
      const norm = f(Math.sqrt(k.sumSquares_f32(X, n)));
      k.divide_f32(X, n, Math.max(norm, f(o.eps)));
      for (let s = 0; s < o.nsSteps; s++) {
        k.transpose_f32(X, Xt, r, c);
        this.#products.matmul(k, X, Xt, A, r, c, r);
        this.#products.matmul(k, A, A, AA, r, r, r);
        k.axpby_f32(B, A, AA, r * r, nb, nc);
        this.#products.matmul(k, B, X, BX, r, r, c);
        k.axpby_f32(X, X, BX, n, na, 1);
      }
      const update = transposed ? U : X;
      if (transposed) k.transpose_f32(X, U, r, c);
      const ratio = o.adjustLrFn === 'match_rms_adamw' ? 0.2 * Math.sqrt(Math.max(R, C)) : Math.sqrt(Math.max(1, R / C));
      k.muonApply_f32(t._data, update, n, keep, f(-(o.lr * ratio)));
    });
  }
}
