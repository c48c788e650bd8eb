import type { Kernels } from '../backend/kernels.js';
import type { Context } from '../context.js';
import { AccumulateFlag, ProspectFlag } from '../kernels/gradients.js';
import { copyExternalIn, copyGradsOut, type GroupMemory } from './groupMemory.js';
import { clipCoefficient, totalNorm, trainingBuffers, type Diagnostics, type Training } from './training.js';

// The passes the training options (training.ts) run around an optimizer's update, over all its groups:
// accumulation, the non-finite guard, clipping and diagnostics before it, diagnostics after it. step()
// calls them only when a training option is on; the plain step never comes here.

/** What the passes carry from one step to the next: the optimizer's, read by its getters and checkpoints. */
export interface PassCounters {
  /** Micro-batches accumulated since the last update (accumulate > 1). */
  pending: number;
  /** Steps the non-finite guard skipped. */
  skipped: number;
  /** What the last update measured, with `diagnostics: true`; null before one. */
  diagnostics: Diagnostics | null;
}

/**
 * The training passes before an update, in this order: accumulation (false until the k-th micro-batch,
 * which turns the gradients into the mean), the non-finite guard (false: skipped) and the clipping norm,
 * sharing one reduction when they can; clipGradValue in place; clipGradNorm's coefficient into each
 * group's gradScale; the diagnostics pass. Nothing here touches parameters or optimizer state.
 * `scratch`: 32 bytes for the diagnostics kernel's three f64 sums; `optimizer` names it in errors.
 */
export function prepare(ctx: Context, memory: readonly GroupMemory[], t: Training, counters: PassCounters, scratch: number, optimizer: string): boolean {
  const k = ctx.backend.kernels;
  for (const m of memory) if (m.external.length > 0) copyExternalIn(m.external);
  refuseNonFinite(k, memory, t, counters, optimizer);
  if (t.accumulate > 1) {
    const last = counters.pending + 1 === t.accumulate;
    const flags = (counters.pending === 0 ? AccumulateFlag.first : 0) | (last ? AccumulateFlag.finish : 0);
    const invK = Math.fround(1 / t.accumulate);
    for (const m of memory) {
      k.accumulate_f32(m.segments, m.state.get('accumulatedGrad')!, m.count, flags, invK);
      m.fresh.delete('accumulatedGrad'); // written: a checkpoint must carry it
    }
    if (!last) {
      counters.pending++;
      return false;
    }
    // The grad arrays now hold the mean; pending drops to 0 once the update is certain (below).
    copyGradsOut(memory);
  }
  const clip = t.clipGradNorm;
  let sum = NaN;
  if (t.skipNonFinite || (clip !== null && t.clipGradValue === null)) {
    // The guard reads the norm clipping needs (finite exactly when every gradient is): one pass for both.
    sum = partials(k, memory, t.clipGradValue === null && clip !== null ? clip.normType : 2);
    if (!Number.isFinite(sum) && t.skipNonFinite) {
      counters.skipped++;
      counters.pending = 0; // the k micro-batches are skipped together
      return false;
    }
  }
  if (t.clipGradValue !== null) {
    const v = Math.fround(t.clipGradValue);
    for (const m of memory) k.clampGrads_f32(m.segments, m.count, v);
    copyGradsOut(memory);
    if (clip !== null) sum = partials(k, memory, clip.normType);
  }
  if (clip !== null) {
    const total = totalNorm(clip.normType, sum);
    if (!Number.isFinite(total) && clip.errorIfNonfinite) throw nonFiniteNorm(optimizer, clip.normType, total, counters.pending);
    const coef = clipCoefficient(clip.maxNorm, total);
    if (coef !== 1) for (const m of memory) m.gradScale = coef;
  }
  if (t.diagnostics) {
    const f64 = new Float64Array(ctx.backend.buffer, scratch, 3);
    let gg = 0,
      gp = 0,
      pp = 0,
      first = false;
    for (const m of memory) {
      first ||= m.fresh.has('previousGrad');
      k.diagnose_f32(m.segments, m.state.get('previousGrad')!, m.state.get('previousParams')!, m.count, scratch);
      m.fresh.delete('previousGrad');
      m.fresh.delete('previousParams');
      gg += f64[0];
      gp += f64[1];
      pp += f64[2];
    }
    counters.diagnostics = { gradNorm: Math.sqrt(gg), updateNorm: NaN, cosine: first || gg === 0 || pp === 0 ? null : gp / Math.sqrt(gg * pp) };
  }
  counters.pending = 0;
  return true;
}

/**
 * errorIfNonfinite refuses a step whose clipping norm is not finite, and a refused step leaves the
 * user's gradients as they were. The passes before the norm write into them (accumulation's last
 * micro-batch writes the mean; clipGradValue clamps), so when one of them would run, measure first what
 * they would leave, writing nothing (prospectiveNorm_f32: the same partials as the norm after them, so
 * the same decision, bit for bit). The float32 norm can overflow though every element is finite. With
 * the guard on, gradients holding NaN or ±Infinity skip the step instead: those are left to it.
 */
function refuseNonFinite(k: Kernels, memory: readonly GroupMemory[], t: Training, counters: PassCounters, optimizer: string): void {
  const clip = t.clipGradNorm;
  if (clip === null || !clip.errorIfNonfinite) return;
  const finishing = t.accumulate > 1 && counters.pending + 1 === t.accumulate;
  // A micro-batch that is only accumulated has no norm yet; a plain step writes nothing before its norm.
  if (t.accumulate > 1 ? !finishing : t.clipGradValue === null) return;
  const mean = finishing ? ProspectFlag.finish | (counters.pending === 0 ? ProspectFlag.first : 0) : 0;
  const flags = mean | (t.clipGradValue !== null ? ProspectFlag.clamp : 0);
  const total = totalNorm(clip.normType, prospect(k, memory, clip.normType === Infinity ? 0 : clip.normType, flags, t));
  if (Number.isFinite(total)) return;
  if (t.skipNonFinite && !Number.isFinite(prospect(k, memory, 2, mean, t))) return; // the guard skips this step
  throw nonFiniteNorm(optimizer, clip.normType, total, counters.pending);
}

/** Σ over groups of prospectiveNorm_f32's partials (as partials() below sums gradNorm_f32's). */
function prospect(k: Kernels, memory: readonly GroupMemory[], normType: number, flags: number, t: Training): number {
  const invK = Math.fround(1 / t.accumulate),
    clip = t.clipGradValue === null ? 0 : Math.fround(t.clipGradValue);
  let sum = 0;
  for (const m of memory) {
    const acc = (flags & ProspectFlag.finish) !== 0 ? m.state.get('accumulatedGrad')! : 0;
    const p = k.prospectiveNorm_f32(m.segments, acc, m.count, normType, flags, invK, clip);
    sum = normType === 0 ? (p > sum || p !== p ? p : sum) : sum + p;
  }
  return sum;
}

function nonFiniteNorm(optimizer: string, normType: number, total: number, pending: number): RangeError {
  const kept = pending > 0 ? `; the ${pending} micro-batches before this one are still accumulated` : '';
  return new RangeError(
    `${optimizer}.step: the total norm of order ${normType} of the gradients is ${total}, so clipGradNorm cannot clip them (errorIfNonfinite); parameters, state and gradients are untouched${kept}`,
  );
}

/** Σ over groups of the gradients' partial norms (assembly/gradients.ts), in group order. */
function partials(k: Kernels, memory: readonly GroupMemory[], normType: number): number {
  let sum = 0;
  for (const m of memory) {
    const p = k.gradNorm_f32(m.segments, m.count, normType === Infinity ? 0 : normType);
    sum = normType === Infinity ? (p > sum || p !== p ? p : sum) : sum + p;
  }
  return sum;
}

/** After the update: the gradient scale back to 1, the update's norm measured. */
export function finish(ctx: Context, memory: readonly GroupMemory[], t: Training, counters: PassCounters): void {
  for (const m of memory) m.gradScale = 1;
  if (t.diagnostics) {
    let uu = 0;
    for (const m of memory) uu += ctx.backend.kernels.updateNorm_f32(m.segments, m.state.get('previousParams')!, m.count);
    counters.diagnostics = { ...counters.diagnostics!, updateNorm: Math.sqrt(uu) };
  }
}

/** Frees the buffers training options `before` needed and `after` do not (configure, loadStateDict). */
export function freeDropped(memory: readonly GroupMemory[], before: Training, after: Training): void {
  const keep = new Set(trainingBuffers(after).map((b) => b.name));
  for (const m of memory) {
    for (const b of trainingBuffers(before)) {
      if (keep.has(b.name)) continue;
      m.freeState(b.name);
      m.fresh.delete(b.name);
    }
  }
}

/** Fills the buffers training options `t` need, as if newly allocated (a version-1 checkpoint has none). */
export function restartTrainingBuffers(memory: readonly GroupMemory[], t: Training): void {
  for (const m of memory) {
    for (const b of trainingBuffers(t)) {
      m.fillState(b.name, b.fill);
      m.fresh.add(b.name);
    }
  }
}
