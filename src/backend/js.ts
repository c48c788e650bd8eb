import * as mirrors from '../kernels/index.js';
import { MAX_BYTES, PAGE, type Backend, type Kernels } from './kernels.js';

/** Detaches `buffer` (structuredClone transfer), as wasm's memory.grow does to its old buffer. */
function detach(buffer: ArrayBuffer): ArrayBuffer {
  return structuredClone(buffer, { transfer: [buffer] });
}

const resizable = typeof (ArrayBuffer.prototype as { resize?: unknown }).resize === 'function';

/**
 * The pure-JS backend: an ArrayBuffer heap and the JS mirrors, each bound to the heap by its own small
 * closure (one per kernel, so every call site stays monomorphic). Where the engine has resizable
 * ArrayBuffers (Node 20, current browsers) the heap grows in place and views never go stale: the
 * kernels' views track its length. Elsewhere it grows by copying into a buffer at least twice as large
 * (so creating many tensors costs linear time, not quadratic) and detaches the old one, as wasm does.
 */
export function jsBackend(initialBytes = PAGE, maxBytes = MAX_BYTES, stable = resizable): Backend {
  const pages = (bytes: number) => Math.ceil(bytes / PAGE) * PAGE;
  let buffer: ArrayBuffer;
  try {
    buffer = stable
      ? new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(pages(initialBytes), { maxByteLength: maxBytes })
      : new ArrayBuffer(pages(initialBytes));
  } catch (e) {
    throw new RangeError(`ravine: out of memory: cannot reserve ${pages(initialBytes)} bytes of heap (reserveBytes) with a maximum of ${maxBytes} (${(e as Error).message})`, { cause: e });
  }
  // Without a length, views of a resizable buffer track its length as it grows.
  let f32 = new Float32Array(buffer), u32 = new Uint32Array(buffer), f64 = new Float64Array(buffer);
  type Mirror = (...args: unknown[]) => void;
  const bind = (name: string, kernel: Mirror) =>
    name.endsWith('_f64') ? (...args: unknown[]) => kernel(f64, ...args) : (...args: unknown[]) => kernel(f32, u32, ...args);
  const kernels = Object.fromEntries(Object.entries(mirrors).map(([name, kernel]) => [name, bind(name, kernel as Mirror)])) as unknown as Kernels;
  let generation = 0;
  return {
    name: 'js',
    kernels,
    heapBase: 1024,
    viewsStable: stable,
    maxBytes,
    get buffer() {
      return buffer;
    },
    get generation() {
      return generation;
    },
    grow(bytes: number) {
      if (bytes <= buffer.byteLength) return true;
      if (bytes > maxBytes) return false;
      if (stable) {
        try {
          // Geometric growth: each resize commits memory, and creating many tensors one by one must not pay it each time.
          (buffer as unknown as { resize(n: number): void }).resize(Math.min(maxBytes, pages(Math.max(bytes, 2 * buffer.byteLength))));
        } catch {
          return false; // the engine could not commit the memory
        }
        generation++;
        return true;
      }
      let next: ArrayBuffer;
      try {
        next = new ArrayBuffer(Math.min(maxBytes, pages(Math.max(bytes, 2 * buffer.byteLength))));
      } catch {
        return false;
      }
      new Uint8Array(next).set(new Uint8Array(buffer));
      detach(buffer);
      buffer = next;
      f32 = new Float32Array(buffer);
      u32 = new Uint32Array(buffer);
      f64 = new Float64Array(buffer);
      generation++;
      return true;
    },
  };
}
