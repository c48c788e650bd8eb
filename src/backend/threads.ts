import { CONTROL } from './control.js';
import { optimizerTable, type OptimizerRow } from '../optim/table.js';
import { ThreadError } from './threadError.js';
export { ThreadError };
import type { Kernels } from './kernels.js';
import { WORKER_SOURCE } from './workerSource.js';
import { blobWorker, VIOLATION_WAIT_MS, watchViolations, workerCspReason, workerThrowReason } from './csp.js';

// ravine's threads: workers that instantiate the same kernels over the same shared memory, each
// stepping its slice of a group. A group big enough to split (memory/group.ts) has a plan: one
// sub-table of its segment table per thread, covering contiguous, near-equal ranges of its elements
// (split inside a tensor where needed, at multiples of four floats), so that one big tensor and many
// small ones spread alike. An element-wise kernel called on such a group's table posts a job; the
// calling thread runs slice 0 while the workers run theirs, then sleeps in Atomics.wait until the last
// one is done. Every element is updated by the same float operations as on one thread: the results are
// bit for bit the single-threaded ones. Reductions (gradient norms, diagnostics) and small groups run
// on the calling thread alone.

/** Most threads a context may have. */
export const MAX_THREADS = 256;
/**
 * A group is split only when every thread gets at least this many elements; smaller groups run on the
 * calling thread alone. Measured on this 2-core VM (bench/threads.js --gap=1, steps 1 ms apart as in
 * training, so each step wakes the workers, ~50 µs): two threads beat one from 262,144 elements on
 * (Adam 1.08×, SGD with momentum 1.07×), 131,072 each, and lose below (0.86× and 0.60× at 131,072).
 * Steps back to back, with the workers still polling, pay from 16K on. With more threads each wake
 * costs the same and each slice shrinks, so the threshold grows with them.
 */
export const MIN_SLICE = 131_072;
/** The split threshold of a context with `threads` threads: 262,144 elements with two. */
export const splitThreshold = (threads: number) => MIN_SLICE * threads;
/** Two threads' threshold, the one measured. */
export const SPLIT_THRESHOLD = splitThreshold(2);
/** A job that takes longer than this means a worker has stopped answering (a 16M-parameter step takes ~10 ms). */
export const THREAD_TIMEOUT_MS = 10_000;

/** Quiet time after the workers start (see ThreadPool.start). */
const SETTLE_MS = 50;

/** The cores there are: `navigator.hardwareConcurrency` or Node's `os.availableParallelism()`. */
export function availableCores(): number {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { getBuiltinModule?: (id: string) => unknown } };
  const os = g.process?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number; cpus(): unknown[] } | undefined;
  const n = os ? (os.availableParallelism?.() ?? os.cpus().length) : g.navigator?.hardwareConcurrency;
  return Math.max(1, Math.min(MAX_THREADS, n ?? 1));
}

/** The element-wise kernels that are split, with the index of their segment-count argument. */
export const SPLIT_KERNELS: Readonly<Record<string, number>> = {
  // Every optimizer's kernel, as its row declares it (src/optim/table.ts)…
  ...Object.fromEntries((Object.values(optimizerTable) as OptimizerRow[]).filter((row) => row.split !== null).map((row) => [row.kernel, row.split as number])),
  // …and the training and averaging passes.
  average_f32: 2,
  swapAveraged_f32: 2,
  scaleGrads_f32: 1,
  clampGrads_f32: 1,
  accumulate_f32: 2,
  // …and a big matrix product's row blocks, one task each (src/optim/products.ts).
  matmulTasks_f32: 1,
};

/** A worker as both platforms give it: Node's worker_threads and the browser's Worker. */
interface AnyWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

type Kernel = (...args: number[]) => unknown;

export interface PoolOptions {
  /** Threads in all, the calling thread included (so workers = threads − 1). */
  threads: number;
  /** How long a job may take before the calling thread gives up on a worker that stopped answering. */
  timeoutMs: number;
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class ThreadPool {
  readonly threads: number;
  readonly #workers: AnyWorker[];
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  readonly #memory: WebAssembly.Memory;
  readonly #control: number;
  readonly #own: readonly Kernel[];
  readonly #names: readonly string[];
  readonly #timeoutMs: number;
  /** False on a browser's main thread: there a job's end is polled for, inside runAsync() alone. */
  readonly canBlock = canBlock();
  #polling = 0;
  #u32: Uint32Array;
  #broken: string | null = null;
  #stopped = false;

  private constructor(workers: AnyWorker[], memory: WebAssembly.Memory, control: number, own: Kernel[], names: string[], timeoutMs: number) {
    this.#workers = workers;
    this.threads = workers.length + 1;
    this.#memory = memory;
    this.#control = control;
    this.#i32 = new Int32Array(memory.buffer, control, CONTROL.words);
    this.#f64 = new Float64Array(memory.buffer, control + CONTROL.argsByte, CONTROL.maxArgs);
    this.#u32 = new Uint32Array(memory.buffer);
    this.#own = own;
    this.#names = names;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Starts `threads − 1` workers over `memory` (shared) and waits until each has instantiated the
   * module. `control` is CONTROL.bytes of the heap, zeroed, for this pool alone.
   */
  static async start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    control: number,
    exports: Record<string, unknown>,
    options: PoolOptions,
  ): Promise<ThreadPool> {
    const names = Object.keys(SPLIT_KERNELS);
    const spawn = await workerFactory();
    const workers: AnyWorker[] = [];
    let pool: ThreadPool | null = null;
    const failures: string[] = [];
    const ready = Array.from(
      { length: options.threads - 1 },
      (_, k) =>
        new Promise<void>((resolve, reject) => {
          const index = k + 1;
          const fail = (why: string) => {
            const message = `ravine: worker thread ${index} ${why}`;
            if (pool) pool.#break(message);
            else failures.push(message); // before the pool exists (starting, or settling)
            reject(new ThreadError(message));
          };
          const worker = spawn({
            message: (m: { ready?: boolean; error?: string }) => (m.ready ? resolve() : fail(`could not start: ${m.error}`)),
            error: (e: unknown) => fail(`threw: ${(e as Error)?.message ?? e}`),
            exit: (code: number) => fail(`exited (code ${code})`),
          });
          workers.push(worker);
          worker.postMessage({ module, memory, control, index, names });
        }),
    );
    try {
      await Promise.all(ready);
    } catch (e) {
      for (const w of workers) void w.terminate();
      throw e;
    }
    // Started: from now on they sleep in Atomics.wait, and must not keep a Node process alive.
    for (const w of workers) (w as { unref?: () => void }).unref?.();
    // Let the new threads settle before the first job. Measured on this 2-core VM: jobs posted at once
    // each took ~65 µs to hand over, for as long as they kept coming (the scheduler keeps a new thread
    // beside its parent while they hand work back and forth); after 20 ms of quiet, ~4 µs.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    pool = new ThreadPool(
      workers,
      memory,
      control,
      names.map((n) => exports[n] as Kernel),
      names,
      options.timeoutMs,
    );
    // A worker that ended while the threads settled: the first step says so, rather than wait for it.
    if (failures.length > 0) pool.#break(failures[0]);
    return pool;
  }

  /**
   * One kernel call split by `plan`: slice 0 here, the others on the workers; returns once all are done.
   * Throws a ThreadError, and breaks the pool, if a worker failed: the group is then partly updated.
   */
  run(kernel: number, plan: number, args: number[]): void {
    if (this.#broken !== null) throw new ThreadError(this.#broken);
    // A browser's main thread outside runAsync (averaging, clipping by value: step() refused already): one thread, same bits.
    if (!this.canBlock && this.#polling === 0) return void this.#own[kernel](...args);
    const i32 = this.#i32,
      name = this.#names[kernel],
      countIndex = SPLIT_KERNELS[name];
    for (let i = 0; i < args.length; i++) this.#f64[i] = args[i];
    i32[CONTROL.kernel] = kernel;
    i32[CONTROL.argc] = args.length;
    i32[CONTROL.plan] = plan;
    i32[CONTROL.countIndex] = countIndex;
    this.#post();
    let failure: unknown = null;
    try {
      // memory.buffer is costly on a shared memory: view it again only when the heap has grown past the view.
      if ((plan >>> 2) + 1 >= this.#u32.length) this.#u32 = new Uint32Array(this.#memory.buffer);
      args[0] = this.#u32[plan >>> 2];
      args[countIndex] = this.#u32[(plan >>> 2) + 1];
      if (args[countIndex] > 0) this.#own[kernel](...args);
    } catch (e) {
      failure = e;
    }
    this.#await(name);
    if (failure !== null) throw failure;
  }

  /**
   * Runs `work` (a step) where this thread may not block: its jobs poll for the workers' end while the
   * calling thread does its own slice, so the page's thread is held for the step's compute and no
   * longer. (Between jobs the workers are always idle: run() returns only when all are done.)
   */
  async runAsync<T>(work: () => T): Promise<T> {
    this.#polling++;
    try {
      return work();
    } finally {
      this.#polling--;
    }
  }

  /**
   * step() calls this before it changes anything: a broken pool refuses every step, and on a browser's
   * main thread a step with a split group must go through stepAsync().
   */
  checkStep(split: boolean): void {
    if (this.#broken !== null) throw new ThreadError(`${this.#broken} (nothing was stepped)`);
    if (split && !this.canBlock && this.#polling === 0) {
      throw new TypeError(
        "ravine: step() cannot wait for its worker threads on a browser's main thread (Atomics.wait is not allowed there): use `await opt.stepAsync()`, step in a worker, or create the context with threads: 1 (nothing was stepped)",
      );
    }
  }

  /** Tests: worker `index` throws at the next job. */
  failNext(index: number): void {
    Atomics.store(this.#i32, CONTROL.failIndex, index);
  }

  /** Tests: end worker `index` as a crash would. */
  terminate(index: number): Promise<unknown> {
    return Promise.resolve(this.#workers[index - 1].terminate());
  }

  get broken(): string | null {
    return this.#broken;
  }

  /** Ends every worker; nothing is left to keep a Node process alive. */
  dispose(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#broken ??= 'ravine: this context has been disposed';
    Atomics.store(this.#i32, CONTROL.stop, 1);
    Atomics.add(this.#i32, CONTROL.seq, 1);
    Atomics.notify(this.#i32, CONTROL.seq);
    for (const w of this.#workers) void w.terminate();
  }

  #post(): void {
    const i32 = this.#i32;
    i32[CONTROL.error] = 0;
    Atomics.store(i32, CONTROL.remaining, this.#workers.length);
    Atomics.add(i32, CONTROL.seq, 1);
    Atomics.notify(i32, CONTROL.seq);
  }

  /** Sleeps until every worker has counted itself done; a stall past the timeout or a worker's error breaks the pool. */
  #await(what: string): void {
    const i32 = this.#i32;
    const deadline = performance.now() + this.#timeoutMs;
    for (let left = Atomics.load(i32, CONTROL.remaining); left !== 0; left = Atomics.load(i32, CONTROL.remaining)) {
      const wait = deadline - performance.now();
      if (wait <= 0) {
        this.#break(
          `ravine: ${left} of ${this.#workers.length} worker threads did not finish ${what} within ${this.#timeoutMs} ms (ended or stalled); the step was partly applied, so this group's parameters and state are inconsistent`,
        );
        throw new ThreadError(this.#broken!);
      }
      // Poll a little first, as the workers do (a sleeping thread is slow to wake); then sleep.
      const until = performance.now() + CONTROL.pollMs;
      while (Atomics.load(i32, CONTROL.remaining) === left && performance.now() < until)
        for (let k = 0; k < 64; k++) if (Atomics.load(i32, CONTROL.remaining) !== left) break;
      if (this.canBlock && Atomics.load(i32, CONTROL.remaining) === left) Atomics.wait(i32, CONTROL.remaining, left, wait);
      // else: a browser's main thread inside runAsync(), polling (it cannot block)
    }
    const failed = Atomics.load(i32, CONTROL.error);
    if (failed !== 0) {
      const length = i32[CONTROL.messageLength];
      const message = new TextDecoder().decode(new Uint8Array(this.#memory.buffer, this.#control + CONTROL.messageByte, length).slice());
      this.#break(
        `ravine: worker thread ${failed - 1} failed in ${what} (${message}); the step was partly applied, so this group's parameters and state are inconsistent`,
      );
      throw new ThreadError(this.#broken!);
    }
  }

  #break(message: string): void {
    this.#broken ??= `${message}. This context cannot step any more: dispose it and restore from a checkpoint`;
  }
}

/**
 * The kernels object of a threaded backend: the split kernels go through `pool` for groups with a plan
 * in `plans`, and straight to the kernel otherwise. Each wrapper takes the kernel's own arguments (no
 * rest array), so an unsplit group pays one Map lookup per call.
 */
export function threadedKernels(base: Kernels, pool: ThreadPool, plans: Map<number, number>): Kernels {
  const kernels: Record<string, unknown> = { ...base };
  Object.keys(SPLIT_KERNELS).forEach((name, id) => {
    const own = (base as unknown as Record<string, Kernel>)[name];
    const split = (args: number[]) => pool.run(id, plans.get(args[0])!, args);
    switch (own.length) {
      case 2:
        kernels[name] = (a: number, b: number) => (plans.has(a) ? split([a, b]) : own(a, b));
        break;
      case 3:
        kernels[name] = (a: number, b: number, c: number) => (plans.has(a) ? split([a, b, c]) : own(a, b, c));
        break;
      case 5:
        kernels[name] = (a: number, b: number, c: number, d: number, e: number) => (plans.has(a) ? split([a, b, c, d, e]) : own(a, b, c, d, e));
        break;
      case 6:
        kernels[name] = (a: number, b: number, c: number, d: number, e: number, f: number) =>
          plans.has(a) ? split([a, b, c, d, e, f]) : own(a, b, c, d, e, f);
        break;
      case 7:
        kernels[name] = (a: number, b: number, c: number, d: number, e: number, f: number, g: number) =>
          plans.has(a) ? split([a, b, c, d, e, f, g]) : own(a, b, c, d, e, f, g);
        break;
      default:
        throw new Error(`ravine: kernel ${name} takes ${own.length} arguments; threadedKernels wraps 2, 3, 5, 6 or 7`);
    }
  });
  return kernels as unknown as Kernels;
}

let live = 0;
/** Worker threads started and not yet ended, in this process or page (tests: nothing leaks). */
export function liveWorkers(): number {
  return live;
}

interface Listeners {
  message(m: unknown): void;
  error(e: unknown): void;
  exit(code: number): void;
}

/** Starts a worker running WORKER_SOURCE: worker_threads in Node (unref'd: it never keeps the process alive), a Blob-URL Worker in browsers. */
async function workerFactory(): Promise<(on: Listeners) => AnyWorker> {
  const g = globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown }; Worker?: new (url: string) => Worker };
  if (g.process?.versions?.node) {
    const specifier = 'node:worker_threads';
    const wt = (g.process.getBuiltinModule?.(specifier) ?? (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier))) as {
      Worker: new (code: string, options: { eval: boolean }) => AnyWorker & { on(event: string, f: (x: never) => void): void; unref(): void };
    };
    return (on) => {
      // The source runs as a script or, under a parent's --input-type=module, as a module: it finds
      // worker_threads through process.getBuiltinModule, which both have (Node >= 20.16).
      const worker = new wt.Worker(WORKER_SOURCE, { eval: true });
      live++;
      worker.on('message', on.message);
      worker.on('error', on.error);
      worker.on('exit', (code: number) => {
        live--;
        on.exit(code);
      });
      return worker;
    };
  }
  if (typeof g.Worker !== 'function') throw new ThreadError('ravine: this platform has no Worker');
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  return (on) => {
    const violations = watchViolations(blobWorker);
    let worker: Worker;
    try {
      worker = new g.Worker!(url);
    } catch (e) {
      violations.stop();
      const reason = workerThrowReason(e); // Trusted Types, or an engine that refuses blob: at once
      throw reason ? new ThreadError(reason, { cause: e }) : e;
    }
    live++;
    worker.onmessage = (e) => {
      violations.stop();
      on.message(e.data);
    };
    worker.onerror = (e) => {
      // An error in the worker's code comes with a message; a script that never loaded, with none:
      // under a Content-Security-Policy that refuses blob: workers, its violation event says which directive.
      if (e.message) return void (violations.stop(), on.error(e.message));
      void violations
        .directive(VIOLATION_WAIT_MS)
        .then((directive) => on.message({ error: directive ? workerCspReason(directive) : 'its script (a blob: URL) could not be loaded' }));
    };
    // A browser says nothing when a worker ends: it ends when terminated.
    let ended = false;
    return {
      postMessage: (m: unknown) => worker.postMessage(m),
      terminate: () => {
        if (!ended) (ended = true), live--;
        worker.terminate();
      },
    };
  };
}
