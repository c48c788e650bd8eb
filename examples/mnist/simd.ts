// matmul.ts's products on the f32x4 kernels of assembly/matmul.ts (built by `npm run example` into
// matmul.wasm beside this file). The module has its own memory, which cannot see ravine's, so each call
// copies its operands in and the product out. bench-matmul.ts measured it worth it: a minibatch's
// products (batch 64, hidden 128) take 0.64 ms this way against 6.4 ms in plain TypeScript, and the
// copies are 6% of that (0.60 ms on operands already in place).
import { readFileSync } from 'node:fs';
import type { Products } from './matmul.js';

/** The module's exports: byte offsets into `memory`, then the sizes (see assembly/matmul.ts). */
export interface MatmulKernels {
  addMulAB(out: number, a: number, b: number, m: number, k: number, n: number): void;
  addMulATB(out: number, a: number, b: number, m: number, k: number, n: number): void;
  addMulABT(out: number, a: number, b: number, m: number, k: number, n: number): void;
  memory: WebAssembly.Memory;
}

const pageFloats = 65536 / 4;

export function loadMatmulKernels(wasm: URL = new URL('./matmul.wasm', import.meta.url)): MatmulKernels {
  return new WebAssembly.Instance(new WebAssembly.Module(readFileSync(wasm))).exports as unknown as MatmulKernels;
}

/** Where an operand of `floats` floats ends, rounded up to whole f32x4 vectors so that the next starts aligned. */
export const after = (at: number, floats: number) => at + Math.ceil(floats / 4) * 4;

/** The module's memory as floats, grown to hold at least `floats` of them (growth detaches old views). */
export function floatsOf(kernels: MatmulKernels, floats: number): Float32Array {
  const have = kernels.memory.buffer.byteLength / 4;
  if (floats > have) kernels.memory.grow(Math.ceil((floats - have) / pageFloats));
  return new Float32Array(kernels.memory.buffer);
}

export function simdProducts(kernels = loadMatmulKernels()): Products {
  let heap = floatsOf(kernels, 0);
  const product = (kernel: MatmulKernels['addMulAB']) => (out: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number) => {
    const atA = 0,
      atB = after(atA, a.length),
      atOut = after(atB, b.length),
      end = after(atOut, out.length);
    if (end > heap.length) heap = floatsOf(kernels, end);
    heap.set(a, atA);
    heap.set(b, atB);
    heap.set(out, atOut);
    kernel(atOut * 4, atA * 4, atB * 4, m, k, n);
    out.set(heap.subarray(atOut, atOut + out.length));
  };
  return { addMulAB: product(kernels.addMulAB), addMulATB: product(kernels.addMulATB), addMulABT: product(kernels.addMulABT) };
}
