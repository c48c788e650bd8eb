import { instantiate } from '@assemblyscript/loader';
import type { Backend, Kernels } from './kernels.js';

/** Where the binary may come from: bytes, a compiled module, or a URL (fetched, or read from disk in Node). */
export type WasmSource = BufferSource | WebAssembly.Module | URL | string;

const PAGE = 65536;
const defaultUrl = () => new URL('../../build/ravine.wasm', import.meta.url);
let defaultModule: Promise<WebAssembly.Module> | undefined;

async function readUrl(url: URL): Promise<WebAssembly.Module> {
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  const response = fetch(url);
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      return await WebAssembly.compileStreaming(response);
    } catch {
      // Served without `application/wasm`: fall through to compiling the bytes.
    }
  }
  const res = await response;
  if (!res.ok) throw new Error(`ravine: could not fetch ${url.href}: HTTP ${res.status}`);
  return WebAssembly.compile(await res.arrayBuffer());
}

/** Compiles (once per process for the default binary) the SIMD module. */
export function compileModule(source?: WasmSource): Promise<WebAssembly.Module> {
  if (source === undefined) return (defaultModule ??= readUrl(defaultUrl()));
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (typeof source === 'string' || source instanceof URL) return readUrl(new URL(source, defaultUrl()));
  return WebAssembly.compile(source);
}

interface RavineExports extends Kernels {
  readonly memory: WebAssembly.Memory;
  heap_base(): number;
}

/** One instance per context: its own linear memory, the kernels called directly (no wrapper). */
export async function wasmBackend(module: WebAssembly.Module): Promise<Backend> {
  const { exports } = (await instantiate(module, {})) as unknown as { exports: RavineExports };
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
