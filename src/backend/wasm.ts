import { instantiate } from '@assemblyscript/loader';
import * as mirrors from '../kernels/index.js';
import { PAGE, type Backend, type Kernels } from './kernels.js';
import type { ThreadPool } from './threads.js';
import { WasmLoadError, type UrlLike, type WasmSource } from './source.js';
import { connection, fetchCspReason, isWasmCspError, VIOLATION_WAIT_MS, WASM_CSP_REASON, watchViolations } from './csp.js';

/**
 * The binaries beside the package (`ravine/ravine-shared.wasm`: threads and shared memory, and
 * `ravine/ravine.wasm`: a plain memory); bundlers that follow `new URL(…, import.meta.url)` copy both.
 */
const defaultUrls = {
  shared: () => new URL('../../build/ravine-shared.wasm', import.meta.url),
  plain: () => new URL('../../build/ravine.wasm', import.meta.url),
};
const defaultUrl = defaultUrls.plain;
/** The default binary's URL: import.meta.url is empty in a CommonJS bundle, where it cannot be found. */
async function locate(variant: keyof typeof defaultUrls): Promise<URL> {
  try {
    return defaultUrls[variant]();
  } catch (e) {
    throw new WasmLoadError(
      `ravine: cannot locate its wasm beside the package (import.meta.url is ${JSON.stringify(import.meta.url ?? '')}: a CommonJS bundle?); pass createRavine({ wasm }) the bytes or a URL of ravine/ravine.wasm`,
      { cause: e },
    );
  }
}

/** The default binaries, compiled once per page or process. A failed load is forgotten: the next call tries again. */
const defaultModules: Partial<Record<keyof typeof defaultUrls, Promise<WebAssembly.Module>>> = {};

type ReadFile = (url: URL) => Promise<Uint8Array>;

// Node's file read is found at run time, never imported, so no bundler follows it into a browser
// build: `process.getBuiltinModule` (Node ≥ 20.16), else a dynamic import whose specifier is not a literal.
async function nodeReadFile(): Promise<ReadFile | undefined> {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown; versions?: { node?: string } } }).process;
  if (!process?.versions?.node) return undefined;
  const fromBuiltin = process.getBuiltinModule?.('node:fs/promises') as { readFile: ReadFile } | undefined;
  if (fromBuiltin) return fromBuiltin.readFile;
  const specifier = 'node:fs/promises';
  return ((await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as { readFile: ReadFile }).readFile;
}

/** A compile that failed: the page's Content-Security-Policy (named: csp.ts), or bytes this engine cannot compile. */
function compileFailure(what: string, e: unknown): WasmLoadError {
  if (isWasmCspError(e)) return new WasmLoadError(WASM_CSP_REASON, { cause: e });
  return new WasmLoadError(`ravine: ${what} is not a WebAssembly module this engine can compile (${(e as Error).message})`, { cause: e });
}

async function compileBytes(bytes: ArrayBuffer | ArrayBufferView, what: string): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as BufferSource);
  } catch (e) {
    throw compileFailure(what, e);
  }
}

async function readUrl(url: URL): Promise<WebAssembly.Module> {
  if (url.protocol === 'file:') {
    const readFile = await nodeReadFile();
    if (!readFile) throw new WasmLoadError(`ravine: cannot read ${url.href}: file: URLs are read only in Node; pass the wasm's bytes or an http(s) URL`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(url);
    } catch (e) {
      throw new WasmLoadError(`ravine: could not read the SIMD kernels at ${url.href} (${(e as Error).message})`, { cause: e });
    }
    return compileBytes(bytes, url.href);
  }
  let response: Response;
  const violations = watchViolations(connection);
  try {
    response = await fetch(url);
    violations.stop();
  } catch (e) {
    // A fetch the page's policy refused fails as a network error would: its violation event tells them apart.
    if (await violations.directive(VIOLATION_WAIT_MS)) throw new WasmLoadError(fetchCspReason(url.href), { cause: e });
    throw new WasmLoadError(`ravine: could not fetch the SIMD kernels from ${url.href} (${(e as Error).message})`, { cause: e });
  }
  if (!response.ok)
    throw new WasmLoadError(
      `ravine: could not fetch the SIMD kernels from ${url.href}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
    );
  const streaming = typeof WebAssembly.compileStreaming === 'function' && response.headers.get('content-type')?.split(';')[0].trim() === 'application/wasm';
  if (streaming) {
    try {
      return await WebAssembly.compileStreaming(response);
    } catch (e) {
      throw compileFailure(url.href, e);
    }
  }
  // Served without `application/wasm` (compileStreaming refuses that): compile the bytes.
  return compileBytes(await response.arrayBuffer(), url.href);
}

/**
 * What a relative string is relative to, as `fetch` would have it: the page (or worker) in a browser,
 * the working directory in Node (a string there is a path or a URL).
 */
function baseUrl(): string {
  const g = globalThis as { document?: { baseURI?: string }; location?: { href?: string }; process?: { cwd?: () => string; versions?: { node?: string } } };
  const page = g.document?.baseURI ?? g.location?.href;
  if (page) return page;
  if (g.process?.versions?.node && g.process.cwd) return `file://${encodeURI(g.process.cwd().replace(/\\/g, '/')).replace(/^\/*/, '/')}/`;
  return defaultUrl().href;
}

function isUrlLike(source: unknown): source is UrlLike {
  return typeof source === 'object' && source !== null && typeof (source as UrlLike).href === 'string';
}

/**
 * Compiles the SIMD module from `source` (default: the package's own binary, compiled once: the
 * shared-memory build where the engine can make a shared memory, else the plain one).
 */
export function compileModule(source?: WasmSource): Promise<WebAssembly.Module> {
  if (source === undefined) {
    const variant = sharedMemorySupported() ? 'shared' : 'plain';
    let loading = defaultModules[variant];
    if (!loading) {
      const attempt = locate(variant).then(readUrl);
      defaultModules[variant] = loading = attempt;
      attempt.catch(() => {
        if (defaultModules[variant] === attempt) delete defaultModules[variant];
      });
    }
    return loading;
  }
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (typeof source === 'string') return readUrl(new URL(source, baseUrl()));
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return compileBytes(source, 'the bytes passed as `wasm`');
  if (isUrlLike(source)) return readUrl(new URL(source.href));
  return Promise.reject(
    new TypeError(`createRavine: wasm must be bytes, a WebAssembly.Module, a URL or a string, got ${Object.prototype.toString.call(source).slice(8, -1)}`),
  );
}

interface RavineExports extends Kernels {
  heap_base(): number;
}

const kernelNames = Object.keys(mirrors);

/** The exports a ravine module must have, checked before any is called: a wrong binary fails here, by name. */
function checkExports(exports: Record<string, unknown>): asserts exports is RavineExports & Record<string, unknown> {
  const missing = ['heap_base', ...kernelNames].filter((name) => typeof exports[name] !== 'function');
  if (missing.length) {
    throw new WasmLoadError(
      `ravine: the wasm is not a ravine module of this version (missing export${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`,
    );
  }
}

/**
 * True when this engine can make a shared WebAssembly.Memory: Node, and pages that are cross-origin
 * isolated (COOP + COEP headers). Growing a shared memory never detaches a view of it.
 */
export function sharedMemorySupported(): boolean {
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return false;
  try {
    return new WebAssembly.Memory({ initial: 0, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

export interface HeapSize {
  /** Bytes to reserve up front (so that training never grows the heap). */
  readonly initialBytes: number;
  /** The most the heap may hold. */
  readonly maxBytes: number;
}

async function instantiateWith(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<Record<string, unknown>> {
  // The loader supplies `env.abort` and friends for debug builds; its demangled exports put every call
  // behind one shared wrapper, so the kernels are taken from the raw instance exports instead.
  const { instance } = (await instantiate(module, { env: { memory } })) as unknown as { instance: WebAssembly.Instance };
  return { ...instance.exports };
}

/**
 * One instance per context, on a memory the host makes: shared where the engine allows it and the
 * binary was built for it (`ravine-shared.wasm`), so that growth never detaches a view; otherwise a
 * plain memory, whose growth detaches every view as wasm always has. The kernels are the raw exports.
 */
/** The SIMD backend, with what its worker threads need: the module and the memory they share. */
export interface WasmBackend extends Backend {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** The instance's raw exports (the kernels before any are wrapped for threads). */
  readonly exports: Readonly<Record<string, unknown>>;
  /** The worker threads, once started (ravine.ts: startThreads). */
  pool?: ThreadPool;
}

export async function wasmBackend(module: WebAssembly.Module, size: HeapSize): Promise<WasmBackend> {
  const initial = Math.ceil(size.initialBytes / PAGE),
    maximum = Math.floor(size.maxBytes / PAGE);
  const shared = sharedMemorySupported();
  let exports: Record<string, unknown> | undefined;
  let memory: WebAssembly.Memory | undefined;
  let isShared = false;
  let failure: unknown;
  // A module declares whether its memory is shared; try the kind this engine prefers, then the other.
  for (const kind of shared ? [true, false] : [false]) {
    try {
      memory = new WebAssembly.Memory({ initial, maximum, shared: kind } as WebAssembly.MemoryDescriptor);
    } catch (e) {
      throw new WasmLoadError(
        `ravine: out of memory: cannot reserve ${initial * PAGE} bytes of heap (reserveBytes) with a maximum of ${maximum * PAGE} (${(e as Error).message})`,
        { cause: e },
      );
    }
    try {
      exports = await instantiateWith(module, memory);
      isShared = kind;
      break;
    } catch (e) {
      failure ??= e;
      exports = undefined;
    }
  }
  if (!exports || !memory) {
    const message = (failure as Error)?.message ?? String(failure);
    if (isWasmCspError(failure)) throw new WasmLoadError(WASM_CSP_REASON, { cause: failure }); // a module handed in, instantiated under the policy
    // A binary built for a shared memory, where the engine cannot make one: say so, not "not ravine".
    if (!shared && /shared/i.test(message)) {
      throw new WasmLoadError(
        `ravine: this wasm (ravine-shared.wasm?) needs a shared memory, which this engine or page cannot make (a page must be cross-origin isolated: COOP and COEP headers); use ravine/ravine.wasm here`,
        { cause: failure },
      );
    }
    throw new WasmLoadError(`ravine: the wasm is not a ravine module this engine can run (it cannot be instantiated: ${message})`, { cause: failure });
  }
  checkExports(exports);
  const heap = memory;
  let generation = 0;
  const raw = exports;
  return {
    name: 'simd',
    module,
    memory,
    exports: raw,
    kernels: exports,
    heapBase: exports.heap_base(),
    viewsStable: isShared, // (SharedArrayBuffer is not even defined in a page without cross-origin isolation)
    maxBytes: maximum * PAGE,
    get buffer() {
      return heap.buffer;
    },
    get generation() {
      return generation;
    },
    grow(bytes: number) {
      const pages = Math.ceil(bytes / PAGE) - heap.buffer.byteLength / PAGE;
      if (pages <= 0) return true;
      try {
        heap.grow(pages);
        generation++;
        return true;
      } catch {
        return false; // past the maximum, or the engine could not commit the memory
      }
    },
  };
}
