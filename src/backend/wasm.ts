import { instantiate } from '@assemblyscript/loader';
import * as mirrors from '../kernels/index.js';
import type { Backend, Kernels } from './kernels.js';
import { WasmLoadError, type UrlLike, type WasmSource } from './source.js';

const PAGE = 65536;
/** The binary beside the package (`ravine/ravine.wasm`); bundlers that follow `new URL(…, import.meta.url)` copy it. */
const defaultUrl = () => new URL('../../build/ravine.wasm', import.meta.url);
/** The default binary, compiled once per page or process. A failed load is forgotten: the next call tries again. */
let defaultModule: Promise<WebAssembly.Module> | undefined;

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

async function compileBytes(bytes: ArrayBuffer | ArrayBufferView, what: string): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes as BufferSource);
  } catch (e) {
    throw new WasmLoadError(`ravine: ${what} is not a WebAssembly module this engine can compile (${(e as Error).message})`, { cause: e });
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
  try {
    response = await fetch(url);
  } catch (e) {
    throw new WasmLoadError(`ravine: could not fetch the SIMD kernels from ${url.href} (${(e as Error).message})`, { cause: e });
  }
  if (!response.ok) throw new WasmLoadError(`ravine: could not fetch the SIMD kernels from ${url.href}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  const streaming = typeof WebAssembly.compileStreaming === 'function' && response.headers.get('content-type')?.split(';')[0].trim() === 'application/wasm';
  if (streaming) {
    try {
      return await WebAssembly.compileStreaming(response);
    } catch (e) {
      throw new WasmLoadError(`ravine: ${url.href} is not a WebAssembly module this engine can compile (${(e as Error).message})`, { cause: e });
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

/** Compiles the SIMD module from `source` (default: the package's own binary, compiled once). */
export function compileModule(source?: WasmSource): Promise<WebAssembly.Module> {
  if (source === undefined) {
    if (!defaultModule) {
      const loading = readUrl(defaultUrl());
      defaultModule = loading;
      loading.catch(() => {
        if (defaultModule === loading) defaultModule = undefined;
      });
    }
    return defaultModule;
  }
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (typeof source === 'string') return readUrl(new URL(source, baseUrl()));
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return compileBytes(source, 'the bytes passed as `wasm`');
  if (isUrlLike(source)) return readUrl(new URL(source.href));
  return Promise.reject(new TypeError(`createRavine: wasm must be bytes, a WebAssembly.Module, a URL or a string, got ${Object.prototype.toString.call(source).slice(8, -1)}`));
}

interface RavineExports extends Kernels {
  readonly memory: WebAssembly.Memory;
  heap_base(): number;
}

const kernelNames = Object.keys(mirrors);

/** The exports a ravine module must have, checked before any is called: a wrong binary fails here, by name. */
function checkExports(exports: Record<string, unknown>): asserts exports is RavineExports & Record<string, unknown> {
  const missing = ['heap_base', ...kernelNames].filter((name) => typeof exports[name] !== 'function');
  if (!(exports.memory instanceof WebAssembly.Memory)) missing.unshift('memory');
  if (missing.length) {
    throw new WasmLoadError(`ravine: the wasm is not a ravine module of this version (missing export${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`);
  }
}

/** One instance per context: its own linear memory, the kernels called directly (no wrapper). */
export async function wasmBackend(module: WebAssembly.Module): Promise<Backend> {
  let exports: Record<string, unknown>;
  try {
    ({ exports } = (await instantiate(module, {})) as unknown as { exports: Record<string, unknown> });
  } catch (e) {
    throw new WasmLoadError(`ravine: the wasm is not a ravine module (it cannot be instantiated: ${(e as Error).message})`, { cause: e });
  }
  checkExports(exports);
  const memory = exports.memory;
  return {
    name: 'simd',
    kernels: exports,
    heapBase: exports.heap_base(),
    get buffer() {
      return memory.buffer;
    },
    grow(bytes: number) {
      const pages = Math.ceil(bytes / PAGE) - memory.buffer.byteLength / PAGE;
      if (pages > 0) memory.grow(pages);
    },
    invalidateViews() {
      memory.grow(0); // grow always detaches the old buffer, even by zero pages
    },
  };
}
