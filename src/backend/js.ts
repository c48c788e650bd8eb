import * as mirrors from '../kernels/index.js';
import type { Backend, Kernels } from './kernels.js';

const PAGE = 65536;

/** Detaches `buffer` (structuredClone transfer), as wasm's memory.grow does to its old buffer. */
function detach(buffer: ArrayBuffer): ArrayBuffer {
  return structuredClone(buffer, { transfer: [buffer] });
}

/**
 * The pure-JS backend: an ArrayBuffer heap with wasm's growth semantics, and the JS mirrors, each bound
 * to the current heap by its own small closure (one per kernel, so every call site stays monomorphic).
 */
export function jsBackend(): Backend {
  let buffer = new ArrayBuffer(PAGE);
  let heap = new Float32Array(buffer);
  let heap64 = new Float64Array(buffer);
  // `_f64` kernels index the heap as float64, the rest as float32; both views follow the buffer.
  const bind = <A extends unknown[]>(name: string, kernel: (h: Float32Array | Float64Array, ...args: A) => void) =>
    name.endsWith('_f64') ? (...args: A) => kernel(heap64, ...args) : (...args: A) => kernel(heap, ...args);
  const kernels = Object.fromEntries(
    Object.entries(mirrors).map(([name, kernel]) => [name, bind(name, kernel as (h: Float32Array | Float64Array, ...a: unknown[]) => void)]),
  ) as unknown as Kernels;
  return {
    name: 'js',
    kernels,
    heapBase: 1024,
    get buffer() {
      return buffer;
    },
    grow(bytes: number) {
      const size = Math.ceil(bytes / PAGE) * PAGE;
      if (size <= buffer.byteLength) return;
      const next = new ArrayBuffer(size);
      new Uint8Array(next).set(new Uint8Array(buffer));
      detach(buffer);
      buffer = next;
      heap = new Float32Array(buffer);
      heap64 = new Float64Array(buffer);
    },
    invalidateViews() {
      buffer = detach(buffer);
      heap = new Float32Array(buffer);
      heap64 = new Float64Array(buffer);
    },
  };
}
