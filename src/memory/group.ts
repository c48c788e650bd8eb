import type { Context } from '../context.js';
import type { Tensor } from '../tensor.js';
import { alignUp } from './arena.js';

/**
 * A parameter group as the kernels see it: wherever its tensors live (they never move), one kernel
 * call steps them all by walking the group's segment table inside WebAssembly (torch's multi-tensor,
 * "foreach" kernels). Its layout in the heap:
 *
 * - the segment table: for each tensor, four u32 — byte offset of its values, of its gradient, its
 *   length, and the byte offset of its slice within each state buffer;
 * - one region per state buffer (`expAvg`, `momentumBuffer`, ...), the tensors' slices in group order,
 *   each slice padded to a multiple of four floats so that every slice starts 16-byte aligned;
 * - the scalar block: SCALAR_SLOTS f32 the host writes before each kernel call (learning rate, bias
 *   corrections, ...: each kernel file names its slots), so adding a scalar changes no signature.
 */
export const SEGMENT_BYTES = 16;

/** The shape of a state buffer's slice for a tensor of shape `shape` (torch's), or null when it keeps none. */
export type StateShape = (name: string, shape: readonly number[]) => readonly number[] | null;

interface Layout {
  readonly offsets: readonly number[];
  readonly sizes: readonly number[];
  readonly floats: number;
}
export const SCALAR_SLOTS = 16;

export class Group {
  readonly tensors: readonly Tensor[];
  /** Parameters in the group, Σ sizes. */
  readonly n: number;
  /** Floats in each state buffer: the tensors' slices, each padded to four. */
  readonly stateFloats: number;
  /** Byte offsets: the segment table (`count` entries) and the scalar block. */
  readonly segments: number;
  readonly count: number;
  readonly scalarBlock: number;
  /** Byte offset of the thread plan (threads.ts), or −1 for a group stepped by one thread. */
  readonly plan: number;
  /** Byte offset of each state buffer, by torch's state key in camelCase. */
  readonly state = new Map<string, number>();
  /** Each tensor's slice of a state buffer: byte offset from the buffer's start. */
  readonly #sliceOffsets: number[];
  /** Buffers whose slices are not the tensors' sizes (Adafactor's row and column factors), by name. */
  readonly #layouts = new Map<string, Layout>();
  readonly #stateShape: StateShape | undefined;
  readonly #ctx: Context;
  /** 'Adam param group 0': names the group in errors (out of memory, invalid options). */
  readonly where: string;
  #blockGeneration = -1;
  #blockView: Float32Array | null = null;

  /** Allocates the table and the scalar block (no state yet), writing nothing. Call inside `arena.atomically`, then `write()`. */
  constructor(ctx: Context, tensors: readonly Tensor[], where: string, stateShape?: StateShape) {
    this.#ctx = ctx;
    this.#stateShape = stateShape;
    this.tensors = tensors;
    this.count = tensors.length;
    this.n = tensors.reduce((sum, t) => sum + t.size, 0);
    this.#sliceOffsets = [];
    let offset = 0;
    for (const t of tensors) {
      this.#sliceOffsets.push(offset);
      offset += alignUp(4 * t.size);
    }
    this.stateFloats = offset >>> 2;
    this.where = where;
    this.segments = ctx.arena.alloc(SEGMENT_BYTES * this.count, `${where}'s segment table`);
    this.scalarBlock = ctx.arena.alloc(4 * SCALAR_SLOTS, `${where}'s scalar block`);
    const { threads = 1, splitThreshold = Infinity } = ctx.backend;
    this.plan = threads > 1 && this.n >= splitThreshold ? ctx.arena.alloc(planBytes(threads, this.count), `${where}'s thread plan`) : -1;
  }

  /** Writes the segment table and clears the scalar block: once every allocation of the operation succeeded. */
  write(): void {
    const ctx = this.#ctx;
    const u32 = ctx.heapU32;
    this.tensors.forEach((t, k) => {
      const at = (this.segments >>> 2) + 4 * k;
      u32[at] = t._data;
      u32[at + 1] = t._grad;
      u32[at + 2] = t.size;
      u32[at + 3] = this.#sliceOffsets[k];
    });
    ctx.heap.fill(0, this.scalarBlock >>> 2, (this.scalarBlock >>> 2) + SCALAR_SLOTS);
    if (this.plan >= 0) {
      writePlan(u32, this.plan, ctx.backend.threads!, this.tensors, this.#sliceOffsets);
      ctx.backend.plans!.set(this.segments, this.plan);
    }
  }

  /**
   * Leaves tensor k out of every later kernel call (its entry's length set to 0): for a tensor disposed
   * while the group still refers to it. A thread plan lists it too, so the group is no longer split.
   */
  leaveOut(k: number): void {
    this.#ctx.heapU32[(this.segments >>> 2) + 4 * k + 2] = 0;
    this.#ctx.backend.plans?.delete(this.segments);
  }

  /** The scalar block as f32 slots (writing a number rounds it to f32 once, as a wasm f32 argument would). */
  get block(): Float32Array {
    const backend = this.#ctx.backend;
    if (this.#blockGeneration !== backend.generation) {
      this.#blockGeneration = backend.generation;
      this.#blockView = new Float32Array(backend.buffer, this.scalarBlock, SCALAR_SLOTS);
    }
    return this.#blockView!;
  }

  /** Allocates a state buffer's region (not yet the group's). Call inside `arena.atomically`. */
  allocStateRegion(name: string): number {
    return this.#ctx.arena.alloc(Math.max(16, 4 * this.#floats(name)), `${this.where} state '${name}'`);
  }

  /** Makes a region from `allocStateRegion` the group's state buffer `name`, filled with `fill`. */
  addState(name: string, at: number, fill: number): void {
    this.state.set(name, at);
    this.#ctx.heap.fill(fill, at >>> 2, (at >>> 2) + this.#floats(name));
  }

  /** The shape of tensor k's slice of buffer `name`: its own, or the optimizer's (Adafactor's factors); null if it keeps none. */
  stateShape(name: string, k: number): readonly number[] | null {
    const t = this.tensors[k];
    return this.#stateShape ? this.#stateShape(name, t.shape) : t.shape;
  }

  /** Floats in tensor k's slice of buffer `name` (0: it keeps none). */
  stateSize(name: string, k: number): number {
    const layout = this.#layout(name);
    return layout ? layout.sizes[k] : this.tensors[k].size;
  }

  /** Gives back state buffer `name` (one the options no longer need). */
  freeState(name: string): void {
    const at = this.state.get(name);
    if (at === undefined) return;
    this.#ctx.arena.free(at);
    this.state.delete(name);
  }

  /** Refills state buffer `name` with its initial value. */
  fillState(name: string, fill: number): void {
    const at = this.state.get(name)! >>> 2;
    this.#ctx.heap.fill(fill, at, at + this.#floats(name));
  }

  /** Byte offset of tensor k's slice of state buffer `name`. */
  stateAt(name: string, k: number): number {
    return this.state.get(name)! + (this.#layout(name)?.offsets[k] ?? this.#sliceOffsets[k]);
  }

  /** A copy of tensor k's slice of a state buffer. */
  readState(name: string, k: number): Float32Array {
    const start = this.stateAt(name, k) >>> 2;
    return this.#ctx.heap.slice(start, start + this.stateSize(name, k));
  }

  writeState(name: string, k: number, values: ArrayLike<number>): void {
    this.#ctx.heap.set(values, this.stateAt(name, k) >>> 2);
  }

  #floats(name: string): number {
    return this.#layout(name)?.floats ?? this.stateFloats;
  }

  /** Buffer `name`'s own layout when the optimizer shapes its state (undefined: the tensors' layout). */
  #layout(name: string): Layout | undefined {
    if (this.#stateShape === undefined) return undefined;
    let layout = this.#layouts.get(name);
    if (layout === undefined) {
      const offsets: number[] = [],
        sizes: number[] = [];
      let offset = 0;
      this.tensors.forEach((_, k) => {
        const size = (this.stateShape(name, k) ?? [0]).reduce((n, d) => n * d, 1);
        offsets.push(offset);
        sizes.push(size);
        offset += alignUp(4 * size);
      });
      layout = { offsets, sizes, floats: offset >>> 2 };
      this.#layouts.set(name, layout);
    }
    return layout;
  }

  zeroGrads(): void {
    const heap = this.#ctx.heap;
    for (const t of this.tensors) heap.fill(0, t._grad >>> 2, (t._grad >>> 2) + t.size);
  }

  /** Gives back the table, the scalar block and every state buffer (the tensors stay where they are). */
  free(): void {
    const arena = this.#ctx.arena;
    for (const at of this.state.values()) arena.free(at);
    this.state.clear();
    arena.free(this.scalarBlock);
    if (this.plan >= 0) {
      this.#ctx.backend.plans!.delete(this.segments);
      arena.free(this.plan);
    }
    arena.free(this.segments);
  }
}

/** A plan's bytes: a (table, count) pair per thread, then the sub-tables, which have at most count + threads − 1 entries in all. */
function planBytes(threads: number, count: number): number {
  return 8 * threads + SEGMENT_BYTES * (count + threads);
}

/**
 * Splits the group's elements into `threads` contiguous ranges of near-equal size, each boundary
 * moved down to a multiple of four floats within its tensor (so every slice stays 16-byte aligned),
 * and writes each range as a segment table of its own: the tensors (or parts of tensors) it covers.
 */
function writePlan(u32: Uint32Array, plan: number, threads: number, tensors: readonly Tensor[], sliceOffsets: readonly number[]): void {
  const n = tensors.reduce((sum, t) => sum + t.size, 0);
  const starts: number[] = [];
  let start = 0;
  for (const t of tensors) {
    starts.push(start);
    start += t.size;
  }
  const boundary = (j: number): number => {
    if (j >= threads) return n;
    const target = Math.floor((j * n) / threads);
    let k = 0;
    while (k + 1 < tensors.length && starts[k + 1] <= target) k++;
    return starts[k] + ((target - starts[k]) & ~3);
  };
  let table = plan + 8 * threads;
  for (let j = 0; j < threads; j++) {
    const lo = boundary(j),
      hi = Math.max(lo, boundary(j + 1));
    let entries = 0;
    tensors.forEach((t, k) => {
      const from = Math.max(lo, starts[k]) - starts[k],
        to = Math.min(hi, starts[k] + t.size) - starts[k];
      if (to <= from) return;
      const at = (table >>> 2) + 4 * entries++;
      u32[at] = t._data + 4 * from;
      u32[at + 1] = t._grad + 4 * from;
      u32[at + 2] = to - from;
      u32[at + 3] = sliceOffsets[k] + 4 * from;
    });
    u32[(plan >>> 2) + 2 * j] = table;
    u32[(plan >>> 2) + 2 * j + 1] = entries;
    table += SEGMENT_BYTES * entries;
  }
}
