import { describe } from './describe.js';
import type { BackendName } from './backend/kernels.js';
import { simdSupported } from './backend/detect.js';
import { jsBackend } from './backend/js.js';
import { WasmLoadError, type WasmSource } from './backend/source.js';
import { MAX_BYTES, PAGE } from './backend/kernels.js';
import { compileModule, wasmBackend, type HeapSize, type WasmBackend } from './backend/wasm.js';
import { CONTROL } from './backend/control.js';
import { policyReason } from './backend/csp.js';
import { availableCores, MAX_THREADS, splitThreshold, THREAD_TIMEOUT_MS, ThreadPool, threadedKernels } from './backend/threads.js';
import { Context } from './context.js';
import { alignUp } from './memory/arena.js';
import type { Tensor } from './tensor.js';

export interface RavineOptions {
  /** `'auto'` (default): `'simd'` when the engine validates a SIMD module, else `'js'`. */
  backend?: BackendName | 'auto';
  /**
   * The SIMD binary: bytes, a compiled `WebAssembly.Module`, or a URL. Default: `ravine/ravine.wasm`,
   * found beside the package through `import.meta.url`.
   */
  wasm?: WasmSource;
  /**
   * Bytes of heap to reserve up front (default: one 64 KiB page). Where views are not stable
   * (`rv.viewsStable === false`), reserve what training needs so that the heap never grows and a view
   * cached in a local never goes stale.
   */
  reserveBytes?: number;
  /** The most bytes the heap may grow to (default and limit: 4 GiB, wasm32's address space). */
  maxBytes?: number;
  /**
   * Threads that step a big group together (default 1): a number, or `'auto'` for the cores there are
   * (`os.availableParallelism()`, `navigator.hardwareConcurrency`). Needs the SIMD backend on a shared
   * memory (Node; a cross-origin-isolated page); elsewhere the context runs on one thread and
   * `rv.threadsReason` says why.
   */
  threads?: number | 'auto';
}

/**
 * A ravine context: one heap (wasm linear memory, or an ArrayBuffer for the JS backend) holding
 * parameters, gradients and optimizer state, and the kernels that update them.
 */
export class Ravine {
  readonly #ctx: Context;
  #disposed = false;
  /**
   * Why this context runs on the JS backend although `'auto'` was asked for: the engine has no
   * WebAssembly SIMD, or the binary could not be loaded (the load error's message; in a page whose
   * Content-Security-Policy lacks `'wasm-unsafe-eval'`, it names the policy). `undefined` when
   * the backend is the one asked for, or `'auto'` got SIMD.
   */
  readonly fallbackReason: string | undefined;
  /**
   * Why the context has fewer threads than asked for (no shared memory, the JS backend, workers that
   * failed to start: in a page whose Content-Security-Policy refuses blob: workers, it names the policy
   * and the directive).
   */
  readonly threadsReason: string | undefined;

  /** @internal use createRavine */
  constructor(ctx: Context, fallbackReason?: string, threadsReason?: string) {
    this.#ctx = ctx;
    this.fallbackReason = fallbackReason;
    this.threadsReason = threadsReason;
  }

  /** Threads that step a group big enough to split (1: the calling thread alone). */
  get threads(): number {
    return this.#ctx.backend.threads ?? 1;
  }

  /** @internal the context behind this handle, for ravine's own modules */
  get _context(): Context {
    this.#assertLive();
    return this.#ctx;
  }

  /** The backend in use: `'simd'` (WebAssembly SIMD) or `'js'` (the bit-identical fallback). */
  get backend(): BackendName {
    return this.#ctx.backend.name;
  }

  /**
   * True when growth of the heap never invalidates a view: a shared WebAssembly.Memory (Node, and
   * cross-origin-isolated pages) or a resizable ArrayBuffer (the JS backend on current engines). Then a
   * `t.data` or `t.grad` cached in a local is valid until the tensor is disposed. False elsewhere: growth
   * detaches every view, so reserve memory up front (`reserveBytes`) or re-read views after allocating.
   */
  get viewsStable(): boolean {
    return this.#ctx.backend.viewsStable;
  }

  /** Bytes of heap now reserved (wasm: the memory's size), and the most the arena has ever needed. */
  get memoryBytes(): number {
    this.#assertLive();
    return this.#ctx.backend.buffer.byteLength;
  }
  get highWaterBytes(): number {
    this.#assertLive();
    return this.#ctx.arena.highWater;
  }

  /**
   * A zero-filled (or `values`-initialised) parameter of `size` floats, and its gradient, in linear memory.
   * `options.shape` gives it a row-major shape (as torch's) whose product must be its length.
   */
  tensor(name: string, sizeOrValues: number | ArrayLike<number>, options?: TensorOptions): Tensor {
    this.#assertLive();
    checkName(this.#ctx, name);
    const size = typeof sizeOrValues === 'number' ? sizeOrValues : sizeOrValues?.length;
    if (typeof sizeOrValues !== 'number' && (typeof sizeOrValues !== 'object' || sizeOrValues === null)) {
      throw new TypeError(`tensor '${name}': size must be a number or an array of values, got ${describe(sizeOrValues)}`);
    }
    checkSize(name, size);
    const shape = readShape(`tensor '${name}'`, options, size);
    // Read the values before allocating: a bad array throws here, with nothing allocated.
    const initial = typeof sizeOrValues === 'number' ? null : readValues(name, sizeOrValues);
    const tensor = this.#ctx.createTensor(name, size, null, shape);
    if (initial) tensor.data.set(initial);
    return tensor;
  }

  /**
   * Adopts the user's own arrays: `data` (and `grad`, created when omitted) stay the source of truth.
   * Each `step()` copies them into linear memory and the new values back out: three extra passes over
   * the tensor per step, the price of keeping the user's arrays.
   */
  adopt(name: string, data: Float32Array, grad?: Float32Array, options?: TensorOptions): Tensor {
    this.#assertLive();
    checkName(this.#ctx, name);
    if (!(data instanceof Float32Array)) throw new TypeError(`adopt '${name}': data must be a Float32Array, got ${describe(data)}`);
    if (grad !== undefined && !(grad instanceof Float32Array)) {
      throw new TypeError(`adopt '${name}': grad must be a Float32Array, got ${describe(grad)}`);
    }
    if (grad !== undefined && grad.length !== data.length) {
      throw new RangeError(`adopt '${name}': grad has length ${grad.length}, data has length ${data.length}`);
    }
    const shape = readShape(`adopt '${name}'`, options, data.length);
    return this.#ctx.createTensor(name, data.length, { data, grad: grad ?? new Float32Array(data.length) }, shape);
  }

  /** Gives the whole heap back; every tensor and optimizer of this context becomes unusable. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#ctx.dispose();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  #assertLive(): void {
    if (this.#disposed) throw new TypeError('this Ravine context has been disposed');
  }
}

/** What a tensor may be made with besides its values. */
export interface TensorOptions {
  /** Row-major dimensions (as torch's), each an integer >= 0, whose product is the tensor's length. */
  shape?: readonly number[];
}

/** `options.shape`, checked against the tensor's `size` (undefined: none given). */
function readShape(where: string, options: unknown, size: number): number[] | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) if (key !== 'shape') throw new TypeError(`${where}: unknown option ${describe(key)} (the option is shape)`);
  const shape = (options as TensorOptions).shape;
  if (shape === undefined) return undefined;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0))
    throw new TypeError(`${where}: shape must be an array of integers >= 0, got ${describe(shape)}`);
  const product = shape.reduce((n, d) => n * d, 1);
  if (product !== size) throw new RangeError(`${where}: shape [${shape.join(', ')}] holds ${product} values, and the tensor has ${size}`);
  return [...shape];
}

function checkName(ctx: Context, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') throw new TypeError(`tensor name must be a non-empty string, got ${describe(name)}`);
  if (ctx.hasName(name)) throw new TypeError(`tensor name '${name}' is already in use in this context`);
}

/** Numbers only: a Float32Array or Float64Array, or an array(-like) whose every element is a number. */
function readValues(name: string, values: ArrayLike<number>): Float32Array {
  if (values instanceof Float32Array || values instanceof Float64Array) return Float32Array.from(values);
  if (ArrayBuffer.isView(values)) {
    throw new TypeError(`tensor '${name}': values must be numbers (an array, a Float32Array or a Float64Array), got ${describe(values)}`);
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new TypeError(`tensor '${name}': values[${i}] must be a number, got ${describe(v)}`);
    out[i] = v;
  }
  return out;
}

function checkSize(name: string, size: unknown): asserts size is number {
  if (!Number.isInteger(size) || (size as number) < 0 || (size as number) > 2 ** 28) {
    throw new RangeError(`tensor '${name}': size must be an integer in [0, 2^28], got ${describe(size)}`);
  }
}

/**
 * Creates a context on the requested backend. `'auto'` (the default) uses SIMD where the engine has it
 * and the binary loads; otherwise it falls back to the bit-identical JS backend, warns with
 * `console.warn`, and says why in `rv.fallbackReason`. `'simd'` rejects instead, with a
 * `WasmLoadError` naming what failed (the URL and HTTP status, the file, or "not a ravine module").
 * A failed load is not remembered: the next call tries again.
 */
export async function createRavine(options: RavineOptions = {}): Promise<Ravine> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`createRavine: options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new TypeError(`createRavine: unknown option ${describe(key)} (options are ${OPTION_KEYS.join(', ')})`);
  }
  const requested = options.backend ?? 'auto';
  if (requested !== 'auto' && requested !== 'simd' && requested !== 'js') {
    throw new RangeError(`createRavine: backend must be 'auto', 'simd' or 'js', got ${describe(requested)}`);
  }
  const size = heapSize(options);
  const threads = threadCount(options.threads);
  const oneThread = threads > 1 ? 'the JS backend runs on one thread' : undefined;
  const js = (reason?: string) => new Ravine(new Context(jsBackend(size.initialBytes, size.maxBytes)), reason, oneThread);
  if (requested === 'js') return js();
  if (!simdSupported()) {
    if (requested === 'simd') throw new TypeError("createRavine: backend 'simd' was requested, but this engine has no WebAssembly SIMD");
    return js('this engine has no WebAssembly SIMD');
  }
  const simd = async () => {
    const plain = await wasmBackend(await compileModule(options.wasm), size);
    // The threads start before the context exists, which is then built on the backend it keeps.
    const { backend, reason } = await startThreads(plain, threads);
    return new Ravine(new Context(backend), undefined, reason);
  };
  if (requested === 'simd') return simd();
  try {
    return await simd();
  } catch (e) {
    if (e instanceof TypeError && !(e instanceof WasmLoadError)) throw e; // a bad `wasm` option is the caller's mistake
    const reason = (e as Error).message;
    console.warn(`${reason}; falling back to the JS backend (bit-identical, slower)`);
    return js(reason);
  }
}

const OPTION_KEYS = ['backend', 'wasm', 'reserveBytes', 'maxBytes', 'threads'];

/** The `threads` option as a count: 'auto' is the cores there are. */
function threadCount(threads: RavineOptions['threads'] = 1): number {
  if (threads === 'auto') return availableCores();
  if (!Number.isInteger(threads) || (threads as number) < 1 || (threads as number) > MAX_THREADS) {
    throw new RangeError(`createRavine: threads must be 'auto' or an integer in [1, ${MAX_THREADS}], got ${describe(threads)}`);
  }
  return threads as number;
}

/**
 * Starts the worker threads of a SIMD backend (threads.ts), before any context is built on it, and
 * returns the backend the context gets: the same heap, with its kernels wrapped to split big groups and
 * its first bytes (after the module's data) the threads' control block, so the context's arena starts
 * after them. With fewer threads than asked for, says why (no shared memory, or workers that could not
 * start: then it warns) and returns the plain backend, to step on one thread.
 */
async function startThreads(plain: WasmBackend, threads: number): Promise<{ backend: WasmBackend; reason?: string }> {
  if (threads <= 1) return { backend: plain };
  if (!plain.viewsStable) {
    return {
      backend: plain,
      reason: 'this engine or page cannot share memory between threads (no SharedArrayBuffer, or a page without cross-origin isolation: COOP and COEP headers)',
    };
  }
  const control = alignUp(plain.heapBase);
  if (!plain.grow(control + CONTROL.bytes))
    return { backend: plain, reason: `worker threads could not start (no room for their ${CONTROL.bytes}-byte control block)` };
  new Int32Array(plain.buffer, control, CONTROL.bytes >>> 2).fill(0);
  try {
    const pool = await ThreadPool.start(plain.module, plain.memory, control, plain.exports, { threads, timeoutMs: THREAD_TIMEOUT_MS });
    return { backend: withThreads(plain, pool, control + CONTROL.bytes) };
  } catch (e) {
    const message = (e as Error).message;
    const policy = policyReason(message); // the page's Content-Security-Policy, said first (csp.ts)
    const reason = policy ? `worker threads could not start: ${policy}` : `worker threads could not start (${message})`;
    console.warn(`ravine: ${reason}; stepping on one thread`);
    return { backend: plain, reason };
  }
}

/** `plain` with its worker threads: kernels that split big groups, the split plans, and a heap base past the control block. */
function withThreads(plain: WasmBackend, pool: ThreadPool, heapBase: number): WasmBackend {
  const plans = new Map<number, number>();
  return {
    name: plain.name,
    module: plain.module,
    memory: plain.memory,
    exports: plain.exports,
    kernels: threadedKernels(plain.kernels, pool, plans),
    heapBase,
    viewsStable: plain.viewsStable,
    maxBytes: plain.maxBytes,
    get buffer() {
      return plain.buffer;
    },
    get generation() {
      return plain.generation;
    },
    grow: (bytes: number) => plain.grow(bytes),
    threads: pool.threads,
    splitThreshold: splitThreshold(pool.threads),
    plans,
    pool,
    dispose: () => pool.dispose(),
  };
}

function heapSize(options: RavineOptions): HeapSize {
  const { reserveBytes = PAGE, maxBytes = MAX_BYTES } = options;
  if (!Number.isInteger(maxBytes) || maxBytes < PAGE || maxBytes > MAX_BYTES) {
    throw new RangeError(`createRavine: maxBytes must be an integer in [${PAGE}, ${MAX_BYTES}], got ${describe(maxBytes)}`);
  }
  if (!Number.isInteger(reserveBytes) || reserveBytes < 0 || reserveBytes > maxBytes) {
    throw new RangeError(`createRavine: reserveBytes must be an integer in [0, maxBytes = ${maxBytes}], got ${describe(reserveBytes)}`);
  }
  return { initialBytes: Math.max(reserveBytes, PAGE), maxBytes };
}
