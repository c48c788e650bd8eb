import * as mirrors from '../kernels/index.js';
import { MAX_BYTES, PAGE, type Backend, type Kernels } from './kernels.js';

/** Detaches `buffer` (structuredClone transfer), as wasm's memory.grow does to its old buffer. */
function detach(buffer: ArrayBuffer): ArrayBuffer {
  return structuredClone(buffer, { transfer: [buffer] });
}

/** How the JS backend's heap grows, best first. */
export type JsHeapKind = 'shared-memory' | 'resizable' | 'copy';

const pages = (bytes: number) => Math.ceil(bytes / PAGE) * PAGE;

/**
 * The heap's bytes and how they grow. Growth never detaches a view in the first two kinds:
 * - 'shared-memory': a shared WebAssembly.Memory used only as bytes (Node, cross-origin-isolated
 *   pages). Preferred because V8 (Node 20) compiles typed-array access to it at full speed, where
 *   access to a resizable ArrayBuffer measured ~2× slower in the JS kernels.
 * - 'resizable': an ArrayBuffer with maxByteLength, grown in place (no WebAssembly, e.g. --jitless).
 * - 'copy': a plain ArrayBuffer, copied into one at least twice as large (so creating many tensors is
 *   linear, not quadratic) with the old one detached, as wasm does: views are not stable.
 */
interface Heap {
  readonly kind: JsHeapKind;
  buffer(): ArrayBuffer;
  /** Grows to at least `bytes` (≤ maxBytes); false, nothing changed, when it cannot. */
  grow(bytes: number): boolean;
}

function sharedMemoryHeap(initial: number, maxBytes: number): Heap | null {
  let memory: WebAssembly.Memory;
  try {
    if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false || typeof WebAssembly !== 'object') return null;
    memory = new WebAssembly.Memory({ initial: initial / PAGE, maximum: Math.floor(maxBytes / PAGE), shared: true } as WebAssembly.MemoryDescriptor);
  } catch {
    return null;
  }
  return {
    kind: 'shared-memory',
    buffer: () => memory.buffer as unknown as ArrayBuffer,
    grow(bytes) {
      const need = pages(bytes) - memory.buffer.byteLength;
      if (need <= 0) return true;
      // Geometric growth: each growth commits memory; creating many tensors one by one must not pay it each time.
      const grow = Math.min(Math.floor(maxBytes / PAGE) - memory.buffer.byteLength / PAGE, Math.max(need / PAGE, memory.buffer.byteLength / PAGE));
      try {
        memory.grow(Math.max(grow, need / PAGE));
        return true;
      } catch {
        return false;
      }
    },
  };
}

function resizableHeap(initial: number, maxBytes: number): Heap | null {
  if (typeof (ArrayBuffer.prototype as { resize?: unknown }).resize !== 'function') return null;
  const buffer = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(initial, { maxByteLength: maxBytes });
  return {
    kind: 'resizable',
    buffer: () => buffer,
    grow(bytes) {
      if (bytes <= buffer.byteLength) return true;
      try {
        (buffer as unknown as { resize(n: number): void }).resize(Math.min(maxBytes, pages(Math.max(bytes, 2 * buffer.byteLength))));
        return true;
      } catch {
        return false; // the engine could not commit the memory
      }
    },
  };
}

function copyHeap(initial: number, maxBytes: number): Heap {
  let buffer = new ArrayBuffer(initial);
  return {
    kind: 'copy',
    buffer: () => buffer,
    grow(bytes) {
      if (bytes <= buffer.byteLength) return true;
      let next: ArrayBuffer;
      try {
        next = new ArrayBuffer(Math.min(maxBytes, pages(Math.max(bytes, 2 * buffer.byteLength))));
      } catch {
        return false;
      }
      new Uint8Array(next).set(new Uint8Array(buffer));
      detach(buffer);
      buffer = next;
      return true;
    },
  };
}

function makeHeap(initial: number, maxBytes: number, kind?: JsHeapKind): Heap {
  if (kind === 'copy') return copyHeap(initial, maxBytes);
  if (kind === 'resizable') return resizableHeap(initial, maxBytes) ?? copyHeap(initial, maxBytes);
  return sharedMemoryHeap(initial, maxBytes) ?? resizableHeap(initial, maxBytes) ?? copyHeap(initial, maxBytes);
}

/**
 * The pure-JS backend: a heap (see Heap above) and the JS mirrors, each bound to the heap's views by
 * its own small closure (one per kernel, so every call site stays monomorphic). `kind` forces a heap
 * kind (tests); by default the best the engine has.
 */
export function jsBackend(initialBytes = PAGE, maxBytes = MAX_BYTES, kind?: JsHeapKind): Backend {
  let heap: Heap;
  try {
    heap = makeHeap(pages(initialBytes), maxBytes, kind);
  } catch (e) {
    throw new RangeError(
      `ravine: out of memory: cannot reserve ${pages(initialBytes)} bytes of heap (reserveBytes) with a maximum of ${maxBytes} (${(e as Error).message})`,
      { cause: e },
    );
  }
  let buffer = heap.buffer();
  let f32 = new Float32Array(buffer),
    u32 = new Uint32Array(buffer),
    f64 = new Float64Array(buffer);
  type Mirror = (...args: unknown[]) => void;
  const bind = (name: string, kernel: Mirror) =>
    name.endsWith('_f64') ? (...args: unknown[]) => kernel(f64, ...args) : (...args: unknown[]) => kernel(f32, u32, ...args);
  const kernels = Object.fromEntries(Object.entries(mirrors).map(([name, kernel]) => [name, bind(name, kernel as Mirror)])) as unknown as Kernels;
  let generation = 0;
  return {
    name: 'js',
    kernels,
    heapBase: 1024,
    viewsStable: heap.kind !== 'copy',
    maxBytes,
    get buffer() {
      return buffer;
    },
    get generation() {
      return generation;
    },
    grow(bytes: number) {
      if (bytes <= buffer.byteLength) return true;
      if (bytes > maxBytes || !heap.grow(bytes)) return false;
      // The kernels' whole-heap views are re-made to cover the new bytes (a resizable buffer's would
      // track its length anyway); views users hold stay valid except in the 'copy' kind.
      buffer = heap.buffer();
      f32 = new Float32Array(buffer);
      u32 = new Uint32Array(buffer);
      f64 = new Float64Array(buffer);
      generation++;
      return true;
    },
  };
}
